/**
 * Invariant checkers for a Master, cheap enough to run after every step.
 * Each returns violations as data (never throws) so simulations can report
 * them and property tests can print the seed that produced them:
 * - conservation: per agent, free + outstanding offers + live tasks = total
 *   (so no agent is over-committed and no resource is in two offers);
 * - allocation: each client's sorter allocation = its offers + live tasks;
 * - quota: no role's consumed quota exceeds its limit (or, as a step law, no
 *   allocation raises it above), and the quota and headroom ledgers equal
 *   what reservations, offers and live tasks add up to;
 * - reservations: reserved resources are offered only within their role subtree;
 * - drf-order: in the recorded decisions, each offer went to the first client
 *   in DRF order that had no reason to be skipped, and that order is sorted;
 * - sorters: every sorter's structure holds (each client in exactly one
 *   position, lists sorted, no negative allocation; Sorter.check).
 */
import type { Master } from '../master/master.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { addResourceSets, allScalarsInto, emptyResourceSet } from '../resources/resourceSet.js';
import { rangesCount } from '../resources/ranges.js';
import { equals, SCALAR_EPSILON } from '../resources/vector.js';
import { isSelfOrAncestor, topLevelRole } from '../roles/roleName.js';
import { releasesResources } from '../tasks/taskState.js';
import { checkDrfOrder } from './drfOrder.js';

export interface Violation {
  invariant: string;
  message: string;
}

export function checkInvariants(master: Master): Violation[] {
  return [
    ...checkConservation(master),
    ...checkClientAllocations(master),
    ...checkQuotaLimits(master),
    ...checkQuotaAccounting(master),
    ...checkReservedOffers(master),
    ...checkDrfOrder(master),
    ...checkSorters(master),
  ];
}

