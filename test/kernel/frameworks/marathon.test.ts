/**
 * The service kind (Marathon-like) in the simulator: placement by every
 * constraint operator, the backoff sequence of a crash loop, a rolling
 * upgrade that never breaks its bounds, scale-down youngest first, and the
 * built-in `marathon` scenario's end state.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent, ScenarioInput } from '../../../kernel/src/index.js';
import { findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';
import { delaySequenceMs, MARATHON_BACKOFF } from '../../../kernel/src/frameworks/service/launchBackoff.js';
import { detailsOf, runScenario } from './helpers.js';

interface AppDetails {
  id: string;
  version: string;
  instances: number;
  running: number;
  healthy: number;
  killing: number;
  queued: number;
  failures: number;
  byVersion: Record<string, number>;
  deployments: Array<{ version: string; outcome: string; minHealthy: number; maxCapacity: number; startedAtMs: number; endedAtMs: number }>;
  lastRejection: { code: string; reason: string } | null;
  rejections: Record<string, number>;
}

const appsOf = (details: Record<string, unknown>): AppDetails[] => details.apps as AppDetails[];

/** h1, h2 in rack a; h3 in rack b; h4 without a rack. */
function cluster(apps: unknown[], durationMs = 20000): ScenarioInput {
  const agent = (id: string, rack?: string) => ({
    id,
    resources: { cpus: 4, mem: 8192 },
    ports: [[31000, 31010]] as Array<[number, number]>,
    ...(rack ? { attributes: { rack } } : {}),
  });
  return {
    name: 'service',
    durationMs,
    agents: [agent('h1', 'a'), agent('h2', 'a'), agent('h3', 'b'), agent('h4')],
    frameworks: [{ id: 'marathon', role: 'web', kind: 'service', refuseSeconds: 1, apps }],
  };
}

/** Agents of the app's live tasks, sorted, from the events. */
function liveAgents(events: KernelEvent[], appId: string): string[] {
  const agentOf = new Map<string, string>();
  for (const event of events) {
    if (event.type === 'task.launched' && event.taskId.startsWith(`${appId}.`)) agentOf.set(event.taskId, event.agentId);
    if (event.type === 'task.updated' && event.status.state !== 'TASK_RUNNING' && event.status.state !== 'TASK_STARTING')
      agentOf.delete(event.status.taskId);
  }
  return [...agentOf.values()].sort();
}

describe('service placement by constraint', () => {
  it.each([
    // operator, constraint, instances, where they end up, the reason the rest wait (if any)
    ['UNIQUE', ['hostname', 'UNIQUE'], 5, ['h1', 'h2', 'h3', 'h4'], 'hostname:UNIQUE: an instance already runs where hostname is'],
    ['CLUSTER', ['rack', 'CLUSTER', 'a'], 3, ['h1', 'h1', 'h2'], null],
    ['GROUP_BY', ['rack', 'GROUP_BY'], 4, ['h1', 'h2', 'h3', 'h3'], null],
    ['LIKE', ['hostname', 'LIKE', 'h[23]'], 2, ['h2', 'h3'], null],
    ['LIKE on an attribute', ['rack', 'LIKE', 'b|c'], 2, ['h3', 'h3'], null],
    ['UNLIKE', ['rack', 'UNLIKE', 'a'], 2, ['h3', 'h4'], null],
    ['MAX_PER', ['rack', 'MAX_PER', '1'], 3, ['h1', 'h3'], 'rack:MAX_PER:1: 1 instances already run where rack is'],
    ['IS', ['rack', 'IS', 'b'], 2, ['h3', 'h3'], null],
    ['IS_NOT', ['rack', 'IS_NOT', 'a'], 2, ['h3', 'h3'], null],
  ])('%s', (_name, constraint, instances, agents, waitingReason) => {
    const { report, events } = runScenario(
      cluster([{ id: 'app', instances, resources: { cpus: 0.5, mem: 256 }, constraints: [constraint] }]),
    );
    expect(report.invariantViolations).toEqual([]);
    const placed = liveAgents(events, 'app');
    expect(placed).toHaveLength(agents.length);
    // Where several agents qualify, which one is offered first is the allocator's business: compare what the constraint fixes.
    const rack = (agent: string) => (agent === 'h3' ? 'b' : agent === 'h4' ? '-' : 'a');
    if (constraint[1] === 'UNIQUE') expect(placed).toEqual(agents);
    else if (constraint[1] === 'GROUP_BY' || constraint[1] === 'MAX_PER') expect(placed.map(rack).sort()).toEqual(agents.map(rack).sort());
    else expect(placed.every((agent) => agents.includes(agent))).toBe(true);
    const app = appsOf(detailsOf(report, 'marathon'))[0];
    if (waitingReason) {
      expect(app.queued).toBe(instances - agents.length);
      expect(app.lastRejection?.code).toBe('constraint');
      expect(app.lastRejection?.reason).toContain(waitingReason);
    } else {
      expect(app.queued).toBe(0);
    }
  });
});

