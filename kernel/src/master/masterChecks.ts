/**
 * Assertions a checked master runs after every step (MasterOptions.checks):
 * for each agent whose resources moved in the step, free + offered + used =
 * total, counted as scalars with reservations folded in, where `offered` comes
 * from the offer book and `used` from the task registry (AgentLedgers); and no
 * free amount is negative or above the total. Cheap: only touched agents are
 * looked at, a few vectors each. A violation is a bug: it throws.
 */
import type { AgentRegistry } from '../agents/agentRegistry.js';
import type { ResourceLayout } from '../resources/layout.js';
import { allScalarsInto } from '../resources/resourceSet.js';

const RELATIVE_EPSILON = 1e-9;

export function checkMasterState(parts: { readonly agents: AgentRegistry; readonly layout: ResourceLayout }): void {
  const ledgers = parts.agents.table.ledgers;
  if (!ledgers) return;
  const size = parts.layout.size;
  const free = new Float64Array(size);
  const total = new Float64Array(size);
  for (const index of ledgers.takeTouched()) {
    const agent = parts.agents.byIndexOrNull(index);
    if (!agent) continue;
    allScalarsInto(free, agent.free);
    allScalarsInto(total, agent.total);
    const offered = ledgers.offered.buffer;
    const used = ledgers.used.buffer;
    for (let slot = 0; slot < size; slot++) {
      const accounted = free[slot] + offered[index * size + slot] + used[index * size + slot];
      const tolerance = 1e-6 + RELATIVE_EPSILON * total[slot];
      if (
        Math.abs(accounted - total[slot]) > tolerance ||
        free[slot] < -1e-6 ||
        agent.freeScalars[slot] > agent.total.scalars[slot] + tolerance
      ) {
        const name = parts.layout.names[slot];
        throw new Error(
          `agent ${agent.id}: ${name} free ${free[slot]} + offered ${offered[index * size + slot]} + used ${used[index * size + slot]} = ${accounted}, but total is ${total[slot]}`,
        );
      }
    }
  }
}
