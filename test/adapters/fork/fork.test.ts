/**
 * `allot fork` of a live cluster (a real master and two real agents, two
 * roles with weights, a framework running tasks like a service) gives a
 * scenario that `allot simulate` runs with the same agents, roles and running
 * tasks at time 0; `--drain` of one agent shows its tasks moved to the other,
 * and a drain with no room left shows them stuck, with the reasons.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { operator } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import { allotCli } from '../allotCli.js';
import type { LiveCluster } from './liveCluster.js';
import { startLiveCluster } from './liveCluster.js';

type Json = Record<string, any>;

let workDir: string;
let cluster: LiveCluster;
let master: { url: string };
let scheduler: SchedulerClient;
let forkPath: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'allot-fork-'));
  const resources = 'cpus:2;mem:1024;disk:1024;ports:[31000-31100]';
  cluster = await startLiveCluster([
    { resources, attributes: 'rack:r1' },
    { resources, attributes: 'rack:r2' },
  ]);
  master = cluster.master;
  await operator(master.url, {
    type: 'UPDATE_WEIGHTS',
    update_weights: {
      weight_infos: [
        { role: 'web', weight: 3 },
        { role: 'batch', weight: 2 },
      ],
    },
  });
  scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'web-service', roles: ['web'] } });
  // Two instances on one agent, as a service would have placed them.
  const offer = await scheduler.waitForOffer();
  await scheduler.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [
        launch(offer, 'web-1', 'sleep 600', { cpus: 0.5, mem: 64 }),
        launch(offer, 'web-2', 'sleep 600', { cpus: 0.5, mem: 64 }),
      ],
      filters: { refuse_seconds: 1 },
    },
  });
  await scheduler.waitForState('web-1', 'TASK_RUNNING', 30_000);
  await scheduler.waitForState('web-2', 'TASK_RUNNING', 30_000);
  forkPath = join(workDir, 'fork.json');
}, 120_000);

afterAll(async () => {
  await scheduler?.close();
  await cluster?.close();
  rmSync(workDir, { recursive: true, force: true });
}, 60_000);

describe('allot fork', () => {
  it('writes the agents, roles and running tasks of the live cluster as a scenario', async () => {
    const run = await allotCli('fork', '--master', master.url, '--out', forkPath, '--duration', '30000');
    expect(run.stderr).toMatch(/forked .*: 2 agents, 2 roles, 1 frameworks, 2 running tasks/);
    expect(run.code).toBe(0);
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const live = (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents.agents as Json[];
    expect(scenario.agents.map((agent: Json) => agent.id).sort()).toEqual(live.map((agent) => agent.agent_info.id.value).sort());
    expect(scenario.agents.map((agent: Json) => agent.attributes.rack).sort()).toEqual(['r1', 'r2']);
    expect(scenario.agents[0].resources).toMatchObject({ cpus: 2, mem: 1024, disk: 1024 });
    expect(scenario.roles).toEqual([
      { name: 'batch', weight: 2 },
      { name: 'web', weight: 3 },
    ]);
    const tasks = scenario.agents.flatMap((agent: Json) => (agent.tasks ?? []).map((task: Json) => ({ ...task, agent: agent.id })));
    expect(tasks.map((task: Json) => task.id).sort()).toEqual(['web-1', 'web-2']);
    expect(tasks[0]).toMatchObject({ framework: scheduler.frameworkId, resources: { cpus: 0.5, mem: 64 } });
    expect(scenario.frameworks).toEqual([expect.objectContaining({ id: scheduler.frameworkId, name: 'web-service', role: 'web' })]);
  }, 60_000);

  it('simulates the fork with the same agents, roles and running tasks at time 0', async () => {
    const run = await allotCli('simulate', forkPath, '--until', '0', '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Json;
    expect(report.cluster.agents).toBe(2);
    expect(report.frameworks).toEqual([expect.objectContaining({ id: scheduler.frameworkId, role: 'web', tasks: { TASK_RUNNING: 2 } })]);
    expect(report.cluster.allocated).toMatchObject({ cpus: 1, mem: 128 });
  }, 60_000);

  it('shows the tasks of a drained agent moved to the other one', async () => {
    const scenario = JSON.parse(readFileSync(forkPath, 'utf8')) as Json;
    const busy = scenario.agents.find((agent: Json) => agent.tasks?.length).id as string;
    const other = scenario.agents.find((agent: Json) => agent.id !== busy).id as string;
    const run = await allotCli('simulate', forkPath, '--drain', busy, '--json');
    expect(run.code).toBe(0);
    const [framework] = JSON.parse(run.stdout).whatIf.frameworks as Json[];
    expect(framework).toMatchObject({
      runningBefore: 2,
      runningUnchanged: 2,
      runningWhatIf: 2,
      stuck: 0,
      lost: 0,
      movedTo: { [other]: 2 },
    });
    expect(framework.moved.map((task: Json) => task.fromAgent)).toEqual([busy, busy]);
    const table = await allotCli('simulate', forkPath, '--drain', busy);
    expect(table.stdout).toContain(`2 task(s) moved from ${busy} to ${other} (2)`);
  }, 60_000);

  it('shows tasks stuck, with the reasons, when no agent is left for them', async () => {
    const run = await allotCli(
      'simulate',
      forkPath,
      '--drain',
      (JSON.parse(readFileSync(forkPath, 'utf8')) as Json).agents.map((a: Json) => a.id).join(','),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 task\(s\) stuck; agents by reason: agent draining 2/);
  }, 60_000);

  it('deploys a service from a svc.yml on the fork (one node per rack), and shows what does not fit', async () => {
    const svc = (count: number) =>
      `name: db\npods:\n  node:\n    count: ${count}\n    placement: '[["rack", "UNIQUE"]]'\n    tasks:\n      server:\n        goal: RUNNING\n        cmd: sleep 600\n        cpus: 1\n        memory: 256\n`;
    writeFileSync(join(workDir, 'db2.yml'), svc(2));
    writeFileSync(join(workDir, 'db3.yml'), svc(3));
    const fits = await allotCli('simulate', forkPath, '--add-service', join(workDir, 'db2.yml'), '--json');
    expect(fits.stderr).toBe('');
    const outcome = JSON.parse(fits.stdout).whatIf;
    expect(outcome.edits).toEqual(['deploy service db at 1000 ms']);
    expect(outcome.frameworks.find((f: Json) => f.id === 'db')).toMatchObject({
      runningWhatIf: 2,
      added: { plans: expect.arrayContaining(['deploy COMPLETE']) },
    });
    expect(outcome.frameworks.find((f: Json) => f.id === scheduler.frameworkId)).toMatchObject({ runningWhatIf: 2, lost: 0 });
    const tooMany = await allotCli('simulate', forkPath, '--add-service', join(workDir, 'db3.yml'));
    expect(tooMany.stdout).toMatch(/db: added; plans at the end: .*deploy (IN_PROGRESS|STARTING|PENDING)/);
    // The third node: both agents' racks already have one (every failing requirement of each offer is listed).
    expect(tooMany.stdout).toMatch(/node-2:\[server\] waits: .*placement: rack:UNIQUE: an instance already runs where rack is r[12]/);
  }, 60_000);

  it('refuses what it cannot do, naming the flag', async () => {
    const unknown = await allotCli('simulate', forkPath, '--drain', 'no-such-agent');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--drain: no agent "no-such-agent"/);
    const service = await allotCli('simulate', forkPath, '--add-service', join(workDir, 'missing.yml'));
    expect(service.code).toBe(2);
    expect(service.stderr).toMatch(/--add-service .*missing\.yml: ENOENT/);
    const quota = await allotCli('simulate', forkPath, '--quota', 'web=cpus');
    expect(quota.stderr).toMatch(/--quota web=cpus: "cpus" is not NAME:AMOUNT/);
  }, 60_000);
});
