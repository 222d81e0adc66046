/**
 * One allocation cycle (Mesos `HierarchicalAllocatorProcess::__allocate`):
 * agents in a seeded shuffled order; stage 1 serves roles below their quota
 * guarantee, stage 2 serves everyone: per agent, roles in role-sorter order,
 * frameworks in their role's sorter order, and the first framework that is not
 * skipped gets everything the role may use on that agent. Sorter updates are
 * applied after each agent, as Mesos sorts once per agent.
 * The cycle reads agents' hot state from the AgentTable by index and touches
 * an Agent object only for an agent it walks; offers go to an OfferSink as
 * (agent index, client, resources) without any object per offer.
 * Fast paths (property-tested against the plain path, `fastPaths: false`):
 * - an agent whose last full walk offered nothing, and for which nothing that
 *   walk depended on has changed, is skipped with a few compares;
 * - filters are tested through the "may be filtered" bitset, and the superset
 *   test runs once per (agent, refused set) in a walk;
 * - an agent on which every active client is filtered (its bitset row equals
 *   the active-client mask and every refused set covers what is offerable) is
 *   settled without walking the clients; a decline that completes the row
 *   settles it at once (`settleDeclined`), so the cycle after it reads only
 *   the skip key (skipKeys.ts).
 */
import type { Agent } from '../agents/agent.js';
import type { AgentTable } from '../agents/agentTable.js';
import { AGENT_HAS_FREE_RESERVED, AGENT_HAS_GPUS } from '../agents/agentTable.js';
import { shuffleInPlace } from '../prng.js';
import type { ReservedPart } from '../resources/resourceSet.js';
import { addInto, SCALAR_EPSILON } from '../resources/vector.js';
import type { Allocator } from './allocator.js';
import type { Client, RoleState } from './client.js';
import type { CycleAgents, OfferSink } from './cycleAgents.js';
import type { CycleDecisions, DecisionOutcome } from './decisions.js';
import {
  REASON_FILTERED,
  REASON_MISSING_CAPABILITY,
  REASON_NOT_ALLOCATABLE,
  REASON_NO_RESOURCES,
  REASON_OFFERED,
  REASON_QUOTA_LIMIT,
} from './decisions.js';
import { FilterWalk } from './filterWalk.js';
import { isAllocatable, Offerable } from './offerable.js';
import { SkipKeys } from './skipKeys.js';

export interface CycleStats {
  readonly cycle: number;
  readonly agentsConsidered: number;
  /** Agents the fast path proved had nothing for anyone. */
  readonly agentsSkipped: number;
  readonly offers: number;
}

const NO_PARTS: readonly ReservedPart[] = Object.freeze([]) as readonly ReservedPart[];

export class AllocationCycle {
  readonly #allocator: Allocator;
  readonly #offerable: Offerable;
  readonly #filters: FilterWalk;
  #order = new Int32Array(0);
  #log: CycleDecisions | null = null;
  #heldUntilMs = 0;
  #offers = 0;
  /** Grants of the agent being walked (client indices, and where each was in its role's order), charged to the sorters when its walk ends. */
  #pendingClients = new Int32Array(8);
  #pendingBlocks = new Int32Array(8);
  #pendingPositions = new Int32Array(8);
  readonly #pendingScalars: Float64Array[] = [];
  #pendingCount = 0;
  /** Per role walk: whether the offerable total passes the global minimum (-1 = not yet known). */
  #globalAllocatable = -1;
  #walkHeldMinMs = Infinity;
  /** Clients whose filters held in the current agent's walk, when their expiries are read later (fast path, no log). */
  #noted = new Int32Array(64);
  #notedCount = 0;
  /** Where the client that got the agent was in its role's order (a hint for its sorter update). */
  #takenBlock = -1;
  #takenPosition = -1;
  readonly #skipKeys = new SkipKeys();
  #running = false;

  constructor(allocator: Allocator) {
    this.#allocator = allocator;
    this.#offerable = new Offerable(allocator.layout.size);
    this.#filters = new FilterWalk(allocator.filters, this.#offerable);
  }

