/**
 * Generated scenarios are in the normalized form: `parseScenario` accepts each
 * one after a JSON round trip and gives back exactly the same scenario, and
 * their faults are the kinds the simulator runs today.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScenarioErrors, parseScenario } from '../../../kernel/src/sim/scenario.js';
import { scenarioArbitrary } from '../../../kernel/src/testing/index.js';

const SIMULATED_FAULTS = new Set([
  'agent.crash',
  'agent.restart',
  'agent.add',
  'task.fail',
  'framework.suppress',
  'framework.revive',
  'role.update',
]);

describe('scenarioArbitrary', () => {
  it('generates scenarios that parseScenario returns unchanged', () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const parsed = parseScenario(JSON.parse(JSON.stringify(scenario)));
        if (!parsed.ok) throw new Error(formatScenarioErrors(parsed.errors));
        expect(parsed.scenario).toStrictEqual(scenario);
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });

  it('only uses faults the simulator runs', () => {
    for (const scenario of fc.sample(scenarioArbitrary(), { numRuns: 200, seed: 7 })) {
      for (const fault of scenario.faults) expect(SIMULATED_FAULTS.has(fault.type), fault.type).toBe(true);
    }
  });
});
