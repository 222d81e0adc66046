/** The SDK service scheduler in the simulator: config updates, scaling, restarts and uninstall. */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../kernel/src/index.js';
import type { ServiceScheduler } from '../../../kernel/src/sdk/serviceScheduler.js';
import { conversions, node, scenario, start } from './serviceHarness.js';

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
