/**
 * Marathon's `unreachableStrategy` in `allot marathon`, on a real cluster:
 * `allot master` (agents unreachable 2 s after they vanish), two `allot
 * agent`s and `allot marathon`, all processes on 127.0.0.1. The agent of an
 * app's only instance is killed with SIGKILL (its task keeps running):
 *
 * 1. once the master reports the task unreachable and `inactiveAfterSeconds`
 *    passed, a replacement runs on the other agent;
 * 2. after `expungeAfterSeconds` the old task leaves the app's task list;
 * 3. the agent, started again on its work dir, reports the old task running,
 *    and marathon kills it: one instance, as defined.
 * Plus the 422 of a strategy that expunges before it gives up.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const STATE_TIMEOUT_MS = 60_000;
const HOSTS = ['node-a', 'node-b'];

let dir = '';
let master: Daemon;
const agents: Daemon[] = [];
let marathon: Daemon | null = null;

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return callJson(marathon!.url, method, path, body);
}

const agentArgs = (host: string, index: number) => [
  '--hostname',
  host,
  '--resources',
  `cpus:1;mem:512;disk:512;ports:[${33600 + index * 100}-${33600 + index * 100 + 50}]`,
];

async function tasks(): Promise<Json[]> {
  return (await api('GET', '/v2/apps/far/away/tasks')).body.tasks;
}

beforeAll(async () => {
  dir = makeWorkDir('marathon-unreachable');
  master = await startMasterProcess(dir, ['--agent-unreachable-timeout', '2']);
  agents.push(...(await Promise.all(HOSTS.map((host, index) => startAgentProcess(dir, master.url, host, agentArgs(host, index))))));
  marathon = await spawnDaemon(
    ['marathon', '--master', master.url, '--port', '0', '--work-dir', join(dir, 'marathon')],
    join(dir, 'marathon.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","framework":"marathon"/,
  );
}, 90_000);

afterAll(async () => {
  if (marathon) {
    await api('DELETE', '/v2/apps/far/away?force=true').catch(() => undefined);
    await eventually(async () => (await api('GET', '/v2/tasks')).body.tasks?.length === 0, 'tasks gone', 30_000).catch(() => undefined);
    await marathon.stop();
  }
  for (const agent of agents) await agent.stop();
  await master?.stop();
  if (dir && !process.env.KEEP_E2E_DIR) removeWorkDir(dir);
}, 120_000);

describe('the unreachable strategy of allot marathon', () => {
  it('replaces an unreachable instance, forgets it, and kills it when its agent comes back', async () => {
    const created = await api('POST', '/v2/apps', {
      id: '/far/away',
      cmd: 'exec sleep 600',
      cpus: 0.1,
      mem: 32,
      instances: 1,
      unreachableStrategy: { inactiveAfterSeconds: 1, expungeAfterSeconds: 4 },
    });
    expect(created.status).toBe(201);
    expect(created.body.unreachableStrategy).toEqual({ inactiveAfterSeconds: 1, expungeAfterSeconds: 4 });
    const [first] = await eventually(async () => {
      const running = (await tasks()).filter((task) => task.state === 'TASK_RUNNING');
      return running.length === 1 ? running : null;
    }, 'the instance running');
    const index = HOSTS.indexOf(first.host);
    agents[index].process.kill('SIGKILL');
    await agents[index].exited;

    const replacement = await eventually(
      async () => (await tasks()).find((task) => task.id !== first.id && task.state === 'TASK_RUNNING') ?? null,
      'a replacement running',
      STATE_TIMEOUT_MS,
    );
    expect(replacement.host).toBe(HOSTS[1 - index]);
    await eventually(
      async () => {
        const now = await tasks();
        return now.length === 1 && now[0].id === replacement.id;
      },
      'the unreachable task expunged',
      STATE_TIMEOUT_MS,
    );

    agents[index] = await startAgentProcess(dir, master.url, HOSTS[index], agentArgs(HOSTS[index], index));
    await eventually(
      async () => {
        const answer = (await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks;
        const all = [...(answer.tasks ?? []), ...(answer.completed_tasks ?? [])] as Json[];
        return all.some((task) => task.task_id.value === first.id && task.state === 'TASK_KILLED');
      },
      'the old task killed once its agent is back',
      STATE_TIMEOUT_MS,
    );
    expect((await tasks()).map((task) => task.id)).toEqual([replacement.id]);
  }, 180_000);

  it('refuses a strategy that expunges before it gives up (422)', async () => {
    const answer = await api('POST', '/v2/apps', {
      id: '/far/bad',
      cmd: 'true',
      unreachableStrategy: { inactiveAfterSeconds: 10, expungeAfterSeconds: 5 },
    });

    expect(answer.status).toBe(422);
    expect(answer.body.details.map((detail: Json) => detail.path)).toEqual(['/unreachableStrategy/expungeAfterSeconds']);
  });
});
