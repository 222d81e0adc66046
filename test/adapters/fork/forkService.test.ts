/**
 * `allot fork --service` of a live SDK service: a real master and three real
 * agents, `allot service run` deploying two pods with a ROOT volume. The fork
 * holds the service as a `stateful` framework with its spec and its
 * scheduler's state store (`GET /v1/state/snapshot`); `allot simulate` of the
 * fork launches nothing at time 0 (the restored scheduler owns the running
 * pods) and shows deploy COMPLETE; with `--drain` of a pod's agent the
 * recovery plan replaces that pod on the spare agent once its (short)
 * permanent failure timeout has passed, and says why it waits before.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allotCli } from '../allotCli.js';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon } from '../master/daemons.js';
import type { LiveCluster } from './liveCluster.js';
import { startLiveCluster } from './liveCluster.js';

type Json = Record<string, any>;

const SVC_YML = `name: hello-world
replacement-failure-policy:
  permanent-failure-timeout-secs: 20
pods:
  hello:
    count: 2
    tasks:
      server:
        goal: RUNNING
        cmd: "exec sleep 3600"
        cpus: 0.6
        memory: 32
        volume:
          path: data
          type: ROOT
          size: 16
`;

let dir = '';
let cluster: LiveCluster;
let service: Daemon;
let forkPath = '';

async function api(path: string): Promise<Json> {
  const response = await fetch(`${service.url}${path}`);
  return (await response.json()) as Json;
}

beforeAll(async () => {
  dir = makeWorkDir('allot-fork-service-');
  const resources = 'cpus:1;mem:512;disk:512;ports:[31000-31010]';
  cluster = await startLiveCluster([{ resources }, { resources }, { resources }]);
  writeFileSync(join(dir, 'svc.yml'), SVC_YML);
  service = await spawnDaemon(
    ['service', 'run', join(dir, 'svc.yml'), '--master', cluster.master.url, '--port', '0', '--work-dir', join(dir, 'scheduler')],
    join(dir, 'scheduler.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"hello-world"/,
  );
  await eventually(async () => (await api('/v1/plans/deploy')).status === 'COMPLETE', 'the deploy plan COMPLETE', 90_000);
  forkPath = join(dir, 'fork.json');
}, 180_000);

afterAll(async () => {
  await service?.stop();
  await cluster?.close();
  removeWorkDir(dir);
}, 60_000);

describe('allot fork --service', () => {
  it('serves the scheduler state store at GET /v1/state/snapshot', async () => {
    const answer = await api('/v1/state/snapshot');
    expect(answer.frameworkId).toEqual((await api('/v1/state/frameworkId'))[0]);
    expect(answer.atMs).toBeGreaterThan(0);
    expect(answer.snapshot.instances.map((instance: Json) => instance.name).sort()).toEqual(['hello-0', 'hello-1']);
    expect(answer.snapshot.plans.map((plan: Json) => plan.name)).toContain('deploy');
  }, 30_000);

  it('writes the service as a stateful framework with its spec and state', async () => {
    const run = await allotCli('fork', '--master', cluster.master.url, '--service', service.url, '--out', forkPath, '--duration', '120000');
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/forked .*: 3 agents, .*1 frameworks, 2 running tasks/);
    expect(run.stderr).toContain('note: service hello-world: its reservations fork as static reservations of role hello-world-role');
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const frameworkId = (await api('/v1/state/frameworkId'))[0];
    expect(scenario.frameworks).toEqual([
      expect.objectContaining({
        id: frameworkId,
        kind: 'stateful',
        role: 'hello-world-role',
        service: expect.objectContaining({ name: 'hello-world' }),
      }),
    ]);
    const [framework] = scenario.frameworks as Json[];
    expect(framework.service.pods).toEqual([
      expect.objectContaining({ type: 'hello', count: 2, volumes: [expect.objectContaining({ containerPath: 'data' })] }),
    ]);
    const liveTasks = await Promise.all(
      ['hello-0', 'hello-1'].map(async (pod) => (await api(`/v1/pod/${pod}/info`))[0].info.task_id.value),
    );
    const forked = scenario.agents.flatMap((agent: Json) => (agent.tasks ?? []).map((task: Json) => task.id));
    expect(forked.sort()).toEqual(liveTasks.sort());
    const stored = framework.snapshot.instances.flatMap((instance: Json) => Object.values(instance.tasks).map((task: any) => task.taskId));
    expect(stored.sort()).toEqual(liveTasks.sort());
  }, 60_000);

  it('simulates the fork with no new launch and the deploy plan COMPLETE', async () => {
    const run = await allotCli('simulate', forkPath, '--until', '30000', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Json;
    const [framework] = report.frameworks as Json[];
    expect(framework.tasks).toEqual({ TASK_RUNNING: 2 });
    expect(report.plans.find((plan: Json) => plan.name === 'deploy').status).toBe('COMPLETE');
    expect(report.counters.tasksLaunched).toBe(0);
  }, 60_000);

  it('replaces the pod of a drained agent through the recovery plan', async () => {
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const [framework] = scenario.frameworks as Json[];
    const agentOf = (pod: string) => framework.snapshot.instances.find((instance: Json) => instance.name === pod).agentId as string;
    const spare = (scenario.agents as Json[])
      .map((agent) => agent.id as string)
      .find((id) => id !== agentOf('hello-0') && id !== agentOf('hello-1'));
    const run = await allotCli('simulate', forkPath, '--drain', agentOf('hello-0'), '--json');
    expect(run.code).toBe(0);
    const [outcome] = JSON.parse(run.stdout).whatIf.frameworks as Json[];
    expect(outcome).toMatchObject({ runningWhatIf: 2, movedTo: { [spare!]: 1 }, stuck: 0, lost: 0 });
    expect(outcome.moved).toEqual([expect.objectContaining({ fromAgent: agentOf('hello-0') })]);
    expect(outcome.service).toEqual({
      plans: ['deploy COMPLETE', 'recovery COMPLETE'],
      recovery: [{ step: 'hello-0:[server]', status: 'COMPLETE', reasons: [] }],
    });
    const table = await allotCli('simulate', forkPath, '--drain', agentOf('hello-0'));
    expect(table.stdout).toContain('plans at the end: deploy COMPLETE, recovery COMPLETE');
    expect(table.stdout).toContain('recovery hello-0:[server] COMPLETE');
  }, 60_000);

  it('shows the replacement waiting, with the reasons, when no agent has room', async () => {
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const [framework] = scenario.frameworks as Json[];
    const hello1 = framework.snapshot.instances.find((instance: Json) => instance.name === 'hello-1').agentId as string;
    const others = (scenario.agents as Json[]).map((agent) => agent.id as string).filter((id) => id !== hello1);
    const table = await allotCli('simulate', forkPath, '--drain', others.join(','));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/: 1 task\(s\) stuck; agents by reason: /);
    expect(table.stdout).not.toMatch(/task\(s\) lost/);
    expect(table.stdout).toMatch(/plans at the end: deploy COMPLETE, recovery (IN_PROGRESS|PENDING|PREPARED|STARTING)/);
    // hello-1's agent has 0.4 cpus left: every failing requirement of its offers is listed.
    expect(table.stdout).toMatch(/recovery hello-0:\[server\] \w+ waits: .*cpus/);
  }, 60_000);

  it('refuses a --service URL it cannot read, naming it', async () => {
    const run = await allotCli('fork', '--master', cluster.master.url, '--service', 'http://127.0.0.1:1');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--service http:\/\/127\.0\.0\.1:1: .*GET \/v1\/state\/snapshot/);
  }, 60_000);
});
