/**
 * The SDK on a real cluster (issue 11, "done when"): `allot master`, real
 * `allot agent`s and `allot service run` as processes on 127.0.0.1, a
 * three-pod svc.yml with a ROOT volume and a readiness check.
 *
 * 1. The scheduler is killed with SIGKILL mid-deploy and started again: it
 *    carries on from its store, the deploy plan reaches COMPLETE, and no task
 *    was launched twice (one sandbox and one volume line per pod).
 * 2. `POST /v1/pod/hello-0/restart` relaunches hello-0 on the same agent; its
 *    volume still holds the first line.
 * 3. A spare agent joins; the agent holding one pod is killed with SIGKILL:
 *    the recovery plan waits for the failure timeout, then the pod is
 *    replaced on the spare agent with a new, empty volume, and recovery
 *    reaches COMPLETE.
 * Waits are bounded by states, with timeouts generous for a busy machine;
 * failure detection is configured short (agent unreachable after 2 s, a
 * 12 s permanent failure timeout).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../master/daemons.js';

type Json = Record<string, any>;

const SVC_YML = `name: hello-world
replacement-failure-policy:
  permanent-failure-timeout-secs: {{FAILURE_TIMEOUT}}
pods:
  hello:
    count: 3
    placement: "hostname:MAX_PER:2"
    tasks:
      server:
        goal: RUNNING
        cmd: "sleep 2; echo \\"$TASK_NAME $MESOS_TASK_ID\\" >> data/lines; exec sleep 3600"
        cpus: 0.1
        memory: 32
        volume:
          path: data
          type: ROOT
          size: 16
        readiness-check:
          cmd: test -s data/lines
          interval: 1
          delay: 0
          timeout: 5
plans:
  deploy:
    strategy: serial
    phases:
      hello-deploy:
        strategy: serial
        pod: hello
        steps:
          - default: [[server]]
`;

const AGENT_RESOURCES = 'cpus:1;mem:512;disk:512;ports:[31000-31010]';
const STATE_TIMEOUT_MS = 60_000;

let dir = '';
let master: Daemon;
const agents = new Map<string, Daemon>();
let service: Daemon | null = null;

async function startAgent(name: string): Promise<Daemon> {
  const agent = await startAgentProcess(dir, master.url, name, ['--hostname', name, '--resources', AGENT_RESOURCES]);
  agents.set(name, agent);
  return agent;
}

function startService(): Promise<Daemon> {
  return spawnDaemon(
    [
      'service',
      'run',
      join(dir, 'svc.yml'),
      '--master',
      master.url,
      '--port',
      '0',
      '--work-dir',
      join(dir, 'scheduler'),
      '--option',
      'FAILURE_TIMEOUT=12',
    ],
    join(dir, 'scheduler.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"hello-world"/,
  );
}

async function api(path: string, method = 'GET'): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service!.url}${path}`, { method });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

async function plan(name: string): Promise<Json> {
  return (await api(`/v1/plans/${name}`)).body;
}

async function podTask(pod: string): Promise<{ agentId: string; taskId: string; state: string | undefined }> {
  const info = (await api(`/v1/pod/${pod}/info`)).body as Json[];
  return { agentId: info[0].info.agent_id.value, taskId: info[0].info.task_id.value, state: info[0].status?.state };
}

/** Agent name -> agent id, from each agent's /state. */
async function agentIds(): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [name, agent] of agents) {
    try {
      ids.set(name, ((await (await fetch(`${agent.url}/state`)).json()) as Json).agentId);
    } catch {
      // A killed agent answers nothing; its id was read earlier.
    }
  }
  return ids;
}

/** Lines in every volume directory of an agent: one entry per volume. */
function volumeLines(agentName: string): string[][] {
  const root = join(dir, agentName, 'volumes', 'roles');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((role) =>
    readdirSync(join(root, role)).map((volume) => {
      const file = join(root, role, volume, 'lines');
      return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
    }),
  );
}

function sandboxCount(agentName: string): number {
  const root = join(dir, agentName, 'sandboxes');
  if (!existsSync(root)) return 0;
  return readdirSync(root).reduce(
    (sum, framework) => sum + readdirSync(join(root, framework)).filter((task) => !task.includes('.')).length,
    0,
  );
}

beforeAll(async () => {
  dir = makeWorkDir('service-e2e');
  writeFileSync(join(dir, 'svc.yml'), SVC_YML);
  master = await startMasterProcess(dir, ['--agent-unreachable-timeout', '2']);
  await Promise.all([startAgent('node-a'), startAgent('node-b')]);
}, 60_000);

afterAll(async () => {
  await service?.stop();
  // An agent killed with SIGKILL left its tasks running: a new agent on its work dir adopts them and, stopping, kills them.
  for (const [name, agent] of agents) {
    if (agent.process.exitCode !== null || agent.process.signalCode !== null) {
      const revived = await startAgentProcess(dir, master.url, name, ['--hostname', name, '--resources', AGENT_RESOURCES]).catch(
        () => null,
      );
      await revived?.stop();
    } else await agent.stop();
  }
  await master?.stop();
  if (dir && !process.env.KEEP_E2E_DIR) removeWorkDir(dir);
  else if (dir) console.log(`kept ${dir}`);
}, 120_000);

