/**
 * One call from a scenario to its report: build the simulation, run it to the
 * scenario's end (or `untilMs`), and report. Hosts that need more control
 * (stepping, the playground's rewind) use Simulation directly.
 */
import type { KernelEvent } from '../master/events.js';
import type { SimulationReport } from './report.js';
import { buildReport } from './report.js';
import type { Scenario } from './scenario.js';
import type { SimulationOptions } from './simulation.js';
import { Simulation } from './simulation.js';

export interface SimulateOptions extends SimulationOptions {
  /** Stop at this simulated time instead of the scenario's durationMs. */
  untilMs?: number;
  /** Called as simulated time advances, for progress bars. */
  onProgress?: (nowMs: number, endMs: number) => void;
}

export function simulate(scenario: Scenario, options: SimulateOptions = {}): SimulationReport {
  const simulation = new Simulation(scenario, { invariants: 'tick', ...options });
  const endMs = options.untilMs ?? scenario.durationMs;
  simulation.runUntil(endMs, options.onProgress ? (nowMs) => options.onProgress!(nowMs, endMs) : undefined);
  return buildReport(simulation);
}

export type { KernelEvent };
