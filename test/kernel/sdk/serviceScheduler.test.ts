/**
 * The SDK service scheduler end to end in the simulator (issue 4, "done when"):
 * 4 agents of cpus 4, mem 8192, disk 20480; pod `node`, count 3, UNIQUE
 * hostname; cpus 1, mem 2048 and a 5000 MB ROOT volume per node; serial deploy.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../kernel/src/index.js';
import { conversions, launches, scenario, start } from './serviceHarness.js';

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