describe('allot service run on a real cluster', () => {
  it('survives SIGKILL mid-deploy: the restarted scheduler finishes the deploy plan and launches no task twice', async () => {
    service = await startService();
    await eventually(
      async () => {
        const steps = ((await plan('deploy')).phases?.[0]?.steps ?? []) as Json[];
        return steps.some((step) => step.status === 'COMPLETE') && steps.some((step) => step.status !== 'COMPLETE');
      },
      'the deploy plan half done',
      STATE_TIMEOUT_MS,
    );
    service.process.kill('SIGKILL');
    await service.exited;
    service = await startService();
    const deploy = await eventually(
      async () => {
        const answer = await api('/v1/plans/deploy');
        return answer.status === 200 && answer.body.status === 'COMPLETE' ? answer.body : null;
      },
      'the deploy plan COMPLETE after the restart',
      STATE_TIMEOUT_MS,
    );
    expect(deploy.phases[0].steps.map((step: Json) => step.name)).toEqual(['hello-0:[server]', 'hello-1:[server]', 'hello-2:[server]']);
    expect(service.log()).toMatch(/"restored":true/);
    // One launch per pod: three sandboxes in all, one volume per pod holding one line.
    expect(sandboxCount('node-a') + sandboxCount('node-b')).toBe(3);
    const lines = [...volumeLines('node-a'), ...volumeLines('node-b')];
    expect(lines.map((volume) => volume.length)).toEqual([1, 1, 1]);
    const running = ((await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks.tasks as Json[]).filter(
      (task) => task.state === 'TASK_RUNNING',
    );
    expect(running.map((task) => task.name).sort()).toEqual(['hello-0-server', 'hello-1-server', 'hello-2-server']);
    expect((await api('/v1/health')).status).toBe(200);
  }, 180_000);

  it('pod restart relaunches in place; the volume keeps the first line', async () => {
    const before = await podTask('hello-0');
    const answer = await api('/v1/pod/hello-0/restart', 'POST');
    expect(answer).toEqual({ status: 200, body: { pod: 'hello-0', tasks: ['hello-0-server'] } });
    const after = await eventually(
      async () => {
        const task = await podTask('hello-0');
        const recovery = await plan('recovery');
        return task.taskId !== before.taskId && task.state === 'TASK_RUNNING' && recovery.status === 'COMPLETE' ? task : null;
      },
      'hello-0 running again and recovery COMPLETE',
      STATE_TIMEOUT_MS,
    );
    expect(after.agentId).toBe(before.agentId);
    const ids = await agentIds();
    const host = [...ids].find(([, id]) => id === after.agentId)![0];
    const volume = await eventually(
      () => volumeLines(host).find((lines) => lines.some((line) => line.startsWith('hello-0-server')) && lines.length === 2),
      'the second line in the same volume',
      STATE_TIMEOUT_MS,
    );
    expect(volume[0]).toBe(`hello-0-server ${before.taskId}`);
    expect(volume[1]).toBe(`hello-0-server ${after.taskId}`);
  }, 120_000);

  it('agent SIGKILL: recovery waits for the failure timeout, then the pod moves to the spare agent with a new, empty volume', async () => {
    await startAgent('node-c');
    const ids = await agentIds();
    const placed = await Promise.all(['hello-0', 'hello-1', 'hello-2'].map(async (pod) => ({ pod, ...(await podTask(pod)) })));
    const lonely = ['node-a', 'node-b'].find((name) => placed.filter((task) => task.agentId === ids.get(name)).length === 1)!;
    const victim = placed.find((task) => task.agentId === ids.get(lonely))!;
    const killedAtMs = Date.now();
    agents.get(lonely)!.process.kill('SIGKILL');
    await agents.get(lonely)!.exited;
    await eventually(
      async () => ((await plan('recovery')).phases as Json[]).some((phase) => phase.name === victim.pod && phase.status !== 'COMPLETE'),
      `a recovery step for ${victim.pod}`,
      STATE_TIMEOUT_MS,
    );
    // Transient first: the pod waits for its agent, on its reservations, until the failure timeout.
    expect((await podTask(victim.pod)).agentId).toBe(victim.agentId);
    const moved = await eventually(
      async () => {
        const task = await podTask(victim.pod);
        const recovery = await plan('recovery');
        return task.agentId === ids.get('node-c') && task.state === 'TASK_RUNNING' && recovery.status === 'COMPLETE' ? task : null;
      },
      `${victim.pod} replaced on node-c and recovery COMPLETE`,
      STATE_TIMEOUT_MS + 30_000,
    );
    expect(Date.now() - killedAtMs).toBeGreaterThanOrEqual(12_000);
    expect(moved.taskId).not.toBe(victim.taskId);
    const recovery = await plan('recovery');
    expect(recovery.phases.find((phase: Json) => phase.name === victim.pod).steps[0].status).toBe('COMPLETE');
    // A new volume: only the replacement's line.
    expect(volumeLines('node-c')).toEqual([[`${victim.pod}-server ${moved.taskId}`]]);
    expect((await api('/v1/health')).status).toBe(200);
  }, 180_000);
});
