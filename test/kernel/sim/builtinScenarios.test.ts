/**
 * Every built-in scenario runs to its documented end state with no invariant
 * violations, checked after every master step.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent, SimulationReport } from '../../../kernel/src/index.js';
import { buildReport, builtinScenarios, findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';

function run(name: string): { report: SimulationReport; events: KernelEvent[]; simulation: Simulation } {
  const parsed = parseScenario(findBuiltinScenario(name));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (event) => events.push(event) });
  simulation.runUntil(parsed.scenario.durationMs);
  return { report: buildReport(simulation), events, simulation };
}

const tasksOf = (report: SimulationReport, id: string) => report.frameworks.find((f) => f.id === id)!.tasks;

/** State sequence of each task, from the events. */
function histories(events: KernelEvent[], frameworkId: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const event of events) {
    if (event.type === 'task.launched' && event.frameworkId === frameworkId) out.set(event.taskId, ['TASK_STAGING']);
    if (event.type !== 'task.updated' || event.status.frameworkId !== frameworkId) continue;
    const list = out.get(event.status.taskId) ?? [];
    if (list[list.length - 1] !== event.status.state) list.push(event.status.state);
    out.set(event.status.taskId, list);
  }
  return out;
}

describe('built-in scenarios', () => {
  it.each(builtinScenarios.map((scenario) => scenario.name))('%s runs with no invariant violations', (name) => {
    expect(run(name).report.invariantViolations).toEqual([]);
  });

  it('drf-paper: A runs 3 tasks and B 2, at dominant shares of 2/3 each', () => {
    const { report } = run('drf-paper');
    expect(tasksOf(report, 'A')).toEqual({ TASK_RUNNING: 3 });
    expect(tasksOf(report, 'B')).toEqual({ TASK_RUNNING: 2 });
    expect(report.frameworks.map((f) => f.dominantShare)).toEqual([0.6667, 0.6667]);
  });

  it('agent-crash: LOST for the ordinary framework, UNREACHABLE then GONE for the partition-aware one, relaunched elsewhere', () => {
    const { report, events } = run('agent-crash');
    expect(tasksOf(report, 'ordinary')).toEqual({ TASK_LOST: 2, TASK_RUNNING: 4 });
    expect(tasksOf(report, 'aware')).toEqual({ TASK_GONE: 2, TASK_RUNNING: 4 });
    const aware = [...histories(events, 'aware').values()].filter((states) => states.includes('TASK_GONE'));
    expect(aware).toEqual([
      ['TASK_STAGING', 'TASK_RUNNING', 'TASK_UNREACHABLE', 'TASK_GONE'],
      ['TASK_STAGING', 'TASK_RUNNING', 'TASK_UNREACHABLE', 'TASK_GONE'],
    ]);
    const relaunchedOn = events.flatMap((e) =>
      e.type === 'task.launched' && e.atMs > 30_000 && e.frameworkId === 'ordinary' ? [e.agentId] : [],
    );
    expect(relaunchedOn).toHaveLength(2);
    expect(relaunchedOn).not.toContain('agent-1');
  });

  it('partition-heal: tasks on the cut-off agents go UNREACHABLE and come back RUNNING', () => {
    const { report, events } = run('partition-heal');
    expect(tasksOf(report, 'service')).toEqual({ TASK_RUNNING: 8 });
    const returned = [...histories(events, 'service').values()].filter((states) => states.includes('TASK_UNREACHABLE'));
    expect(returned.length).toBeGreaterThan(0);
    for (const states of returned) expect(states).toEqual(['TASK_STAGING', 'TASK_RUNNING', 'TASK_UNREACHABLE', 'TASK_RUNNING']);
    expect(report.counters.tasksLaunched).toBe(8); // nothing was relaunched
  });

  it('master-failover: two failovers and every task still finishes', () => {
    const { report, simulation } = run('master-failover');
    expect(simulation.failovers).toBe(2);
    expect(tasksOf(report, 'spark')).toEqual({ TASK_FINISHED: 40 });
    expect(tasksOf(report, 'etl')).toEqual({ TASK_FINISHED: 20 });
    expect(report.counters.tasksLaunched).toBe(60);
  });

  it('persistent-volume: failed tasks come back on the same agent, reservation and volume, with no new RESERVE or CREATE', () => {
    const { report, events } = run('persistent-volume');
    expect(tasksOf(report, 'cassandra')).toEqual({ TASK_FAILED: 2, TASK_RUNNING: 3 });
    const conversions = events.flatMap((e) => (e.type === 'resources.converted' ? [e.operation] : []));
    expect(conversions.filter((op) => op === 'RESERVE')).toHaveLength(3);
    expect(conversions.filter((op) => op === 'CREATE')).toHaveLength(3);
    const launches = events.filter((e) => e.type === 'task.launched');
    const failedOn = events.flatMap((e) => (e.type === 'task.updated' && e.status.state === 'TASK_FAILED' ? [e.status.agentId] : []));
    const relaunchedOn = launches.slice(3).map((e) => (e.type === 'task.launched' ? e.agentId : ''));
    expect(relaunchedOn).toEqual(failedOn);
  });

  it('cassandra: serial deploy gated on joining the ring; a lost seed host is replaced on the spare agent and re-seeded; nothing leaks', () => {
    const { report, simulation } = run('cassandra');
    const framework = report.frameworks.find((f) => f.id === 'cassandra')!;
    expect(framework.tasks).toEqual({ TASK_LOST: 1, TASK_RUNNING: 3 });
    expect(report.plans.map((p) => [(p as { name: string }).name, (p as { status: string }).status])).toEqual([
      ['deploy', 'COMPLETE'],
      ['recovery', 'COMPLETE'],
    ]);
    const details = framework.details as { seeds: string[]; log: Array<{ what: string }> };
    expect(details.seeds).toEqual(['agent-1', 'agent-4']);
    expect(details.log.map((entry) => entry.what)).toContain(
      'permanent replacement of node-1 from agent-3 (failure timeout); re-seeding the ring',
    );
    expect(simulation.master.agents.get('agent-3')!.total.reserved).toEqual([]);
  });

  it('kafka: a canary config update reserves only the difference on each broker', () => {
    const { report, events } = run('kafka');
    const details = report.frameworks[0].details as { configId: number; instances: Array<{ configId: number }> };
    expect(details.configId).toBe(2);
    expect(details.instances.map((i) => i.configId)).toEqual([2, 2, 2]);
    const after = events.flatMap((e) => (e.type === 'resources.converted' && e.atMs >= 60_000 ? [e.operation] : []));
    expect(after).toEqual(['RESERVE', 'RESERVE', 'RESERVE']);
    const launched = events.flatMap((e) => (e.type === 'task.launched' && e.atMs >= 60_000 ? [e.atMs] : []));
    expect(launched[0]).toBeGreaterThanOrEqual(80_000); // the first canary waited for its continue
    expect(launched[1]).toBeGreaterThanOrEqual(100_000);
  });

  it('gives byte-identical reports for one seed', () => {
    for (const name of ['drf-paper', 'agent-crash', 'master-failover']) {
      expect(JSON.stringify(run(name).report)).toBe(JSON.stringify(run(name).report));
    }
  });
});
