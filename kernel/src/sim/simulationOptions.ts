import type { KernelEvent } from '../master/events.js';
import type { MasterOptions } from '../master/master.js';
import { createPrng } from '../prng.js';
import type { Scenario, ScenarioAgent } from './scenario.js';

export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Every kernel event, in order (for traces and the playground). */
  onEvent?: (event: KernelEvent) => void;
  /** Keep allocation decisions of this many recent cycles for `explain`. */
  decisionCycles?: number;
  /** When to run the invariant checkers: after every master step, after every tick, or never. */
  invariants?: 'step' | 'tick' | 'off';
  /** Master settings the scenario file does not carry (timeouts). */
  master?: Partial<
    Pick<MasterOptions, 'agentUnreachableTimeoutMs' | 'agentReregisterTimeoutMs' | 'killGracePeriodMs' | 'fastPaths' | 'checks'>
  >;
}

export interface InvariantViolation {
  atMs: number;
  invariant: string;
  message: string;
}

/** The master a scenario asks for; `overrides` carries what scenario files do not (timeouts). */
export function simulationMasterOptions(
  scenario: Scenario,
  seed: number,
  decisionCycles: number,
  overrides: Partial<MasterOptions> | undefined,
): MasterOptions {
  return {
    prng: createPrng(seed),
    resourceNames: scenarioResourceNames(scenario),
    allocationIntervalMs: scenario.allocationIntervalMs,
    roleSorter: scenario.allocator.roleSorter,
    frameworkSorter: scenario.allocator.frameworkSorter,
    fairSharingExcludedResourceNames: scenario.allocator.fairSharingExcludedResourceNames,
    minAllocatable: scenario.allocator.minAllocatable,
    offerTimeoutMs: scenario.allocator.offerTimeoutMs,
    decisionCycles,
    ...overrides,
  };
}

/** Every scalar name the scenario uses, so the master's layout has a slot for each. */
export function scenarioResourceNames(scenario: Scenario): string[] {
  const names = new Set<string>();
  const addAll = (quantities: Record<string, number> | undefined): void => {
    for (const name of Object.keys(quantities ?? {})) names.add(name);
  };
  const addAgent = (agent: ScenarioAgent): void => {
    addAll(agent.resources);
    for (const reservation of agent.reservations) addAll(reservation.resources);
  };
  scenario.agents.forEach(addAgent);
  for (const fault of scenario.faults) if (fault.type === 'agent.add') addAgent(fault.agent);
  for (const framework of scenario.frameworks) addAll(framework.tasks.resources);
  for (const role of scenario.roles) {
    addAll(role.quota?.guarantee);
    addAll(role.quota?.limit);
  }
  return [...names];
}