describe('service lifecycle', () => {
  it('a crash-looping app relaunches after 1 s, 1.15 s, 1.3225 s, ... (Marathon backoff)', () => {
    const { events, report } = runScenario(cluster([{ id: 'loop', instances: 1, resources: { cpus: 1 }, durationMs: 2000 }], 30000));
    const launches = events.flatMap((event) => (event.type === 'task.launched' ? [event.atMs] : []));
    // Each instance runs 2 s and exits (a failure for a service); the next launch waits out the delay.
    const waits = launches.slice(1).map((atMs, i) => atMs - launches[i] - 2000);
    expect(waits.map((ms) => Math.round(ms * 1000) / 1000)).toEqual(
      delaySequenceMs(8, MARATHON_BACKOFF).map((ms) => Math.round(ms * 1000) / 1000),
    );
    expect(appsOf(detailsOf(report, 'marathon'))[0].failures).toBe(8);
  });

  it('an instance failing its health checks is killed, counted as a failure and replaced', () => {
    const app = {
      id: 'sick',
      instances: 1,
      resources: { cpus: 1 },
      version: 'bad',
      healthCheck: { gracePeriodMs: 2000, intervalMs: 1000, maxConsecutiveFailures: 2, unhealthyVersions: ['bad'] },
    };
    const { events, report } = runScenario(cluster([app], 12000));
    const launches = events.flatMap((event) => (event.type === 'task.launched' ? [event.atMs] : []));
    // Running at 0 s; checks at 1 and 2 s are in the grace period, 3 and 4 s fail: killed at 4 s, relaunched 1 s later;
    // that one fails at 9 s and waits 1.15 s.
    expect(launches).toEqual([0, 5000, 10150]);
    const details = appsOf(detailsOf(report, 'marathon'))[0];
    expect(details.failures).toBe(2);
    expect(report.frameworks[0].tasks).toEqual({ TASK_KILLED: 2, TASK_RUNNING: 1 });
  });

  it('a rolling upgrade keeps minHealthy healthy and at most maxCapacity instances throughout', () => {
    // Arrange: 4 instances, minimumHealthCapacity 0.75 -> minHealthy 3; maximumOverCapacity 0.25 -> maxCapacity 5.
    const app = {
      id: 'web',
      instances: 4,
      resources: { cpus: 0.5 },
      healthCheck: { gracePeriodMs: 10000, intervalMs: 1000, startupMs: 3000 },
      upgradeStrategy: { minimumHealthCapacity: 0.75, maximumOverCapacity: 0.25 },
      changes: [{ atMs: 20000, version: '2' }],
    };
    const { simulation } = runScenario(cluster([app], 20000));
    const model = simulation.frameworks.get('marathon')!;
    // Act and Assert: every 100 ms of the restart.
    for (let t = 20000; t <= 40000; t += 100) {
      simulation.runUntil(t);
      const web = appsOf(model.details!())[0];
      expect(web.healthy).toBeGreaterThanOrEqual(3);
      expect(Object.values(web.byVersion).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(5);
    }
    const web = appsOf(model.details!())[0];
    expect(web.byVersion).toEqual({ 2: 4 });
    expect(web.deployments).toMatchObject([{ version: '2', outcome: 'finished', minHealthy: 3, maxCapacity: 5 }]);
    expect(simulation.violations).toEqual([]);
  });
});

describe('service roles and reservations', () => {
  it('subscribes with every app role; an app accepting only reserved resources runs on its reservation and waits with the reason', () => {
    // Arrange: h1 reserves 2 cpus for db; db accepts only those, front (role web) anything of its own role.
    const input: ScenarioInput = {
      name: 'roles',
      durationMs: 10000,
      agents: [
        { id: 'h1', resources: { cpus: 4, mem: 4096 }, reservations: [{ role: 'db', resources: { cpus: 2, mem: 2048 } }] },
        { id: 'h2', resources: { cpus: 4, mem: 4096 } },
      ],
      frameworks: [
        {
          id: 'marathon',
          role: 'web',
          kind: 'service',
          apps: [
            { id: 'front', instances: 2, resources: { cpus: 1, mem: 512 } },
            { id: 'db', role: 'db', acceptedResourceRoles: ['db'], instances: 3, resources: { cpus: 1, mem: 512 } },
          ],
        },
      ],
    };
    // Act
    const { report, events } = runScenario(input);
    // Assert: db fills its 2 reserved cpus; the third waits; offers of the other role are turned down as "role".
    const launched = events.flatMap((e) => (e.type === 'task.launched' ? [`${e.taskId}@${e.agentId}/${e.role}`] : []));
    expect(launched.filter((t) => t.startsWith('db.'))).toEqual(['db.0@h1/db', 'db.1@h1/db']);
    expect(launched.filter((t) => t.startsWith('front.')).every((t) => t.endsWith('/web'))).toBe(true);
    const [front, db] = appsOf(detailsOf(report, 'marathon'));
    expect([front.running, db.running, db.queued]).toEqual([2, 2, 1]);
    expect(Object.keys(db.rejections).sort()).toEqual(['insufficient-cpus', 'missing-reservation', 'role']);
    expect(report.invariantViolations).toEqual([]);
  });
});

describe('the marathon scenario', () => {
  const { report, events } = runScenario('marathon');
  const [web, api, gpu] = appsOf(detailsOf(report, 'marathon'));
  const killedAt = (atMs: number) =>
    events
      .flatMap((e) => (e.type === 'task.updated' && e.atMs === atMs && e.status.state === 'TASK_KILLED' ? [e.status.taskId] : []))
      .sort();

  it('runs with no invariant violations', () => {
    expect(report.invariantViolations).toEqual([]);
  });

  it('web rolls to version 2 within minHealthy 3 / maxCapacity 4, then scales up and down', () => {
    expect(web.deployments).toEqual([
      { version: '2', instances: 3, startedAtMs: 30000, endedAtMs: 43000, outcome: 'finished', minHealthy: 3, maxCapacity: 4 },
    ]);
    expect(web).toMatchObject({ version: '2', instances: 2, running: 2, healthy: 2, byVersion: { 2: 2 }, failures: 0 });
  });

  it('web scales up past a host in maintenance (a-1 until 85 s) and down to 2, youngest first', () => {
    expect(web.rejections.maintenance).toBeGreaterThan(0);
    const launched = events.flatMap((e) =>
      e.type === 'task.launched' && e.taskId.startsWith('web.') ? [[e.taskId, e.atMs, e.agentId]] : [],
    );
    expect(launched.slice(-2)).toEqual([
      ['web.6', 60000, 'a-2'],
      ['web.7', 85000, 'a-1'],
    ]);
    // At 100 s five run (web.3 .. web.7); the three launched last go.
    expect(killedAt(101000)).toEqual(['web.5', 'web.6', 'web.7']);
  });

  it('api: the broken version fails its health checks and backs off while minHealthy 2 old instances serve, until version 3', () => {
    expect(api.deployments.map(({ version, outcome, minHealthy, maxCapacity }) => ({ version, outcome, minHealthy, maxCapacity }))).toEqual(
      [
        { version: '2-broken', outcome: 'superseded', minHealthy: 2, maxCapacity: 4 },
        { version: '3', outcome: 'finished', minHealthy: 2, maxCapacity: 4 },
      ],
    );
    expect(api.failures).toBe(12);
    expect(killedAt(113000)).toEqual(['api.0', 'api.1']); // the version-1 instances, last of all
    expect(api).toMatchObject({ version: '3', running: 4, healthy: 4, byVersion: { 3: 4 } });
  });

  it('gpu-batch waits with its reason: no agent has gpus', () => {
    expect(gpu.queued).toBe(1);
    expect(gpu.lastRejection).toMatchObject({ code: 'insufficient-gpus', reason: 'insufficient gpus: need 1, offered 0' });
  });
});

describe('service under faults', () => {
  it('resends lost kills and kills tasks given up for lost: the cluster runs exactly what the apps want', () => {
    // Arrange: the marathon scenario with master failovers, a crash, a partition and a task failure.
    // With seed 2 the failover at 33 s swallows an upgrade kill, and the partition swallows a health-check kill.
    const input = structuredClone(findBuiltinScenario('marathon')) as ScenarioInput;
    input.faults = [
      { atMs: 33000, type: 'master.failover' },
      { atMs: 45000, type: 'agent.crash', agent: 'a-2' },
      { atMs: 65000, type: 'agent.restart', agent: 'a-2' },
      { atMs: 72000, type: 'network.partition', agents: ['a-2'] },
      { atMs: 80000, type: 'network.heal', agents: ['a-2'] },
      { atMs: 90000, type: 'task.fail', framework: 'marathon' },
      { atMs: 95000, type: 'master.failover' },
    ];
    for (const seed of [1, 2, 3]) {
      const parsed = parseScenario(input);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const simulation = new Simulation(parsed.scenario, { invariants: 'step', seed });
      // Act
      simulation.runUntil(parsed.scenario.durationMs);
      // Assert: the master runs web 2 and api 4, no more.
      const running = [...simulation.master.frameworks.get('marathon')!.tasks.values()]
        .filter((task) => task.state === 'TASK_RUNNING')
        .map((task) => task.id.split('.')[0]);
      expect(running.sort(), `seed ${seed}`).toEqual(['api', 'api', 'api', 'api', 'web', 'web']);
      expect(simulation.violations).toEqual([]);
    }
  });
});
