/**
 * Maintenance in the simulator: a scenario schedules a window for an agent's
 * machine; the simulated frameworks accept the inverse offers, which drains
 * the agent (its tasks are killed); the machine goes DOWN and comes
 * back UP, and the agent registers again. Invariants hold after every step.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent } from '../../../kernel/src/index.js';
import { buildReport, findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';

describe('maintenance scenarios', () => {
  it('drains, takes down and brings back a machine ', () => {
    const base = findBuiltinScenario('agent-crash') as unknown as Record<string, unknown>;
    const scenario = {
      ...base,
      name: 'maintenance',
      faults: [
        { atMs: 30_000, type: 'maintenance.schedule', agents: ['agent-1'], startsInMs: 60_000, durationMs: 3_600_000 },
        { atMs: 90_000, type: 'maintenance.start', agents: ['agent-1'] },
        { atMs: 180_000, type: 'maintenance.stop', agents: ['agent-1'] },
      ],
    };
    const parsed = parseScenario(scenario);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const events: KernelEvent[] = [];
    const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (event) => events.push(event) });
    simulation.runUntil(parsed.scenario.durationMs);
    const report = buildReport(simulation);

    expect(report.invariantViolations).toEqual([]);
    const types: string[] = events.map((event) => event.type);
    const order = ['maintenance.scheduled', 'inverseOffer.made', 'inverseOffer.accepted', 'agent.draining', 'machine.down', 'machine.up'];
    for (const type of order) expect(types, type).toContain(type);
    const at = (type: string) => types.indexOf(type);
    expect(order.map(at)).toEqual([...order.map(at)].sort((a, b) => a - b));
    // The agent came back after STOP_MAINTENANCE.
    expect(events.some((event) => event.type === 'agent.added' && event.agentId === 'agent-1' && event.atMs >= 180_000)).toBe(true);
    // Only agent-1's tasks were killed by the drain (the batch model does not relaunch killed tasks).
    const killed = events.filter((event) => event.type === 'task.updated' && event.status.state === 'TASK_KILLED');
    expect(killed.length).toBeGreaterThan(0);
    for (const event of killed) expect(event.type === 'task.updated' && event.status.agentId).toBe('agent-1');
  });

  it('names a wrong maintenance fault field', () => {
    const base = findBuiltinScenario('agent-crash') as unknown as Record<string, unknown>;
    const parsed = parseScenario({ ...base, faults: [{ atMs: 1, type: 'maintenance.start', agents: ['nope'] }] });
    expect(parsed.ok).toBe(false);
  });
});
