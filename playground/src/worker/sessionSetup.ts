/**
 * What a session needs to start and replay a run: the roles the views list,
 * how many allocation cycles the decision log keeps, and fault injection that
 * reports what the kernel cannot simulate instead of throwing.
 */
import type { Scenario, ScenarioFault, Simulation } from '@allot/kernel';

/**
 * Decisions the allocator's log may hold (about one per agent and framework
 * per cycle): small clusters keep hundreds of cycles, so Explain can answer
 * for any cycle the Offers view still shows; 10,000 agents keep two.
 */
const DECISIONS_KEPT_MAX = 200_000;
const DECISION_CYCLES_MAX = 300;

/** The kernel throws for faults it does not simulate yet; the playground says so instead. */
export function safeInject(simulation: Simulation, fault: ScenarioFault): string | null {
  try {
    simulation.inject(fault);
    return null;
  } catch (error) {
    return `${fault.type} could not be injected: ${(error as Error).message}`;
  }
}

/** Every role the scenario names (its roles, its frameworks' roles, its reservations), in order of first mention. */
export function uniqueRoleNames(scenario: Scenario): string[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  scenario.roles.forEach((role) => add(role.name));
  scenario.frameworks.forEach((framework) => add(framework.role));
  scenario.agents.forEach((agent) => agent.reservations.forEach((reservation) => add(reservation.role)));
  return names;
}

/** As many recent cycles as fit in the decision budget (one decision per agent and framework), between 1 and 300. */
export function decisionCycles(scenario: Scenario): number {
  const agents = Math.max(1, scenario.agents.length);
  const frameworks = Math.max(1, scenario.frameworks.length);
  return Math.max(1, Math.min(DECISION_CYCLES_MAX, Math.floor(DECISIONS_KEPT_MAX / (agents * frameworks))));
}
