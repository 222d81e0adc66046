/**
 * Assertions a checked master runs after every step (MasterOptions.checks):
 * for each agent whose resources moved in the step, free + offered + used =
 * total, counted as scalars with reservations folded in, where `offered` comes
 * from the offer book and `used` from the task registry (AgentLedgers); and no
 * free amount is negative or above the total. Cheap: only touched agents are
 * looked at, a few vectors each. A violation is a bug: it throws.
 */
import type { AgentRegistry } from '../agents/agentRegistry.js';
import { AGENT_HAS_FREE_RESERVED } from '../agents/agentTable.js';
import type { ResourceLayout } from '../resources/layout.js';

const RELATIVE_EPSILON = 1e-9;

export function checkMasterState(parts: { readonly agents: AgentRegistry; readonly layout: ResourceLayout }): void {
  const table = parts.agents.table;
  const ledgers = table.ledgers;
  if (!ledgers) return;
  const size = parts.layout.size;
  const free = new Float64Array(size);
  const hot = table.hot;
  const offered = ledgers.offered.buffer;
  const used = ledgers.used.buffer;
  const total = ledgers.total.buffer;
  for (const index of ledgers.takeTouched()) {
    const agent = parts.agents.byIndexOrNull(index);
    if (!agent) continue;
    // Free scalars with reservations folded in, from the agent's record (its reserved parts only when it has some).
    for (let slot = 0; slot < size; slot++) free[slot] = hot[index * table.stride + slot];
    if ((table.flags[index] & AGENT_HAS_FREE_RESERVED) !== 0)
      for (const part of agent.freeReserved) for (let slot = 0; slot < size; slot++) free[slot] += part.scalars[slot];
    const at = index * size;
    for (let slot = 0; slot < size; slot++) {
      const accounted = free[slot] + offered[at + slot] + used[at + slot];
      const tolerance = 1e-6 + RELATIVE_EPSILON * total[at + slot];
      if (Math.abs(accounted - total[at + slot]) > tolerance || free[slot] < -1e-6) {
        const name = parts.layout.names[slot];
        throw new Error(
          `agent ${agent.id}: ${name} free ${free[slot]} + offered ${offered[at + slot]} + used ${used[at + slot]} = ${accounted}, but total is ${total[at + slot]}`,
        );
      }
    }
  }
}
