/**
 * Running scenarios for the framework-kind tests: parse (throwing with the
 * errors when invalid), simulate with invariants checked after every step,
 * and collect the kernel events.
 */
import type { KernelEvent, ScenarioInput, SimulationReport } from '../../../kernel/src/index.js';
import { buildReport, findBuiltinScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';

export interface Run {
  report: SimulationReport;
  events: KernelEvent[];
  simulation: Simulation;
}

export function runScenario(input: ScenarioInput | string, untilMs?: number): Run {
  const parsed = parseScenario(typeof input === 'string' ? findBuiltinScenario(input) : input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (event) => events.push(event) });
  simulation.runUntil(untilMs ?? parsed.scenario.durationMs);
  return { report: buildReport(simulation), events, simulation };
}

export function detailsOf(report: SimulationReport, frameworkId: string): Record<string, unknown> {
  const framework = report.frameworks.find((f) => f.id === frameworkId);
  if (!framework?.details) throw new Error(`no details for ${frameworkId}`);
  return framework.details;
}

/** Path-and-message lines of a scenario that must not parse. */
export function errorsOf(input: unknown): string[] {
  const parsed = parseScenario(input);
  if (parsed.ok) throw new Error('expected the scenario to be rejected');
  return parsed.errors.map((error) => `${error.path}: ${error.message}`);
}