export function checkSorters(master: Master): Violation[] {
  const violations: Violation[] = [];
  const sorters: Array<{ name: string; sorter: { check(): void } }> = [{ name: 'role sorter', sorter: master.allocator.roleSorter }];
  for (const role of master.allocator.roles.values())
    sorters.push({ name: `framework sorter of role ${role.name}`, sorter: role.frameworkSorter });
  for (const { name, sorter } of sorters) {
    try {
      sorter.check();
    } catch (error) {
      violations.push({ invariant: 'sorters', message: `${name}: ${(error as Error).message}` });
    }
  }
  return violations;
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
    const portsMatch =
      rangesCount(accounted.ports) === rangesCount(total.ports) &&
      accounted.reserved.every((p) => rangesCount(p.ports) <= rangesCount(total.reserved.find((t) => t.key === p.key)?.ports ?? []));
    if (!equals(totalAll, accountedAll) || !portsMatch) {
      violations.push({
        invariant: 'conservation',
        message: `agent ${agent.id}: free + offers + tasks = ${JSON.stringify(master.layout.quantities(accountedAll))} (${rangesCount(accounted.ports)} ports) but total is ${JSON.stringify(master.layout.quantities(totalAll))} (${rangesCount(total.ports)} ports)`,
      });
    }
    for (let slot = 0; slot < agent.freeScalars.length; slot++) {
      if (agent.freeScalars[slot] < -SCALAR_EPSILON)
        violations.push({ invariant: 'conservation', message: `agent ${agent.id}: negative free ${master.layout.names[slot]}` });
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

/**
 * The state form of the quota law: consumed <= limit. It holds while
 * consumption can only grow through allocation; an agent with reservations
 * that joins (or returns) later, or a limit lowered by the operator, may push
 * a role above its limit without any allocation (as in Mesos). For such runs
 * use `quotaLimitLaw`, which checks what the allocator controls.
 */
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

/** Commands by which an agent brings tasks back: the master takes them whatever the quota (as Mesos does). */
const TASKS_COME_BACK = new Set(['agent.add', 'agent.reregister']);

/**
 * The step form of the quota law: no step raises a role's unreserved
 * allocation (offers + live tasks) while leaving its consumption (that
 * allocation + the subtree's reservations on registered agents) above a limit.
 * Tasks an agent reports when it registers again were running all along, so
 * in such a step (given by `step`) they do not count as a raise.
 * Returns a checker with memory, to call after every step of one master from
 * its start.
 */
export function quotaLimitLaw(): (master: Master, step?: { command: { type: string } }) => Violation[] {
  let previous = new Map<string, Float64Array>();
  let previousTasks = new Set<string>();
  return (master, step) => {
    const comeBack = step !== undefined && TASKS_COME_BACK.has(step.command.type);
    const liveTasks = new Set<string>();
    const returned = new Map<string, Float64Array>();
    const violations: Violation[] = [];
    const layout = master.layout;
    const unreserved = new Map<string, Float64Array>();
    const reserved = new Map<string, Float64Array>();
    const add = (map: Map<string, Float64Array>, role: string, scalars: Float64Array): void => {
      const top = topLevelRole(role);
      let vector = map.get(top);
      if (!vector) map.set(top, (vector = layout.zero()));
      for (let i = 0; i < vector.length; i++) vector[i] += scalars[i];
    };
    for (const agent of master.agents.values()) for (const part of agent.total.reserved) add(reserved, part.role, part.scalars);
    for (const offer of master.offers.all()) add(unreserved, offer.role, offer.resources.scalars);
    for (const framework of master.frameworks.values()) {
      for (const task of framework.tasks.values()) {
        if (releasesResources(task.state)) continue;
        const key = `${framework.id}\u0000${task.id}`;
        liveTasks.add(key);
        add(unreserved, task.role, task.resources.scalars);
        if (comeBack && !previousTasks.has(key)) add(returned, task.role, task.resources.scalars);
      }
    }
    for (const role of master.allocator.quota.roles()) {
      const now = unreserved.get(role)?.slice() ?? layout.zero();
      const back = returned.get(role);
      if (back) for (let i = 0; i < now.length; i++) now[i] -= back[i];
      const before = previous.get(role) ?? layout.zero();
      const held = reserved.get(role) ?? layout.zero();
      for (const [name, limit] of Object.entries(master.allocator.quota.quotaOf(role)?.limit ?? {})) {
        const slot = layout.slotOf(name);
        if (slot < 0 || now[slot] <= before[slot] + SCALAR_EPSILON || now[slot] + held[slot] <= limit + SCALAR_EPSILON) continue;
        violations.push({
          invariant: 'quota',
          message: `role ${role}: allocation raised unreserved ${name} from ${before[slot]} to ${now[slot]}; with ${held[slot]} reserved that is above its limit ${limit}`,
        });
      }
    }
    previous = unreserved;
    previousTasks = liveTasks;
    return violations;
  };
}

/**
 * The ledgers behind quota and headroom, recomputed: consumed quota of a
 * top-level role = every static reservation in its subtree on a registered
 * agent + the unreserved scalars of its subtree's offers and live tasks; the
 * allocator's unreserved free total = the sum of the agents' free scalars.
 */
export function checkQuotaAccounting(master: Master): Violation[] {
  const violations: Violation[] = [];
  const layout = master.layout;
  const expected = new Map<string, Float64Array>();
  const add = (role: string, scalars: Float64Array): void => {
    const top = topLevelRole(role);
    let vector = expected.get(top);
    if (!vector) expected.set(top, (vector = layout.zero()));
    for (let i = 0; i < vector.length; i++) vector[i] += scalars[i];
  };
  const free = layout.zero();
  for (const agent of master.agents.values()) {
    for (const part of agent.total.reserved) add(part.role, part.scalars);
    for (let i = 0; i < free.length; i++) free[i] += agent.freeScalars[i];
  }
  for (const offer of master.offers.all()) add(offer.role, offer.resources.scalars);
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) if (!releasesResources(task.state)) add(task.role, task.resources.scalars);
  }
  const quota = master.allocator.quota;
  for (const role of new Set([...expected.keys(), ...quota.roles()])) {
    const want = expected.get(role) ?? layout.zero();
    const have = quota.consumed(role);
    if (!equals(have, want)) {
      violations.push({
        invariant: 'quota',
        message: `role ${role}: the quota ledger holds ${JSON.stringify(layout.quantities(have))}, reservations + offers + tasks hold ${JSON.stringify(layout.quantities(want))}`,
      });
    }
  }
  if (!equals(master.allocator.freeUnreserved, free)) {
    violations.push({
      invariant: 'quota',
      message: `headroom: the allocator counts ${JSON.stringify(layout.quantities(master.allocator.freeUnreserved))} unreserved free, the agents have ${JSON.stringify(layout.quantities(free))}`,
    });
  }
  return violations;
}

export function checkReservedOffers(master: Master): Violation[] {
  const violations: Violation[] = [];
  for (const offer of master.offers.all()) {
    for (const part of offer.resources.reserved) {
      if (!isSelfOrAncestor(part.role, offer.role)) {
        violations.push({
          invariant: 'reservations',
          message: `offer ${offer.id} to role ${offer.role} holds resources reserved for ${part.role}`,
        });
      }
    }
  }
  return violations;
}
