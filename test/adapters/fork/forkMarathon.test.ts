/**
 * `allot fork --marathon` of a live Marathon: a real master and two real
 * agents, `allot marathon` running an app of two instances. The fork holds
 * the Marathon as a `service` framework with its apps and the model's store
 * (`GET /v2/state/snapshot`); `allot simulate` of the fork launches nothing
 * at time 0 (the restored model owns the running instances), and with
 * `--drain` of an instance's agent the app is brought back to two instances
 * on the other agent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allotCli } from '../allotCli.js';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon } from '../master/daemons.js';
import type { LiveCluster } from './liveCluster.js';
import { startLiveCluster } from './liveCluster.js';

type Json = Record<string, any>;

let dir = '';
let cluster: LiveCluster;
let marathon: Daemon;
let forkPath = '';

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${marathon.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  dir = makeWorkDir('allot-fork-marathon-');
  const resources = 'cpus:1;mem:512;disk:512;ports:[31000-31010]';
  cluster = await startLiveCluster([{ resources }, { resources }]);
  marathon = await spawnDaemon(
    ['marathon', '--master', cluster.master.url, '--port', '0', '--work-dir', join(dir, 'marathon')],
    join(dir, 'marathon.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","framework":"marathon"/,
  );
  const created = await api('POST', '/v2/apps', {
    id: '/web',
    cmd: 'exec sleep 3600',
    cpus: 0.3,
    mem: 32,
    instances: 2,
  });
  expect(created.status).toBe(201);
  await eventually(
    async () => {
      const app = (await api('GET', '/v2/apps/web')).body.app as Json;
      return app.deployments.length === 0 && app.tasksRunning === 2;
    },
    'two running instances and no deployment',
    90_000,
  );
  forkPath = join(dir, 'fork.json');
}, 180_000);

afterAll(async () => {
  await marathon?.stop();
  await cluster?.close();
  removeWorkDir(dir);
}, 60_000);

describe('allot fork --marathon', () => {
  it('writes the Marathon as a service framework with its apps and store', async () => {
    const answer = (await api('GET', '/v2/state/snapshot')).body as Json;
    expect(answer.snapshot.apps.map((app: Json) => app.spec.id)).toEqual(['/web']);
    const run = await allotCli(
      'fork',
      '--master',
      cluster.master.url,
      '--marathon',
      marathon.url,
      '--out',
      forkPath,
      '--duration',
      '60000',
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/forked .*: 2 agents, .*1 frameworks, 2 running tasks/);
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    expect(scenario.frameworks).toEqual([
      expect.objectContaining({ id: answer.frameworkId, kind: 'service', apps: [expect.objectContaining({ id: '/web', instances: 2 })] }),
    ]);
    const live = answer.snapshot.apps[0].live.map((instance: Json) => instance.taskId).sort();
    expect(scenario.agents.flatMap((agent: Json) => (agent.tasks ?? []).map((task: Json) => task.id)).sort()).toEqual(live);
  }, 60_000);

  it('simulates the fork with no new launch', async () => {
    const run = await allotCli('simulate', forkPath, '--until', '30000', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Json;
    expect(report.frameworks[0].tasks).toEqual({ TASK_RUNNING: 2 });
    expect(report.counters.tasksLaunched).toBe(0);
  }, 60_000);

  it('brings the app back to its instances on the other agent when an agent is drained', async () => {
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const busy = scenario.frameworks[0].snapshot.apps[0].live[0].agentId as string;
    const other = (scenario.agents as Json[]).map((agent) => agent.id as string).find((id) => id !== busy)!;
    const run = await allotCli('simulate', forkPath, '--drain', busy, '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [outcome] = JSON.parse(run.stdout).whatIf.frameworks as Json[];
    const onBusy = (scenario.agents as Json[]).find((agent) => agent.id === busy)!.tasks.length as number;
    expect(outcome).toMatchObject({ runningBefore: 2, runningWhatIf: 2, movedTo: { [other]: onBusy }, stuck: 0, lost: 0 });
  }, 60_000);
});
