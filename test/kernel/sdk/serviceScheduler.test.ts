/**
 * The SDK service scheduler end to end in the simulator (issue 4, "done when"):
 * 4 agents of cpus 4, mem 8192, disk 20480; pod `node`, count 3, UNIQUE
 * hostname; cpus 1, mem 2048 and a 5000 MB ROOT volume per node; serial deploy.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent, ScenarioInput } from '../../../kernel/src/index.js';
import { buildReport, parseScenario, Simulation } from '../../../kernel/src/index.js';
import type { ServiceScheduler } from '../../../kernel/src/sdk/serviceScheduler.js';

const node = (overrides: Record<string, unknown> = {}) => ({
  type: 'node',
  count: 3,
  placement: [['hostname', 'UNIQUE']],
  volumes: [{ type: 'ROOT', containerPath: 'data', sizeMb: 5000 }],
  tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessDelayMs: 10_000 }],
  ...overrides,
});

function scenario(
  faults: unknown[] = [],
  pod: Record<string, unknown> = {},
  service: Record<string, unknown> = {},
  durationMs = 200_000,
): ScenarioInput {
  return {
    name: 'sdk',
    durationMs,
    agents: [{ id: 'agent', count: 4, resources: { cpus: 4, mem: 8192, disk: 20480 } }],
    frameworks: [
      { id: 'db', role: 'db', kind: 'stateful', flavor: 'cassandra', service: { name: 'cassandra', pods: [node(pod)], ...service } },
    ],
    faults: faults as ScenarioInput['faults'],
  } as ScenarioInput;
}

function start(input: ScenarioInput) {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (e) => events.push(e) });
  const scheduler = simulation.frameworks.get('db') as ServiceScheduler;
  const steps = () =>
    Object.fromEntries(
      scheduler
        .plans()
        .find((p) => p.name === 'deploy')!
        .phases.flatMap((phase) => phase.steps.map((s) => [s.name.split(':')[0], s.status])),
    );
  return { simulation, scheduler, events, steps };
}

const conversions = (events: KernelEvent[], after = -1) =>
  events.flatMap((e) => (e.type === 'resources.converted' && e.atMs > after ? [`${e.operation}@${e.agentId}`] : []));
const launches = (events: KernelEvent[], after = -1) =>
  events.flatMap((e) => (e.type === 'task.launched' && e.atMs > after ? [e.agentId] : []));

describe('deploy', () => {
  it('reserves, creates and launches each node in turn; STARTED until ready, then COMPLETE; three hosts, the fourth untouched', () => {
    const { simulation, scheduler, events, steps } = start(scenario());
    simulation.runUntil(1000);
    expect(steps()).toEqual({ 'node-0': 'STARTED', 'node-1': 'PENDING', 'node-2': 'PENDING' });
    expect(conversions(events)).toEqual([
      'RESERVE@' + launches(events)[0],
      'RESERVE@' + launches(events)[0],
      'CREATE@' + launches(events)[0],
    ]);
    simulation.runUntil(11_000);
    expect(steps()['node-0']).toBe('COMPLETE');
    simulation.runUntil(60_000);
    expect(steps()).toEqual({ 'node-0': 'COMPLETE', 'node-1': 'COMPLETE', 'node-2': 'COMPLETE' });
    expect(scheduler.plans().find((p) => p.name === 'deploy')!.status).toBe('COMPLETE');
    const hosts = launches(events);
    expect(new Set(hosts).size).toBe(3);
    expect(conversions(events).filter((c) => c.startsWith('CREATE'))).toHaveLength(3);
    const untouched = ['agent-1', 'agent-2', 'agent-3', 'agent-4'].filter((a) => !hosts.includes(a));
    expect(untouched).toHaveLength(1);
    expect(simulation.master.agents.get(untouched[0])!.total.reserved).toEqual([]);
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });
});

describe('recovery', () => {
  it('transient failure: relaunch on the same agent with no new RESERVE or CREATE; failures back off; restart clears the delay', () => {
    const { simulation, scheduler, events } = start(scenario([{ atMs: 60_000, type: 'task.fail', framework: 'db', task: undefined }]));
    simulation.runUntil(59_000);
    const before = conversions(events).length;
    const instanceAgent = (name: string) => scheduler.instances.get(name)!.agentId;
    const agentsBefore = Object.fromEntries([0, 1, 2].map((i) => [`node-${i}`, instanceAgent(`node-${i}`)]));
    simulation.runUntil(61_000);
    const failed = [...scheduler.instances.values()].find((i) => i.delayedUntilMs !== null)!;
    expect(failed.delayedUntilMs! - 60_000).toBe(60_000); // SDK backoff: 60 s first
    simulation.runUntil(140_000);
    expect(conversions(events).length).toBe(before); // no RESERVE, no CREATE
    expect(instanceAgent(failed.name)).toBe(agentsBefore[failed.name]);
    expect(scheduler.instances.get(failed.name)!.tasks.server.state).toBe('TASK_RUNNING');
    const recovery = scheduler.plans().find((p) => p.name === 'recovery')!;
    expect(recovery.status).toBe('COMPLETE');
  });

  it('repeated failures back off by 1.15 each, and a pod restart clears the delay at once', () => {
    const { simulation, scheduler } = start(scenario([], {}, { backoff: { initialMs: 10_000, factor: 1.15, maxMs: 300_000 } }));
    simulation.runUntil(60_000);
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const instance = scheduler.instances.get('node-0')!;
      simulation.inject({ atMs: simulation.nowMs, type: 'task.fail', framework: 'db', task: instance.tasks.server.taskId! });
      simulation.runUntil(simulation.nowMs + 1);
      delays.push(Math.round(instance.delayedUntilMs! - (simulation.nowMs - 1)));
      simulation.runUntil(instance.delayedUntilMs! + 15_000);
    }
    expect(delays).toEqual([10_000, 11_500, 13_225]);
    const instance = scheduler.instances.get('node-0')!;
    simulation.inject({ atMs: simulation.nowMs, type: 'task.fail', framework: 'db', task: instance.tasks.server.taskId! });
    simulation.runUntil(simulation.nowMs + 1);
    expect(instance.delayedUntilMs).not.toBeNull();
    simulation.inject({ atMs: simulation.nowMs, type: 'pod.restart', framework: 'db', pod: 'node-0' });
    expect(instance.delayedUntilMs).toBeNull();
    simulation.runUntil(simulation.nowMs + 3000);
    expect(instance.tasks.server.state).toBe('TASK_RUNNING');
  });

  it('permanent loss: after the failure timeout the node is replaced on the free agent with new reservations; old ones are cleaned up when the agent returns', () => {
    const { simulation, scheduler, events } = start(scenario([], {}, { failureTimeoutMs: 120_000 }));
    simulation.runUntil(60_000);
    const victim = scheduler.instances.get('node-1')!;
    const lostAgent = victim.agentId!;
    const freeAgent = ['agent-1', 'agent-2', 'agent-3', 'agent-4'].find(
      (a) => ![...scheduler.instances.values()].some((i) => i.agentId === a),
    )!;
    simulation.inject({ atMs: 60_000, type: 'agent.crash', agent: lostAgent });
    simulation.runUntil(60_000 + 75_000 + 120_000 + 20_000);
    expect(victim.agentId).toBe(freeAgent);
    expect(victim.tasks.server.state).toBe('TASK_RUNNING');
    expect(conversions(events, 60_000).filter((c) => c === `RESERVE@${freeAgent}` || c === `CREATE@${freeAgent}`)).toHaveLength(3);
    expect(simulation.master.agents.has(lostAgent)).toBe(false);
    simulation.inject({ atMs: simulation.nowMs, type: 'agent.restart', agent: lostAgent });
    simulation.runUntil(simulation.nowMs + 10_000);
    expect(conversions(events, 274_999)).toEqual(expect.arrayContaining([`DESTROY@${lostAgent}`, `UNRESERVE@${lostAgent}`]));
    expect(simulation.master.agents.get(lostAgent)!.total.reserved).toEqual([]);
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  }, 30_000);

  it('a partition-aware service does not wait for an unreachable task: it is replaced after the failure timeout', () => {
    const input = scenario([], {}, { failureTimeoutMs: 60_000 });
    (input.frameworks![0] as Record<string, unknown>).capabilities = ['PARTITION_AWARE'];
    const { simulation, scheduler } = start(input);
    simulation.runUntil(60_000);
    const victim = scheduler.instances.get('node-1')!;
    const lostAgent = victim.agentId!;
    simulation.inject({ atMs: 60_000, type: 'agent.crash', agent: lostAgent });
    simulation.runUntil(60_000 + 75_000 + 5_000);
    expect(victim.tasks.server.state).toBe('TASK_UNREACHABLE');
    expect(victim.agentId).toBe(lostAgent);
    simulation.runUntil(60_000 + 75_000 + 60_000 + 20_000);
    expect(victim.agentId).not.toBe(lostAgent);
    expect(victim.tasks.server.state).toBe('TASK_RUNNING');
    expect(scheduler.plans().find((p) => p.name === 'recovery')!.status).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  }, 30_000);

  it('a replaced pod whose old task comes back with its agent (a healed partition) has that task killed', () => {
    const input = scenario([], {}, { failureTimeoutMs: 60_000 }, 400_000);
    (input.frameworks![0] as Record<string, unknown>).capabilities = ['PARTITION_AWARE'];
    const { simulation, scheduler } = start(input);
    simulation.runUntil(60_000);
    const victim = scheduler.instances.get('node-1')!;
    const cutAgent = victim.agentId!;
    const oldTask = victim.tasks.server.taskId!;
    simulation.inject({ atMs: 60_000, type: 'network.partition', agents: [cutAgent] });
    simulation.runUntil(60_000 + 15_000 + 75_000 + 60_000 + 20_000);
    expect(victim.agentId).not.toBe(cutAgent);
    simulation.inject({ atMs: simulation.nowMs, type: 'network.heal', agents: [cutAgent] });
    simulation.runUntil(simulation.nowMs + 20_000);
    expect(simulation.master.frameworks.get('db')!.tasks.get(oldTask)?.state ?? 'TASK_KILLED').toBe('TASK_KILLED');
    expect(scheduler.log.some((entry) => entry.what === `killing ${oldTask}: no pod instance owns it`)).toBe(true);
    expect(victim.tasks.server.state).toBe('TASK_RUNNING');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  }, 30_000);

  it('pod replace moves the node at once', () => {
    const { simulation, scheduler } = start(scenario());
    simulation.runUntil(60_000);
    const victim = scheduler.instances.get('node-2')!;
    const from = victim.agentId;
    simulation.inject({ atMs: 60_000, type: 'pod.replace', framework: 'db', pod: 'node-2' });
    simulation.runUntil(90_000);
    expect(victim.agentId).not.toBe(from);
    expect(victim.tasks.server.state).toBe('TASK_RUNNING');
    expect(simulation.master.agents.get(from!)!.total.reserved).toEqual([]); // given back on the next offer
  });
});

describe('config updates', () => {
  const bigger = (extra: Record<string, unknown> = {}) => ({
    name: 'cassandra',
    pods: [node({ tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1.5, memMb: 2048, readinessDelayMs: 10_000 }], ...extra })],
    updateStrategy: { kind: 'canary', canaries: 2 },
  });

  it('canary update of cpus 1 -> 1.5: canary steps wait for continue; each relaunch reserves only the extra 0.5; interrupt stops before the next node', () => {
    const { simulation, scheduler, events, steps } = start(
      scenario([{ atMs: 60_000, type: 'service.update', framework: 'db', service: bigger() }]),
    );
    simulation.runUntil(70_000);
    expect(Object.values(steps())).toEqual(['WAITING', 'WAITING', 'PENDING']);
    expect(conversions(events, 60_000)).toEqual([]);
    simulation.inject({ atMs: 70_000, type: 'plan.continue', framework: 'db', plan: 'deploy', phase: 'node' });
    simulation.runUntil(90_000);
    expect(steps()['node-0']).toBe('COMPLETE');
    const reserves = events.filter((e) => e.type === 'resources.converted' && e.atMs > 60_000);
    expect(reserves.map((e) => (e.type === 'resources.converted' ? e.operation : ''))).toEqual(['RESERVE']);
    const node0 = scheduler.instances.get('node-0')!;
    const part = simulation.master.agents.get(node0.agentId!)!.total.reserved.find((p) => !p.volume)!;
    expect(simulation.master.layout.quantities(part.scalars)).toEqual({ cpus: 1.5, mem: 2048 });
    simulation.inject({ atMs: 90_000, type: 'plan.continue', framework: 'db', plan: 'deploy', phase: 'node' });
    simulation.runUntil(92_000);
    // Interrupted while node-1 updates: node-1 finishes, node-2 does not start.
    simulation.inject({ atMs: 92_000, type: 'plan.interrupt', framework: 'db', plan: 'deploy', phase: 'node' });
    simulation.runUntil(150_000);
    expect(steps()['node-1']).toBe('COMPLETE');
    expect(steps()['node-2']).toBe('WAITING');
    expect(scheduler.instances.get('node-2')!.configId).toBe(1);
    simulation.inject({ atMs: 150_000, type: 'plan.continue', framework: 'db', plan: 'deploy', phase: 'node' });
    simulation.runUntil(180_000);
    expect(steps()['node-2']).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });

  it('an invalid volume change leaves the plan in ERROR and the old target in force', () => {
    const changed = { name: 'cassandra', pods: [node({ volumes: [{ type: 'ROOT', containerPath: 'data', sizeMb: 9000 }] })] };
    const { simulation, scheduler } = start(scenario([{ atMs: 60_000, type: 'service.update', framework: 'db', service: changed }]));
    simulation.runUntil(70_000);
    const deploy = scheduler.plans().find((p) => p.name === 'deploy')!;
    expect(deploy.status).toBe('ERROR');
    expect(JSON.stringify(deploy)).toMatch(/volumes cannot change/);
    expect(scheduler.targetConfigId).toBe(1);
    expect(simulation.controlResults[0].result).toMatchObject({ ok: false, code: 'invalid_config' });
  });
});

describe('scaling', () => {
  it('3 -> 5 on 4 agents: the last node stays PREPARED with the placement reason; a new agent completes it', () => {
    const grown = { name: 'cassandra', pods: [node({ count: 5 })] };
    const { simulation, scheduler, steps } = start(
      scenario([
        { atMs: 60_000, type: 'service.update', framework: 'db', service: grown },
        { atMs: 150_000, type: 'agent.add', agent: { id: 'agent-5', resources: { cpus: 4, mem: 8192, disk: 20480 } } },
      ]),
    );
    simulation.runUntil(140_000);
    expect(steps()).toMatchObject({ 'node-3': 'COMPLETE', 'node-4': 'PREPARED' });
    const step = scheduler.plans().find((p) => p.name === 'deploy')!.phases[0].steps[4];
    expect(step.reasons.join('\n')).toMatch(/hostname:UNIQUE/);
    simulation.runUntil(190_000);
    expect(steps()['node-4']).toBe('COMPLETE');
    expect(scheduler.instances.get('node-4')!.agentId).toBe('agent-5');
  });

  it('scaling down needs allowDecommission', () => {
    const shrunk = { name: 'cassandra', pods: [node({ count: 2 })] };
    const { simulation, scheduler } = start(scenario([{ atMs: 60_000, type: 'service.update', framework: 'db', service: shrunk }]));
    simulation.runUntil(70_000);
    expect(scheduler.configErrors.join()).toMatch(/cannot shrink from 3 to 2 without allowDecommission/);
    const allowed = start(
      scenario(
        [
          {
            atMs: 60_000,
            type: 'service.update',
            framework: 'db',
            service: { name: 'cassandra', pods: [node({ count: 2, allowDecommission: true })] },
          },
        ],
        { allowDecommission: true },
      ),
    );
    allowed.simulation.runUntil(90_000);
    const node2 = allowed.scheduler.instances.get('node-2')!;
    expect(node2.decommissioned).toBe(true);
    expect(allowed.scheduler.plans().find((p) => p.kind === 'decommission')!.status).toBe('COMPLETE');
    const reservedAgents = [...allowed.simulation.master.agents.values()].filter((a) => a.total.reserved.length > 0);
    expect(reservedAgents).toHaveLength(2);
  });
});

describe('restarts, uninstall, essential tasks', () => {
  it('the failure clock survives a scheduler restart: the replacement keeps its deadline', () => {
    const { simulation, events } = start(scenario([], {}, { failureTimeoutMs: 120_000 }));
    simulation.runUntil(60_000);
    const scheduler0 = simulation.frameworks.get('db') as ServiceScheduler;
    const lostAgent = scheduler0.instances.get('node-1')!.agentId!;
    simulation.inject({ atMs: 60_000, type: 'agent.crash', agent: lostAgent });
    simulation.runUntil(200_000); // unreachable (and LOST) at 135 s: the clock starts there
    expect(scheduler0.instances.get('node-1')!.failedAtMs).toBe(135_000);
    simulation.inject({ atMs: 200_000, type: 'scheduler.restart', framework: 'db' });
    const restarted = simulation.frameworks.get('db') as ServiceScheduler;
    expect(restarted).not.toBe(scheduler0);
    expect(restarted.instances.get('node-1')!.failedAtMs).toBe(135_000);
    simulation.runUntil(300_000);
    const replacement = restarted.log.find((entry) => entry.what.startsWith('permanent replacement of node-1'));
    expect(replacement?.atMs).toBe(255_000); // 135 s + 120 s, not counted again from the restart
    expect(restarted.instances.get('node-1')!.tasks.server.state).toBe('TASK_RUNNING');
    expect(scheduler0.log.some((entry) => entry.atMs > 200_000)).toBe(false); // the old one stopped acting
    expect(events.filter((e) => e.type === 'framework.subscribed' && e.resubscribed).length).toBeGreaterThan(0);
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });

  it('uninstall decommissions every pod and gives every reservation and volume back', () => {
    const { simulation, scheduler } = start(scenario([{ atMs: 60_000, type: 'service.uninstall', framework: 'db' }]));
    simulation.runUntil(90_000);
    expect(scheduler.plans().find((p) => p.name === 'uninstall')!.status).toBe('COMPLETE');
    for (const agent of simulation.master.agents.values()) expect(agent.total.reserved).toEqual([]);
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });

  it('a non-essential task is relaunched alone; an essential one takes its pod down with it', () => {
    const twoTasks = {
      count: 1,
      tasks: [
        { name: 'server', goal: 'RUNNING', cpus: 1, memMb: 1024 },
        { name: 'metrics', goal: 'RUNNING', essential: false, cpus: 0.5, memMb: 256 },
      ],
    };
    const { simulation, scheduler, events } = start(scenario([], twoTasks, { backoff: { initialMs: 1000, factor: 1.15, maxMs: 300_000 } }));
    simulation.runUntil(30_000);
    const pod = scheduler.instances.get('node-0')!;
    const server = pod.tasks.server.taskId!;
    simulation.inject({ atMs: 30_000, type: 'task.fail', framework: 'db', task: pod.tasks.metrics.taskId! });
    simulation.runUntil(40_000);
    expect(pod.tasks.server.taskId).toBe(server); // untouched
    expect(pod.tasks.metrics.state).toBe('TASK_RUNNING');
    simulation.inject({ atMs: 40_000, type: 'task.fail', framework: 'db', task: server });
    simulation.runUntil(50_000);
    const killed = events.filter((e) => e.type === 'task.updated' && e.status.state === 'TASK_KILLED' && e.atMs >= 40_000);
    expect(killed).toHaveLength(1); // metrics went down with the server
    expect(pod.tasks.server.state).toBe('TASK_RUNNING');
    expect(pod.tasks.metrics.state).toBe('TASK_RUNNING');
  });
});

describe('custom plans', () => {
  const withBackup = {
    tasks: [
      { name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessDelayMs: 10_000 },
      { name: 'backup', goal: 'FINISH', cpus: 0.5, memMb: 512, durationMs: 5000 },
    ],
  };
  const plans = {
    plans: [
      {
        name: 'backup',
        strategy: { kind: 'serial' },
        phases: [{ name: 'backup', pod: 'node', tasks: ['backup'], strategy: { kind: 'serial' } }],
      },
    ],
  };

  it('start interrupted; deploy reserves for the sidecar but does not launch it; start with parameters runs it on each node; stop interrupts', () => {
    const { simulation, scheduler, events } = start(
      scenario(
        [
          { atMs: 60_000, type: 'plan.start', framework: 'db', plan: 'backup', parameters: { BUCKET: 's3://backups' } },
          { atMs: 61_000, type: 'plan.start', framework: 'db', plan: 'backup' },
        ],
        withBackup,
        plans,
      ),
    );
    simulation.runUntil(59_000);
    const view = () => scheduler.plans().find((p) => p.name === 'backup')!;
    expect(view().status).toBe('WAITING');
    expect(scheduler.instances.get('node-0')!.tasks.backup.taskId).toBeNull();
    const reserved = simulation.master.agents.get(scheduler.instances.get('node-0')!.agentId!)!.total.reserved.filter((p) => !p.volume);
    expect(reserved.map((p) => simulation.master.layout.quantities(p.scalars)).sort((a, b) => (a.cpus ?? 0) - (b.cpus ?? 0))).toEqual([
      { cpus: 0.5, mem: 512 },
      { cpus: 1, mem: 2048 },
    ]);
    simulation.runUntil(100_000);
    expect(view().status).toBe('COMPLETE');
    expect(simulation.controlResults.map((r) => (r.result as { message: string }).message)).toEqual([
      'started backup with BUCKET=s3://backups',
      'already done: backup is running',
    ]);
    const backups = events.flatMap((e) => (e.type === 'task.launched' && e.taskId.includes('backup') ? [e] : []));
    expect(backups).toHaveLength(3);
    const launched = simulation.master.frameworks.get('db')!.tasks.get(backups[0].taskId)!;
    expect((launched.data as { env?: Record<string, string> }).env).toMatchObject({ BUCKET: 's3://backups' });
    expect(scheduler.plans().find((p) => p.name === 'deploy')!.status).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });

  it('stop kills what the plan runs and interrupts it; a second stop is already done', () => {
    const long = { tasks: [withBackup.tasks[0], { ...withBackup.tasks[1], durationMs: 60_000 }] };
    const { simulation, scheduler } = start(
      scenario(
        [
          { atMs: 60_000, type: 'plan.start', framework: 'db', plan: 'backup' },
          { atMs: 65_000, type: 'plan.stop', framework: 'db', plan: 'backup' },
          { atMs: 66_000, type: 'plan.stop', framework: 'db', plan: 'backup' },
        ],
        long,
        plans,
      ),
    );
    simulation.runUntil(70_000);
    expect(scheduler.plans().find((p) => p.name === 'backup')!.status).toBe('WAITING');
    expect(simulation.controlResults.map((r) => (r.result as { changed: boolean }).changed)).toEqual([true, true, false]);
    expect(scheduler.instances.get('node-0')!.tasks.backup.state).toBe('TASK_KILLED');
    expect(scheduler.instances.get('node-0')!.tasks.server.state).toBe('TASK_RUNNING');
  });

  it('names unknown pods, tasks and RUNNING tasks in custom plans by path', () => {
    const bad = {
      plans: [
        {
          name: 'backup',
          phases: [
            { name: 'p', pod: 'nodes', tasks: ['backup'] },
            { name: 'q', pod: 'node', tasks: ['server', 'nope'] },
          ],
        },
      ],
    };
    const parsed = parseScenario(scenario([], withBackup, bad));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.path)).toEqual([
      '$.frameworks[0].service.plans[0].phases[0].pod',
      '$.frameworks[0].service.plans[0].phases[1].tasks[0]',
      '$.frameworks[0].service.plans[0].phases[1].tasks[1]',
    ]);
  });
});

describe('readiness checks and named deploy phases', () => {
  it('a step completes when the agent reports the readiness check passing; phases run with their own strategies', () => {
    const pod = {
      tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessCheck: { cmd: 'test -f ready', delaySeconds: 5 } }],
    };
    const service = {
      deployPlan: { strategy: { kind: 'serial' }, phases: [{ name: 'node-deploy', pod: 'node', strategy: { kind: 'parallel' } }] },
    };
    const { simulation, scheduler } = start(scenario([], pod, service));
    simulation.runUntil(3_000);
    const deploy = () => scheduler.plans().find((p) => p.name === 'deploy')!;
    expect(deploy().phases[0].name).toBe('node-deploy');
    expect(deploy().phases[0].steps.map((step) => step.status)).toEqual(['STARTED', 'STARTED', 'STARTED']);
    simulation.runUntil(10_000);
    expect(deploy().status).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });
});
