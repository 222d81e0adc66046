/**
 * Invariant checkers for a Master, cheap enough to run after every step.
 * Each returns violations as data (never throws) so simulations can report
 * them and property tests can print the seed that produced them:
 * - conservation: per agent, free + outstanding offers + live tasks = total
 *   (so no agent is over-committed and no resource is in two offers);
 * - allocation: each client's sorter allocation = its offers + live tasks;
 * - quota: no role's consumed quota exceeds its limit;
 * - reservations: reserved resources are offered only within their role subtree;
 * - drf-order: in the recorded decisions, each offer went to the first client
 *   in DRF order that had no reason to be skipped, and that order is sorted.
 */
import type { Master } from '../master/master.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { addResourceSets, allScalarsInto, emptyResourceSet } from '../resources/resourceSet.js';
import { rangesCount } from '../resources/ranges.js';
import { equals, SCALAR_EPSILON } from '../resources/vector.js';
import { isSelfOrAncestor } from '../roles/roleName.js';
import { releasesResources } from '../tasks/taskState.js';
import { checkDrfOrder } from './drfOrder.js';

export interface Violation {
  invariant: string;
  message: string;
}

export function checkInvariants(master: Master): Violation[] {
  return [...checkConservation(master), ...checkClientAllocations(master), ...checkQuotaLimits(master), ...checkReservedOffers(master), ...checkDrfOrder(master)];
}

function heldByAgent(master: Master): Map<string, ResourceSet> {
  const size = master.layout.size;
  const held = new Map<string, ResourceSet>();
  const add = (agentId: string, resources: ResourceSet): void => {
    held.set(agentId, addResourceSets(held.get(agentId) ?? emptyResourceSet(size), resources));
  };
  for (const offer of master.offers.all()) add(offer.agentId, offer.resources);
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) if (!releasesResources(task.state)) add(task.agentId, task.resources);
  }
  return held;
}

export function checkConservation(master: Master): Violation[] {
  const violations: Violation[] = [];
  const held = heldByAgent(master);
  for (const agent of master.agents.values()) {
    const accounted = addResourceSets(agent.free, held.get(agent.id) ?? emptyResourceSet(master.layout.size));
    const total = agent.total;
    const totalAll = allScalarsInto(master.layout.zero(), total);
    const accountedAll = allScalarsInto(master.layout.zero(), accounted);
    const portsMatch = rangesCount(accounted.ports) === rangesCount(total.ports) && accounted.reserved.every((p) => rangesCount(p.ports) <= rangesCount(total.reserved.find((t) => t.key === p.key)?.ports ?? []));
    if (!equals(totalAll, accountedAll) || !portsMatch) {
      violations.push({
        invariant: 'conservation',
        message: `agent ${agent.id}: free + offers + tasks = ${JSON.stringify(master.layout.quantities(accountedAll))} (${rangesCount(accounted.ports)} ports) but total is ${JSON.stringify(master.layout.quantities(totalAll))} (${rangesCount(total.ports)} ports)`,
      });
    }
    for (let slot = 0; slot < agent.freeScalars.length; slot++) {
      if (agent.freeScalars[slot] < -SCALAR_EPSILON) violations.push({ invariant: 'conservation', message: `agent ${agent.id}: negative free ${master.layout.names[slot]}` });
    }
  }
  return violations;
}

export function checkClientAllocations(master: Master): Violation[] {
  const violations: Violation[] = [];
  const expected = new Map<number, Float64Array>();
  const add = (clientIndex: number, resources: ResourceSet): void => {
    let vector = expected.get(clientIndex);
    if (!vector) expected.set(clientIndex, (vector = master.layout.zero()));
    const all = allScalarsInto(master.layout.zero(), resources);
    for (let i = 0; i < vector.length; i++) vector[i] += all[i];
  };
  for (const offer of master.offers.all()) add(offer.clientIndex, offer.resources);
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) {
      if (!releasesResources(task.state)) add(framework.clients.get(task.role)!.index, task.resources);
    }
  }
  for (const client of master.allocator.clients()) {
    const want = expected.get(client.index) ?? master.layout.zero();
    if (!equals(client.node.allocation, want)) {
      violations.push({
        invariant: 'allocation',
        message: `framework ${client.frameworkId} in role ${client.role.name}: sorter holds ${JSON.stringify(master.layout.quantities(client.node.allocation))}, offers + tasks hold ${JSON.stringify(master.layout.quantities(want))}`,
      });
    }
  }
  return violations;
}

export function checkQuotaLimits(master: Master): Violation[] {
  const violations: Violation[] = [];
  const quota = master.allocator.quota;
  for (const role of quota.roles()) {
    const limits = quota.quotaOf(role)?.limit ?? {};
    const consumed = master.layout.quantities(quota.consumed(role));
    for (const [name, limit] of Object.entries(limits)) {
      if ((consumed[name] ?? 0) > limit + SCALAR_EPSILON) {
        violations.push({ invariant: 'quota', message: `role ${role} consumes ${consumed[name]} ${name}, above its limit ${limit}` });
      }
    }
  }
  return violations;
}

export function checkReservedOffers(master: Master): Violation[] {
  const violations: Violation[] = [];
  for (const offer of master.offers.all()) {
    for (const part of offer.resources.reserved) {
      if (!isSelfOrAncestor(part.role, offer.role)) {
        violations.push({ invariant: 'reservations', message: `offer ${offer.id} to role ${offer.role} holds resources reserved for ${part.role}` });
      }
    }
  }
  return violations;
}