  run(nowMs: number, candidates: Int32Array, count: number, agents: CycleAgents, sink: OfferSink): CycleStats {
    const allocator = this.#allocator;
    const cycle = ++allocator.cycles;
    this.#running = true;
    allocator.filters.expire(nowMs);
    this.#log = allocator.decisionLog?.begin(cycle, nowMs) ?? null;
    if (this.#order.length < count) this.#order = new Int32Array(count * 2);
    const order = this.#order;
    for (let i = 0; i < count; i++) order[i] = candidates[i];
    shuffleInPlace(order, count, allocator.options.prng);
    this.#offers = 0;
    let skipped = 0;
    if (allocator.quota.active && allocator.quota.anyUnmetGuarantee(this.#offerable.unmet)) {
      for (let i = 0; i < count; i++) this.#walk(order[i], agents, 1, nowMs, sink);
    }
    // Run the settling checks once on some agent, whatever its state: their code then has type
    // feedback, so the first cycle that settles agents (DeclineOffers's round F) runs compiled code
    // instead of deoptimising on its first settled agent. Pure: the result is dropped.
    if (count > 0 && allocator.options.fastPaths && this.#log === null && allocator.uniformClients)
      this.#settledMinMs(order[0], agents, nowMs, true);
    for (let i = 0; i < count; i++) skipped += this.#walk(order[i], agents, 2, nowMs, sink) ? 0 : 1;
    this.#log = null;
    this.#running = false;
    return { cycle, agentsConsidered: count, agentsSkipped: skipped, offers: this.#offers };
  }

  /** Returns false when the agent was skipped without looking at any client. */
  #walk(index: number, agents: CycleAgents, stage: 1 | 2, nowMs: number, sink: OfferSink): boolean {
    const allocator = this.#allocator;
    const table = agents.table;
    const flags = table.flags[index];
    const settledEarly = stage === 2 && this.#skipKeys.takeSettledEarly(index);
    if (!hasFreeScalars(table, index) && (flags & AGENT_HAS_FREE_RESERVED) === 0) return false;
    const fast = allocator.options.fastPaths && stage === 2;
    // A key written early stands for a walk: count the agent as walked, as that walk would have been.
    if (fast && this.#skipKeys.holds(table, index, allocator.clientsEpoch, allocator.quota.epoch, nowMs)) return settledEarly;
    const agentHasGpus = (flags & AGENT_HAS_GPUS) !== 0;
    const settledMinMs = fast && this.#log === null && !agentHasGpus ? this.#settledMinMs(index, agents, nowMs, false) : -1;
    let heldMinMs = settledMinMs >= 0 ? settledMinMs : this.#walkRoles(index, agents, stage, agentHasGpus, nowMs, sink);
    const granted = this.#pendingCount;
    // Expiries of the filters that held were not read during the walk: only a walk that offered nothing needs them (its skip key).
    if (fast && granted === 0) heldMinMs = Math.min(heldMinMs, this.#earliestNotedExpiryMs(index));
    this.#notedCount = 0;
    for (let i = 0; i < granted; i++) {
      const client = allocator.client(this.#pendingClients[i])!;
      allocator.chargeSorters(client, this.#pendingScalars[i], 1, this.#pendingBlocks[i], this.#pendingPositions[i]);
    }
    this.#pendingCount = 0;
    // Written on every fast walk (an agent that got an offer gets a key that cannot hold: its
    // version changed anyway), so that this code never meets a first time.
    if (fast) this.#skipKeys.write(table, index, granted === 0, allocator.clientsEpoch, allocator.quota.epoch, heldMinMs);
    return true;
  }

  /**
   * After a decline installed a filter on the agent: when that completed a row on which every
   * active client is filtered, writes the skip key the next walk would write, so that the cycle
   * after a burst of declines (DeclineOffers's round F) reads one key per agent instead of
   * settling each. Only where a walk would settle the agent (fast paths, no decision log, no GPUs).
   */
  settleDeclined(index: number, agents: CycleAgents, nowMs: number): void {
    if (this.#running) throw new Error('allocation cycle: settleDeclined during a cycle');
    const allocator = this.#allocator;
    const table = agents.table;
    if (!allocator.options.fastPaths || allocator.decisionLog !== null || (table.flags[index] & AGENT_HAS_GPUS) !== 0) return;
    if (!allocator.uniformClients || allocator.filters.count(index) !== allocator.activeClientCount) return;
    const untilMs = this.#settledMinMs(index, agents, nowMs, false);
    if (untilMs < 0) return;
    this.#skipKeys.write(table, index, true, allocator.clientsEpoch, allocator.quota.epoch, untilMs);
    this.#skipKeys.markSettledEarly(index);
  }

  /** Walks roles and their clients; returns the earliest expiry among the filters that held. */
  #walkRoles(index: number, agents: CycleAgents, stage: 1 | 2, agentHasGpus: boolean, nowMs: number, sink: OfferSink): number {
    const allocator = this.#allocator;
    const offerable = this.#offerable;
    let heldMinMs = Infinity;
    const roleSorter = allocator.roleSorter;
    const roles = roleSorter.order();
    for (let roleBlock = 0; roleBlock < roles.blockCount; roleBlock++) {
      const roleIds = roles.blocks[roleBlock];
      for (let r = 0, roleCount = roles.sizes[roleBlock]; r < roleCount; r++) {
        const role = roleSorter.node(roleIds[r]).payload!;
        if (stage === 1 && !allocator.quota.unmetGuaranteeInto(offerable.unmet, role.name)) continue;
        const roleOutcome = offerable.compute(role, index, agents, stage, allocator.quota, allocator.freeUnreserved);
        if (roleOutcome !== null) {
          if (this.#log) this.#recordRole(role, agents.byIndex(index), stage, roleOutcome);
          continue;
        }
        this.#filters.begin(index, this.#offersAllFree(index, agents) && allocator.filters.coverKnown(index));
        this.#globalAllocatable = -1;
        this.#walkClients(role, index, agents, stage, agentHasGpus, nowMs, sink);
        if (this.#walkHeldMinMs < heldMinMs) heldMinMs = this.#walkHeldMinMs;
      }
    }
    return heldMinMs;
  }

  /**
   * Walks a role's clients in DRF order until one gets the offerable resources; the earliest
   * expiry among the filters that held is left in #walkHeldMinMs. Returns whether one got them.
   */
  #walkClients(
    role: RoleState,
    index: number,
    agents: CycleAgents,
    stage: 1 | 2,
    agentHasGpus: boolean,
    nowMs: number,
    sink: OfferSink,
  ): boolean {
    const sorter = role.frameworkSorter;
    const order = sorter.order();
    let heldMinMs = Infinity;
    let offered = false;
    clients: for (let b = 0; b < order.blockCount; b++) {
      const ids = order.blocks[b];
      for (let i = 0, size = order.sizes[b]; i < size; i++) {
        const node = sorter.node(ids[i]);
        const client = node.payload!;
        const reasons = this.#evaluate(client, index, agentHasGpus, nowMs);
        if ((reasons & REASON_FILTERED) !== 0 && !this.#noting && this.#heldUntilMs < heldMinMs) heldMinMs = this.#heldUntilMs;
        if (this.#log) this.#log.record(stage, agents.byIndex(index).id, client, reasons, node.share, role.node.share, this.#heldUntilMs);
        if (reasons !== REASON_OFFERED) continue;
        this.#takenBlock = b;
        this.#takenPosition = i;
        this.#take(client, index, agents, sink);
        offered = true;
        break clients;
      }
    }
    this.#walkHeldMinMs = heldMinMs;
    return offered;
  }

  /**
   * When a walk would find every active client filtered on this agent, the earliest expiry of
   * those filters (its skip key), else -1. That is when its filter row is exactly the
   * active-client mask (no filter of an inactive client either, so the agent's earliest filter
   * expiry is the walk's), every active role has something allocatable, and every refused set on
   * the agent covers it. DRF sorters only, and no per-client minimums: then nothing else can tell
   * clients apart. Reads the role order without changing anything. `probe` runs every check
   * whatever the answer (to warm the code), and its answer must be dropped.
   */
  #settledMinMs(index: number, agents: CycleAgents, nowMs: number, probe: boolean): number {
    const allocator = this.#allocator;
    const filters = allocator.filters;
    // The count first: most agents have fewer filters than active clients, and the count is in the record.
    if (!probe && (!allocator.uniformClients || filters.count(index) !== allocator.activeClientCount)) return -1;
    let settles = this.#filters.rowIsActiveMask(index, allocator.activeClients);
    const offerable = this.#offerable;
    // Without quota or free reserved parts, every role is offered the agent's free resources, which
    // the filters checked against every refused set when they were installed (if nothing changed since).
    const coverKnown = this.#offersAllFree(index, agents) && filters.coverKnown(index);
    const roleSorter = allocator.roleSorter;
    const roles = roleSorter.order();
    for (let b = 0; b < roles.blockCount; b++) {
      for (let r = 0; r < roles.sizes[b]; r++) {
        const role = roleSorter.node(roles.blocks[b][r]).payload!;
        const offerableOutcome = offerable.compute(role, index, agents, 2, allocator.quota, allocator.freeUnreserved);
        const allocatable = isAllocatable(offerable.total, allocator.minAllocatable);
        const covers = coverKnown || this.#filters.everyRefusedSetCovers(index, offerable);
        if (offerableOutcome !== null || !allocatable || !covers) settles = false;
        if (!settles && !probe) return -1;
      }
    }
    const earliestMs = filters.minExpiryMs(index, nowMs);
    return settles ? earliestMs : -1;
  }

  /**
   * Whether every role is offered exactly the agent's free unreserved resources: no quota shrinks
   * them and no free reserved part adds to them. Refused sets checked against those at install
   * then answer the superset test without another look (`OfferFilters.coverKnown`).
   */
  #offersAllFree(index: number, agents: CycleAgents): boolean {
    return !this.#allocator.quota.active && (agents.table.flags[index] & AGENT_HAS_FREE_RESERVED) === 0;
  }

  /** The reasons (REASON_* bits) not to offer to this client; REASON_OFFERED when there are none. */
  #evaluate(client: Client, agentIndex: number, agentHasGpus: boolean, nowMs: number): number {
    const logging = this.#log !== null;
    let reasons = 0;
    if (agentHasGpus && !client.gpuCapable) {
      reasons |= REASON_MISSING_CAPABILITY;
      if (!logging) return reasons;
    }
    if (!this.#allocatable(client)) {
      reasons |= REASON_NOT_ALLOCATABLE;
      if (!logging) return reasons;
    }
    const offerable = this.#offerable;
    if (this.#allocator.options.fastPaths) {
      if (this.#filters.holds(client.index)) {
        reasons |= REASON_FILTERED;
        // The decision log shows the expiry now; otherwise it is read only if the walk offers nothing.
        if (logging) this.#heldUntilMs = this.#filters.expiresAtMs(agentIndex, client.index);
        else this.#note(client.index);
      }
    } else {
      const held = this.#allocator.filters.heldUntil(
        agentIndex,
        client.index,
        nowMs,
        offerable.scalars,
        offerable.ports,
        offerable.reserved,
      );
      if (held > 0) {
        this.#heldUntilMs = held;
        reasons |= REASON_FILTERED;
      }
    }
    return reasons === 0 ? REASON_OFFERED : reasons;
  }

  /** Whether filters that hold are noted (their expiry read later) rather than read at once. */
  get #noting(): boolean {
    return this.#allocator.options.fastPaths && this.#log === null;
  }

  #note(clientIndex: number): void {
    if (this.#notedCount === this.#noted.length) this.#noted = grown(this.#noted);
    this.#noted[this.#notedCount++] = clientIndex;
  }

  #earliestNotedExpiryMs(agentIndex: number): number {
    let earliest = Infinity;
    for (let i = 0; i < this.#notedCount; i++) earliest = Math.min(earliest, this.#filters.expiresAtMs(agentIndex, this.#noted[i]));
    return earliest;
  }

  #allocatable(client: Client): boolean {
    if (client.minAllocatable !== null || !this.#allocator.options.fastPaths)
      return isAllocatable(this.#offerable.total, client.minAllocatable ?? this.#allocator.minAllocatable);
    if (this.#globalAllocatable < 0) this.#globalAllocatable = isAllocatable(this.#offerable.total, this.#allocator.minAllocatable) ? 1 : 0;
    return this.#globalAllocatable === 1;
  }

  /** Moves the offerable resources out of the agent into an offer; sorters are charged when the walk ends. */
  #take(client: Client, index: number, agents: CycleAgents, sink: OfferSink): void {
    const offerable = this.#offerable;
    const reserved = offerable.reserved.length === 0 ? NO_PARTS : offerable.reserved.slice();
    // Read before the take: the agent's free ports are what the offer holds.
    const ports = offerable.ports;
    if (reserved.length === 0) agents.table.takeUnreserved(index, offerable.scalars, ports);
    else agents.byIndex(index).takeParts(offerable.scalars, ports, reserved);
    this.#allocator.chargeQuota(client, offerable.scalars, 1);
    sink.offer(index, client, offerable.scalars, ports, reserved);
    this.#offers++;
    const slot = this.#pendingCount++;
    if (slot === this.#pendingScalars.length) this.#pendingScalars.push(new Float64Array(offerable.scalars.length));
    if (slot === this.#pendingClients.length) {
      this.#pendingClients = grown(this.#pendingClients);
      this.#pendingBlocks = grown(this.#pendingBlocks);
      this.#pendingPositions = grown(this.#pendingPositions);
    }
    const all = this.#pendingScalars[slot];
    for (let i = 0; i < all.length; i++) all[i] = offerable.scalars[i];
    for (const part of reserved) addInto(all, all, part.scalars);
    this.#pendingClients[slot] = client.index;
    this.#pendingBlocks[slot] = this.#takenBlock;
    this.#pendingPositions[slot] = this.#takenPosition;
  }

  #recordRole(role: RoleState, agent: Agent, stage: 1 | 2, outcome: DecisionOutcome): void {
    const reasons = outcome === 'quota_limit' ? REASON_QUOTA_LIMIT : REASON_NO_RESOURCES;
    const sorter = role.frameworkSorter;
    const order = sorter.order();
    for (let b = 0; b < order.blockCount; b++) {
      for (let i = 0; i < order.sizes[b]; i++) {
        const node = sorter.node(order.blocks[b][i]);
        this.#log!.record(stage, agent.id, node.payload!, reasons, node.share, role.node.share, 0);
      }
    }
  }
}

function grown(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

function hasFreeScalars(table: AgentTable, index: number): boolean {
  const hot = table.hot;
  for (let at = index * table.stride, end = at + table.size; at < end; at++) if (hot[at] > SCALAR_EPSILON) return true;
  return false;
}
