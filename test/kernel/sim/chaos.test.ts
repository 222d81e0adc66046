/**
 * Seeded fault injection: generated `chaos:<seed>` scenarios (crashes,
 * restarts, partitions, heals, task failures, master failovers) run with every
 * invariant checked after every master step, until at least 100,000 steps.
 * A failure names its seed and the command that replays it exactly.
 * ALLOT_CHAOS_SEED=<n> starts from another seed; ALLOT_CHAOS_STEPS=<n> changes the budget.
 */
import { describe, expect, it } from 'vitest';
import { findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';

const FIRST_SEED = Number(process.env.ALLOT_CHAOS_SEED ?? 1);
const STEPS_MIN = Number(process.env.ALLOT_CHAOS_STEPS ?? 100_000);

describe('fault injection', () => {
  it(`keeps every invariant through ${STEPS_MIN} simulated steps of crashes, partitions and failovers`, () => {
    let steps = 0;
    let runs = 0;
    for (let seed = FIRST_SEED; steps < STEPS_MIN; seed++) {
      const parsed = parseScenario(findBuiltinScenario(`chaos:${seed}`));
      if (!parsed.ok) throw new Error(`chaos:${seed} does not validate: ${JSON.stringify(parsed.errors)}`);
      const simulation = new Simulation(parsed.scenario, { invariants: 'step' });
      simulation.runUntil(parsed.scenario.durationMs);
      const violations = [
        ...simulation.violations,
        ...simulation.lostUpdates().map((message) => ({ atMs: simulation.nowMs, invariant: 'status-updates', message })),
      ];
      if (violations.length > 0) {
        const replay = `npx allot simulate chaos:${seed}    (or ALLOT_CHAOS_SEED=${seed} npx vitest run test/kernel/sim/chaos.test.ts)`;
        expect.fail(`seed ${seed}: ${violations.length} invariant violations, first: ${JSON.stringify(violations[0])}\nreplay: ${replay}`);
      }
      steps += simulation.steps;
      runs++;
    }
    expect(steps).toBeGreaterThanOrEqual(STEPS_MIN);
    console.log(`fault injection: ${runs} seeded runs from seed ${FIRST_SEED}, ${steps} master steps, invariants checked after each`);
  });
});
