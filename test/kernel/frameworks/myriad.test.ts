/**
 * The elastic kind (Myriad-like): profiles, the flex-down order, the
 * simulated YARN ResourceManager, zero-profile NodeManagers growing and
 * shrinking by placeholder tasks, and the built-in `myriad` scenario.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../kernel/src/index.js';
import { buildReport, findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';
import type { FlexCandidate } from '../../../kernel/src/frameworks/elastic/flexDown.js';
import { flexDownVictims } from '../../../kernel/src/frameworks/elastic/flexDown.js';
import { DEFAULT_NODE_MANAGER_OVERHEAD, DEFAULT_PROFILES, nodeManagerResources } from '../../../kernel/src/frameworks/elastic/profiles.js';
import { YarnResourceManager } from '../../../kernel/src/frameworks/elastic/yarnResourceManager.js';
import { detailsOf, runScenario } from './helpers.js';

describe('NodeManager profiles', () => {
  it('zero 0/0, small 2/2048, medium 4/4096, large 10/12288; the task adds the daemon overhead', () => {
    expect(DEFAULT_PROFILES).toEqual({
      zero: { cpus: 0, mem: 0 },
      small: { cpus: 2, mem: 2048 },
      medium: { cpus: 4, mem: 4096 },
      large: { cpus: 10, mem: 12288 },
    });
    expect(nodeManagerResources(DEFAULT_PROFILES.large, DEFAULT_NODE_MANAGER_OVERHEAD)).toEqual({ cpus: 10.2, mem: 13312 });
    expect(nodeManagerResources(DEFAULT_PROFILES.zero, DEFAULT_NODE_MANAGER_OVERHEAD)).toEqual({ cpus: 0.2, mem: 1024 });
  });
});

describe('flex down order', () => {
  const nm = (id: string, state: FlexCandidate['state'], number: number, applicationMasters = 0, profile = 'small'): FlexCandidate => ({
    id,
    profile,
    state,
    number,
    applicationMasters,
  });
  const all = [
    nm('active-old-2am', 'active', 0, 2),
    nm('active-old-0am', 'active', 1, 0),
    nm('staging', 'staging', 2),
    nm('active-young-1am', 'active', 3, 1),
    nm('pending-old', 'pending', 4),
    nm('active-young-0am', 'active', 5, 0),
    nm('pending-young', 'pending', 6),
    nm('killing', 'killing', 7),
    nm('medium', 'pending', 8, 0, 'medium'),
  ];

  it('takes pending first, then staging, then active with the fewest application masters (ties youngest first)', () => {
    expect(flexDownVictims(all, 'small', 10).map((v) => v.id)).toEqual([
      'pending-young',
      'pending-old',
      'staging',
      'active-young-0am',
      'active-old-0am',
      'active-young-1am',
      'active-old-2am',
    ]);
  });

  it('takes only `count`, of the given profile, and never one already being killed', () => {
    expect(flexDownVictims(all, 'small', 3).map((v) => v.id)).toEqual(['pending-young', 'pending-old', 'staging']);
    expect(flexDownVictims(all, 'medium', 5).map((v) => v.id)).toEqual(['medium']);
    expect(flexDownVictims(all, 'large', 1)).toEqual([]);
  });

  it('an active NodeManager with fewer masters goes before a younger one with more', () => {
    expect(flexDownVictims([nm('old', 'active', 0, 1), nm('young', 'active', 1, 2)], 'small', 1).map((v) => v.id)).toEqual(['old']);
  });
});

describe('YARN ResourceManager', () => {
  const spec = {
    id: 'job',
    atMs: 0,
    containers: 2,
    resources: { cpus: 1, mem: 1024 },
    amResources: { cpus: 1, mem: 512 },
    durationMs: 1000,
  };

  it('runs the application master first, which then asks for its workers; the last worker releases the master', () => {
    const yarn = new YarnResourceManager();
    const app = yarn.submit(spec, 0);
    expect(yarn.pending.map((c) => c.id)).toEqual(['job/am']);
    const started = yarn.placeOnCapacity([{ id: 'nm-a', capacity: { cpus: 2, mem: 2048 } }]);
    expect(started.map((c) => c.id)).toEqual(['job/am']);
    expect(yarn.pending.map((c) => c.id)).toEqual(['job/c0', 'job/c1']);
    expect(yarn.placeOnCapacity([{ id: 'nm-a', capacity: { cpus: 2, mem: 2048 } }]).map((c) => c.id)).toEqual(['job/c0']);
    expect(yarn.applicationMastersOn('nm-a')).toBe(1);
    expect(yarn.finish(app.workers[0], 1000)).toBeNull();
    yarn.placeOnCapacity([{ id: 'nm-a', capacity: { cpus: 2, mem: 2048 } }]);
    expect(yarn.finish(app.workers[1], 2000)).toBe(app.am);
    yarn.finish(app.am, 2000);
    expect(app.finishedAtMs).toBe(2000);
  });

  it('a NodeManager that goes away puts its containers back at the front of the queue', () => {
    const yarn = new YarnResourceManager();
    yarn.submit(spec, 0);
    yarn.placeOnCapacity([{ id: 'nm-a', capacity: { cpus: 1, mem: 1024 } }]);
    expect(yarn.evict('nm-a')).toEqual([]);
    expect(yarn.pending.map((c) => [c.id, c.state, c.attempt])).toEqual([
      ['job/am', 'pending', 1],
      ['job/c0', 'pending', 0],
      ['job/c1', 'pending', 0],
    ]);
  });
});

describe('fine-grained scaling', () => {
  it('a zero-profile NodeManager grows by one placeholder task per container and shrinks as they end', () => {
    // Arrange: one agent of 4 cpus; a zero-profile NodeManager (0.2 cpus of daemon); a job of an AM and 3 workers of 1 cpu, 5 s each.
    const input: ScenarioInput = {
      name: 'fine-grained',
      durationMs: 20000,
      agents: [{ id: 'h', resources: { cpus: 4, mem: 8192 } }],
      frameworks: [
        {
          id: 'myriad',
          role: 'yarn',
          kind: 'elastic',
          flex: [{ atMs: 0, action: 'up', profile: 'zero', count: 1 }],
          applications: [{ id: 'job', atMs: 1000, containers: 3, resources: { cpus: 1, mem: 1024 }, durationMs: 5000 }],
        },
      ],
    };
    const { simulation } = runScenario(input, 0);
    const cpusAt = (atMs: number): number | undefined => {
      simulation.runUntil(atMs);
      return buildReport(simulation).frameworks[0].allocated.cpus;
    };
    // Act and Assert: the daemon alone; + AM and two workers (the third does not fit); one worker after the first two end;
    // the master's placeholder is killed when the last worker ends (11 s) and is gone a second later.
    expect([cpusAt(500), cpusAt(1000), cpusAt(5999), cpusAt(6000), cpusAt(11000), cpusAt(12000)]).toEqual([0.2, 3.2, 3.2, 2.2, 1.2, 0.2]);
    const details = detailsOf(buildReport(simulation), 'myriad') as { yarn: { applications: unknown[]; placeholders: unknown } };
    expect(details.yarn.applications).toEqual([{ id: 'job', submittedMs: 1000, finishedMs: 11000, completionMs: 10000 }]);
    expect(details.yarn.placeholders).toEqual({ running: 0, launched: 4 });
    expect(simulation.violations).toEqual([]);
  });
});

describe('the myriad scenario', () => {
  const { report } = runScenario('myriad');
  const details = detailsOf(report, 'myriad') as {
    nodeManagers: Array<{ id: string; state: string }>;
    byProfile: Record<string, Record<string, number>>;
    flex: Array<{ atMs: number; taken: string[] }>;
    yarn: {
      applications: Array<{ id: string; completionMs: number | null }>;
      containers: Record<string, number>;
      placeholders: { launched: number };
    };
  };

  it('runs with no invariant violations', () => {
    expect(report.invariantViolations).toEqual([]);
  });

  it('flex down takes the small NodeManager with fewer masters, and the pending large one', () => {
    expect(details.flex.filter((f) => f.taken.length > 0)).toMatchObject([
      { atMs: 60000, taken: ['nm-small-0 (active)'] },
      { atMs: 101000, taken: ['nm-large-7 (pending)'] },
    ]);
    expect(details.byProfile).toEqual({ small: { active: 1 }, medium: { active: 1 }, zero: { active: 2 }, large: { active: 2 } });
  });

  it('every YARN application finishes; the zero-profile NodeManagers did much of the work through placeholders', () => {
    expect(details.yarn.applications.every((app) => app.completionMs !== null)).toBe(true);
    expect(details.yarn.containers).toEqual({ pending: 0, running: 0, completed: 106 });
    expect(details.yarn.placeholders.launched).toBe(70);
    expect(report.frameworks[0].tasks).toEqual({ TASK_FINISHED: 70, TASK_KILLED: 1, TASK_RUNNING: 6 });
  });
});

describe('elastic under faults', () => {
  it('after failovers, a crash, a partition and a task failure, every application finishes and only the NodeManagers run', () => {
    const input = structuredClone(findBuiltinScenario('myriad')) as ScenarioInput;
    input.faults = [
      { atMs: 33000, type: 'master.failover' },
      { atMs: 45000, type: 'agent.crash', agent: 'agent-2' },
      { atMs: 65000, type: 'agent.restart', agent: 'agent-2' },
      { atMs: 72000, type: 'network.partition', agents: ['agent-2'] },
      { atMs: 80000, type: 'network.heal', agents: ['agent-2'] },
      { atMs: 90000, type: 'task.fail', framework: 'myriad' },
      { atMs: 95000, type: 'master.failover' },
    ];
    for (const seed of [1, 2, 3]) {
      const parsed = parseScenario(input);
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const simulation = new Simulation(parsed.scenario, { invariants: 'step', seed });
      simulation.runUntil(parsed.scenario.durationMs);
      const running = [...simulation.master.frameworks.get('myriad')!.tasks.values()]
        .filter((task) => task.state === 'TASK_RUNNING')
        .map((task) => task.id.replace(/-\d+(-r\d+)?$/, ''));
      expect(running.sort(), `seed ${seed}`).toEqual(['nm-large', 'nm-large', 'nm-medium', 'nm-small', 'nm-zero', 'nm-zero']);
      const details = detailsOf(buildReport(simulation), 'myriad') as { yarn: { applications: Array<{ finishedMs: number | null }> } };
      expect(
        details.yarn.applications.every((app) => app.finishedMs !== null),
        `seed ${seed}`,
      ).toBe(true);
      expect(simulation.violations).toEqual([]);
    }
  });
});
