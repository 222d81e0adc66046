/**
 * One allocation cycle (Mesos `HierarchicalAllocatorProcess::__allocate`):
 * agents in a seeded shuffled order; stage 1 serves roles below their quota
 * guarantee, stage 2 serves everyone: per agent, roles in role-sorter order,
 * frameworks in their role's sorter order, and the first framework that is not
 * skipped gets everything the role may use on that agent. Sorter updates are
 * applied after each agent, as Mesos sorts once per agent.
 * Fast path: an agent whose last full walk offered nothing, and for which
 * nothing that walk depended on has changed, is skipped with a few compares.
 */
import type { Agent } from '../agents/agent.js';
import { shuffleInPlace } from '../prng.js';
import type { Ranges } from '../resources/ranges.js';
import { NO_RANGES } from '../resources/ranges.js';
import type { ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { allScalarsInto } from '../resources/resourceSet.js';
import { addInto, contains, isEmpty, minInto } from '../resources/vector.js';
import { isSelfOrAncestor } from '../roles/roleName.js';
import type { Allocator } from './allocator.js';
import type { Client, RoleState } from './client.js';
import type { AllocationDecision, CycleDecisions, DecisionOutcome } from './decisions.js';

export interface OfferGrant {
  readonly client: Client;
  readonly agent: Agent;
  readonly resources: ResourceSet;
}

export interface CycleStats {
  readonly cycle: number;
  readonly agentsConsidered: number;
  /** Agents the fast path proved had nothing for anyone. */
  readonly agentsSkipped: number;
  readonly offers: number;
}

const GPU_SLOT_NAME = 'gpus';

export class AllocationCycle {
  readonly #allocator: Allocator;
  readonly #offerScalars: Float64Array;
  readonly #offerTotal: Float64Array;
  readonly #limit: Float64Array;
  readonly #unmet: Float64Array;
  readonly #required: Float64Array;
  readonly #scratch: Float64Array;
  #offerPorts: Ranges = NO_RANGES;
  readonly #offerReserved: ReservedPart[] = [];
  #order = new Int32Array(0);
  #heldUntilMs = 0;
  #log: CycleDecisions | null = null;
  readonly #gpuSlot: number;

  constructor(allocator: Allocator) {
    this.#allocator = allocator;
    const size = allocator.layout.size;
    this.#offerScalars = new Float64Array(size);
    this.#offerTotal = new Float64Array(size);
    this.#limit = new Float64Array(size);
    this.#unmet = new Float64Array(size);
    this.#required = new Float64Array(size);
    this.#scratch = new Float64Array(size);
    this.#gpuSlot = allocator.layout.slotOf(GPU_SLOT_NAME);
  }

  run(nowMs: number, agents: readonly Agent[], grants: OfferGrant[]): CycleStats {
    const allocator = this.#allocator;
    const cycle = ++allocator.cycles;
    this.#log = allocator.decisionLog?.begin(cycle, nowMs) ?? null;
    if (this.#order.length < agents.length) this.#order = new Int32Array(agents.length * 2);
    const order = this.#order;
    for (let i = 0; i < agents.length; i++) order[i] = i;
    shuffleInPlace(order, agents.length, allocator.options.prng);
    const before = grants.length;
    let skipped = 0;
    if (allocator.quota.active && allocator.quota.anyUnmetGuarantee(this.#scratch)) {
      for (let i = 0; i < agents.length; i++) this.#walk(agents[order[i]], 1, nowMs, grants);
    }
    for (let i = 0; i < agents.length; i++) if (!this.#walk(agents[order[i]], 2, nowMs, grants)) skipped++;
    this.#log = null;
    return { cycle, agentsConsidered: agents.length, agentsSkipped: skipped, offers: grants.length - before };
  }

  /** Returns false when the agent was skipped without looking at any client. */
  #walk(agent: Agent, stage: 1 | 2, nowMs: number, grants: OfferGrant[]): boolean {
    const allocator = this.#allocator;
    if (!hasAllocatableScalars(agent)) return false;
    const fast = allocator.options.fastPaths && stage === 2;
    if (fast && this.#skipHolds(agent, nowMs)) return false;
    const first = grants.length;
    let heldMinMs = Infinity;
    const agentHasGpus = this.#gpuSlot >= 0 && agentTotalHas(agent, this.#gpuSlot);
    for (const roleBlock of allocator.roleSorter.orderedBlocks()) {
      for (const roleNode of roleBlock) {
        const role = roleNode.payload!;
        if (stage === 1 && !allocator.quota.unmetGuaranteeInto(this.#unmet, role.name)) continue;
        const roleOutcome = this.#offerableFor(role, agent, stage);
        if (roleOutcome !== null) {
          if (this.#log) this.#recordRole(role, agent, stage, roleOutcome);
          continue;
        }
        clients: for (const block of role.frameworkSorter.orderedBlocks()) {
          for (const node of block) {
            const client = node.payload!;
            const outcome = this.#evaluate(client, agent, agentHasGpus, nowMs);
            if (outcome === 'filtered' && this.#heldUntilMs < heldMinMs) heldMinMs = this.#heldUntilMs;
            if (this.#log) this.#record(client, agent, stage, outcome);
            if (outcome !== 'offered') continue;
            const resources = this.#takeOffer(client, agent);
            grants.push({ client, agent, resources });
            break clients;
          }
        }
      }
    }
    for (let i = first; i < grants.length; i++) {
      const grant = grants[i];
      allocator.chargeSorters(grant.client, allScalarsInto(this.#scratch, grant.resources), 1);
    }
    if (fast && grants.length === first) {
      agent.skipVersion = agent.version;
      agent.skipClientsEpoch = allocator.clientsEpoch;
      agent.skipQuotaEpoch = allocator.quota.epoch;
      agent.skipUntilMs = heldMinMs;
    }
    return true;
  }

  #skipHolds(agent: Agent, nowMs: number): boolean {
    return (
      agent.skipVersion === agent.version &&
      agent.skipClientsEpoch === this.#allocator.clientsEpoch &&
      agent.skipQuotaEpoch === this.#allocator.quota.epoch &&
      nowMs < agent.skipUntilMs
    );
  }

  /**
   * Fills the offerable scratch for a role on an agent: unreserved scalars
   * shrunk to quota limit and headroom, the role's (and its ancestors')
   * reservations, and unreserved ports. Null when something is offerable, else why not.
   */
  #offerableFor(role: RoleState, agent: Agent, stage: 1 | 2): DecisionOutcome | null {
    const allocator = this.#allocator;
    const quota = allocator.quota;
    const offer = this.#offerScalars;
    offer.set(agent.freeScalars);
    let quotaShrunk = false;
    if (quota.active) {
      if (quota.hasLimit(role.name)) minInto(offer, offer, quota.limitRemainingInto(this.#limit, role.name));
      quota.requiredHeadroomInto(this.#required, this.#scratch);
      const ownUnmet = quota.unmetGuaranteeInto(this.#unmet, role.name);
      for (let slot = 0; slot < offer.length; slot++) {
        const surplus = Math.max(0, allocator.freeUnreserved[slot] - this.#required[slot]);
        let cap: number;
        if (stage === 1) cap = quota.guaranteedSlot(role.name, slot) ? this.#unmet[slot] : surplus;
        else cap = this.#required[slot] > 0 ? surplus + (ownUnmet ? this.#unmet[slot] : 0) : Infinity;
        if (cap < offer[slot]) offer[slot] = cap;
      }
      quotaShrunk = !contains(offer, agent.freeScalars);
    }
    this.#offerReserved.length = 0;
    this.#offerTotal.set(offer);
    for (const part of agent.freeReserved) {
      if (!isSelfOrAncestor(part.role, role.name) || isEmpty(part.scalars)) continue;
      this.#offerReserved.push(part);
      addInto(this.#offerTotal, this.#offerTotal, part.scalars);
    }
    this.#offerPorts = agent.freePorts;
    if (!isEmpty(this.#offerTotal)) return null;
    return quotaShrunk ? 'quota_limit' : 'no_resources';
  }

  #evaluate(client: Client, agent: Agent, agentHasGpus: boolean, nowMs: number): DecisionOutcome {
    if (agentHasGpus && !client.capabilities.has('GPU_RESOURCES')) return 'missing_capability';
    if (!isAllocatable(this.#offerTotal, client.minAllocatable ?? this.#allocator.minAllocatable)) return 'not_allocatable';
    const held = this.#allocator.filters.heldUntil(
      agent.index,
      client.index,
      nowMs,
      this.#offerScalars,
      this.#offerPorts,
      this.#offerReserved,
    );
    if (held > 0) {
      this.#heldUntilMs = held;
      return 'filtered';
    }
    return 'offered';
  }

  #takeOffer(client: Client, agent: Agent): ResourceSet {
    const resources: ResourceSet = {
      scalars: this.#offerScalars.slice(),
      ports: this.#offerPorts,
      reserved: this.#offerReserved.map((part) => ({ ...part, scalars: part.scalars.slice() })),
    };
    agent.take(resources);
    this.#allocator.chargeQuota(client, resources, 1);
    return resources;
  }

  #record(client: Client, agent: Agent, stage: 1 | 2, outcome: DecisionOutcome): void {
    const decision: AllocationDecision = {
      cycle: this.#log!.cycle,
      atMs: this.#log!.atMs,
      stage,
      agentId: agent.id,
      frameworkId: client.frameworkId,
      role: client.role.name,
      outcome,
      share: client.node.share,
      roleShare: client.role.node.share,
      ...(outcome === 'filtered' ? { filteredUntilMs: this.#heldUntilMs } : {}),
    };
    this.#log!.decisions.push(decision);
  }

  #recordRole(role: RoleState, agent: Agent, stage: 1 | 2, outcome: DecisionOutcome): void {
    for (const block of role.frameworkSorter.orderedBlocks()) for (const node of block) this.#record(node.payload!, agent, stage, outcome);
  }
}

/** Resources are allocatable when they contain any one of the minimum alternatives. */
export function isAllocatable(total: Float64Array, minimums: readonly Float64Array[]): boolean {
  if (isEmpty(total)) return false;
  if (minimums.length === 0) return true;
  for (const minimum of minimums) if (contains(total, minimum)) return true;
  return false;
}

function hasAllocatableScalars(agent: Agent): boolean {
  if (!isEmpty(agent.freeScalars)) return true;
  for (const part of agent.freeReserved) if (!isEmpty(part.scalars)) return true;
  return false;
}

function agentTotalHas(agent: Agent, slot: number): boolean {
  if (agent.total.scalars[slot] > 0) return true;
  for (const part of agent.total.reserved) if (part.scalars[slot] > 0) return true;
  return false;
}
