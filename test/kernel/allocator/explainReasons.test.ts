/**
 * Every reason, not the first one: a framework that is suppressed, on an
 * agent that is draining or in a maintenance window, gets each reason listed
 * (codes with a sentence); the matrix counts agents by outcome.
 */
import { describe, expect, it } from 'vitest';
import { explainAllocation } from '../../../kernel/src/allocator/explain.js';
import { explainMatrix } from '../../../kernel/src/allocator/explainMatrix.js';
import { formatScenarioErrors, parseScenario } from '../../../kernel/src/sim/scenario.js';
import { Simulation } from '../../../kernel/src/sim/simulation.js';

function simulation(faults: unknown[]): Simulation {
  const result = parseScenario({
    name: 'explain',
    durationMs: 10_000,
    agents: [
      { id: 'a1', resources: { cpus: 4, mem: 4096 } },
      { id: 'a2', resources: { cpus: 4, mem: 4096 } },
      { id: 'a3', resources: { cpus: 4, mem: 4096 } },
    ],
    frameworks: [{ id: 'F', role: 'r', kind: 'batch', tasks: { count: 1, resources: { cpus: 1, mem: 128 }, durationMs: null } }],
    faults,
  });
  if (!result.ok) throw new Error(formatScenarioErrors(result.errors));
  return new Simulation(result.scenario, { decisionCycles: 2 });
}

const codes = (reasons: readonly { code: string }[]) => reasons.map((reason) => reason.code);

describe('explain reasons', () => {
  it('lists suppressed, draining and maintenance together', () => {
    const sim = simulation([
      { atMs: 2000, type: 'framework.suppress', framework: 'F' },
      { atMs: 2000, type: 'agent.drain', agent: 'a2' },
      { atMs: 2000, type: 'maintenance.schedule', agents: ['a2'], startsInMs: 60_000 },
    ]);
    sim.runUntil(5000);
    const explanation = explainAllocation(sim.master, 'F', 'a2');
    expect(codes(explanation.reasons)).toEqual(expect.arrayContaining(['SUPPRESSED', 'AGENT_DRAINING', 'AGENT_IN_MAINTENANCE']));
    expect(explanation.reasons.find((reason) => reason.code === 'AGENT_IN_MAINTENANCE')!.message).toMatch(/is DRAINING for maintenance/);
  });

  it('puts what stops offers now before an offer the log remembers', () => {
    const sim = simulation([{ atMs: 2500, type: 'agent.drain', agent: 'a1' }]);
    sim.runUntil(5000);
    const found = codes(explainAllocation(sim.master, 'F', 'a1').reasons);
    // F placed its one task and suppressed; a1 drains: both stop offers and come before anything the log holds.
    expect(found.slice(0, 2).sort()).toEqual(['AGENT_DRAINING', 'SUPPRESSED']);
  });

  it('puts an offer first and counts outcomes per framework in the matrix', () => {
    const sim = simulation([]);
    sim.runUntil(3000);
    const matrix = explainMatrix(sim.master);
    expect(matrix.frameworks).toEqual(['F']);
    expect(matrix.agents).toEqual(['a1', 'a2', 'a3']);
    expect(matrix.cells).toHaveLength(3);
    const total = Object.values(matrix.summary.F).reduce((sum, count) => sum + (count ?? 0), 0);
    expect(total).toBe(3);
    for (const cell of matrix.cells) expect(cell.outcome).toBe(cell.reasons[0].code);
  });

  it('names unknown frameworks and agents', () => {
    const sim = simulation([]);
    sim.runUntil(1000);
    expect(codes(explainAllocation(sim.master, 'nobody', 'nowhere').reasons)).toEqual(['FRAMEWORK_UNKNOWN', 'AGENT_UNKNOWN']);
  });
});
