import { type ScenarioError, type ScenarioResult, formatScenarioErrors, parseScenario } from '../../../kernel/src/sim/scenario.js';

/** The smallest valid scenario; tests spread their changes over it. */
export function minimal(): Record<string, unknown> {
  return {
    name: 'tiny',
    durationMs: 10000,
    agents: [{ id: 'agent', resources: { cpus: 4, mem: 4096 } }],
    frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 2, resources: { cpus: 1 } } }],
  };
}

export function errorsOf(input: unknown): ScenarioError[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.errors;
}

export function scenarioOf(result: ScenarioResult) {
  if (!result.ok) throw new Error(`expected a valid scenario:\n${formatScenarioErrors(result.errors)}`);
  return result.scenario;
}
