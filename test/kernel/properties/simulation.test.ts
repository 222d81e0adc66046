/**
 * Simulator-level laws on random small scenarios (batch frameworks, static
 * reservations, quota, agent crashes / restarts / additions, task failures,
 * suppress / revive, role updates):
 * - no invariant violation after any master step over the whole run
 *   (`invariants: 'step'`, with the DRF-order check on the decision log);
 * - two runs of the same scenario give identical reports.
 * Replay a failure: ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run test/kernel/properties/simulation.test.ts
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { buildReport } from '../../../kernel/src/sim/report.js';
import { Simulation } from '../../../kernel/src/sim/simulation.js';
import type { Scenario } from '../../../kernel/src/sim/scenario.js';
import { assertLaw, scenarioArbitrary } from '../../../kernel/src/testing/index.js';
import { lawOptions } from './laws.js';

const FILE = 'test/kernel/properties/simulation.test.ts';

function run(scenario: Scenario): string {
  const simulation = new Simulation(scenario, { invariants: 'step', decisionCycles: 1 });
  simulation.runUntil(scenario.durationMs);
  const report = buildReport(simulation);
  if (report.invariantViolations.length > 0) {
    const lines = report.invariantViolations.slice(0, 10).map((v) => `  at ${v.atMs} ms [${v.invariant}] ${v.message}`);
    throw new Error(`${report.invariantViolations.length} invariant violation(s):\n${lines.join('\n')}`);
  }
  return JSON.stringify(report);
}

describe('simulation', () => {
  it('a random scenario runs without invariant violations, and two runs give identical reports', () => {
    const law = fc.property(scenarioArbitrary(), (scenario) => {
      const first = run(scenario);
      const second = run(scenario);
      if (first !== second) throw new Error(`reports differ:\n  first:  ${first}\n  second: ${second}`);
    });
    assertLaw('simulation', law, lawOptions(FILE));
  });
});
