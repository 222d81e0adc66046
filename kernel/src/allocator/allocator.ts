/**
 * The hierarchical DRF allocator's state and bookkeeping (Mesos
 * `HierarchicalAllocatorProcess`): the role sorter, one framework sorter per
 * role, quota, offer filters and the cluster total. `allocate` and `recover`
 * are the only ways resources move between agents' free pools and clients;
 * the cycle itself is in allocationCycle.ts.
 * Invariant: each client's sorter allocation equals the sum of its outstanding
 * offers and live tasks (checked by the testing kit).
 */
import type { Agent } from '../agents/agent.js';
import type { Prng } from '../prng.js';
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { allScalarsInto } from '../resources/resourceSet.js';
import { addInto, subtractInto } from '../resources/vector.js';
import type { Conversion } from '../reservations/resourceConversion.js';
import type { QuotaSpec } from '../roles/quota.js';
import { QuotaLedger } from '../roles/quota.js';
import { Client, RoleState } from './client.js';
import { DecisionLog } from './decisions.js';
import { OfferFilters } from './offerFilters.js';
import type { SorterKind } from './sorter.js';
import { Sorter } from './sorter.js';

export interface AllocatorOptions {
  layout: ResourceLayout;
  prng: Prng;
  allocationIntervalMs: number;
  roleSorter: SorterKind;
  frameworkSorter: SorterKind;
  fairSharingExcludedResourceNames: readonly string[];
  /** Alternatives: resources are allocatable when they contain any one of these. */
  minAllocatable: readonly ResourceQuantities[];
  /** Skip work proven unnecessary (see allocationCycle.ts); false runs the plain reference path. */
  fastPaths: boolean;
  /** Keep per-client decisions for this many recent cycles (0 = off). */
  decisionCycles: number;
}

/** Mesos's `refuse_seconds` rules: default 5 s, 0 = none, at most a year, at least one interval. */
export const DEFAULT_REFUSE_SECONDS = 5;
const YEAR_SECONDS = 365 * 24 * 3600;

export function filterDurationMs(refuseSeconds: number | undefined, allocationIntervalMs: number): number {
  let seconds = refuseSeconds;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) seconds = DEFAULT_REFUSE_SECONDS;
  if (seconds === 0) return 0;
  seconds = Math.min(seconds, YEAR_SECONDS);
  return Math.max(seconds * 1000, allocationIntervalMs);
}

export class Allocator {
  readonly options: AllocatorOptions;
  readonly layout: ResourceLayout;
  readonly roleSorter: Sorter<RoleState>;
  readonly roles = new Map<string, RoleState>();
  readonly quota: QuotaLedger;
  readonly filters = new OfferFilters();
  readonly excluded: Uint8Array;
  readonly minAllocatable: readonly Float64Array[];
  readonly decisionLog: DecisionLog | null;
  /** Sum of every agent's total, reserved included: the denominator of every share. */
  readonly total: Float64Array;
  /** Unreserved free scalars over all agents: the available side of quota headroom. */
  readonly freeUnreserved: Float64Array;
  /** Bumped when clients, their activity or their filters change: part of the fast-skip key. */
  clientsEpoch = 0;
  cycles = 0;
  readonly #weights = new Map<string, number>();
  readonly #clients: (Client | undefined)[] = [];
  readonly #freeClientIndices: number[] = [];
  readonly #scratch: Float64Array;

  constructor(options: AllocatorOptions) {
    this.options = options;
    this.layout = options.layout;
    const size = this.layout.size;
    this.excluded = new Uint8Array(size);
    for (const name of options.fairSharingExcludedResourceNames) {
      const slot = this.layout.slotOf(name);
      if (slot >= 0) this.excluded[slot] = 1;
    }
    this.minAllocatable = options.minAllocatable.map((q) => this.layout.vector(q));
    this.roleSorter = new Sorter<RoleState>(options.roleSorter, size, this.excluded, options.prng);
    this.quota = new QuotaLedger(this.layout);
    this.decisionLog = options.decisionCycles > 0 ? new DecisionLog(options.decisionCycles) : null;
    this.total = new Float64Array(size);
    this.freeUnreserved = new Float64Array(size);
    this.#scratch = new Float64Array(size);
  }

  client(index: number): Client | undefined {
    return this.#clients[index];
  }

  clients(): Client[] {
    return this.#clients.filter((client): client is Client => client !== undefined);
  }

  // Agents ------------------------------------------------------------------

  addAgent(agent: Agent): void {
    allScalarsInto(this.#scratch, agent.total);
    addInto(this.total, this.total, this.#scratch);
    this.#setTotal();
    addInto(this.freeUnreserved, this.freeUnreserved, agent.freeScalars);
    for (const part of agent.total.reserved) this.quota.charge(part.role, part.scalars, 1);
    this.quota.epoch++;
  }

  /** Call after every offer and task on the agent has been recovered. */
  removeAgent(agent: Agent): void {
    allScalarsInto(this.#scratch, agent.total);
    subtractInto(this.total, this.total, this.#scratch);
    this.#setTotal();
    subtractInto(this.freeUnreserved, this.freeUnreserved, agent.freeScalars);
    for (const part of agent.total.reserved) this.quota.charge(part.role, part.scalars, -1);
    this.filters.clearAgent(agent.index);
    this.decisionLog?.forgetAgent(agent.id);
    this.quota.epoch++;
  }

  #setTotal(): void {
    this.roleSorter.setTotal(this.total);
    for (const role of this.roles.values()) role.frameworkSorter.setTotal(this.total);
  }

  // Roles and clients -------------------------------------------------------

  setWeight(role: string, weight: number): void {
    this.#weights.set(role, weight);
    this.roleSorter.setWeight(role, weight);
    this.clientsEpoch++;
  }

  weight(role: string): number {
    return this.#weights.get(role) ?? 1;
  }

  /** Roles whose weight an operator set (Mesos lists them as known roles even without frameworks). */
  weightedRoles(): string[] {
    return [...this.#weights.keys()];
  }

  setQuota(role: string, spec: QuotaSpec | undefined): void {
    this.quota.set(role, spec);
  }

  addClient(
    frameworkId: string,
    roleName: string,
    capabilities: ReadonlySet<string>,
    minAllocatable: readonly ResourceQuantities[] | null,
  ): Client {
    const role = this.#role(roleName);
    const index = this.#freeClientIndices.pop() ?? this.#clients.length;
    const min = minAllocatable ? minAllocatable.map((q) => this.layout.vector(q)) : null;
    const client = new Client(index, frameworkId, role, capabilities, min);
    this.#clients[index] = client;
    this.filters.ensureClients(this.#clients.length);
    this.filters.clearClient(index);
    client.node = role.frameworkSorter.add(frameworkId, client);
    this.#setActive(client, true);
    return client;
  }

  /** Call after the client's offers and tasks have been recovered. */
  removeClient(client: Client): void {
    this.#setActive(client, false);
    client.role.frameworkSorter.remove(client.frameworkId);
    this.filters.clearClient(client.index);
    this.#clients[client.index] = undefined;
    this.#freeClientIndices.push(client.index);
    this.clientsEpoch++;
  }

  setSuppressed(client: Client, suppressed: boolean): void {
    const wasActive = client.active;
    client.suppressed = suppressed;
    if (client.active !== wasActive) this.#setActive(client, client.active);
  }

  /** A disconnected framework gets no offers; deactivating also clears its filters. */
  setConnected(client: Client, connected: boolean): void {
    const wasActive = client.active;
    client.connected = connected;
    if (!connected) this.clearFilters(client);
    if (client.active !== wasActive) this.#setActive(client, client.active);
  }

  clearFilters(client: Client): void {
    this.filters.clearClient(client.index);
    this.clientsEpoch++;
  }

  #role(name: string): RoleState {
    let role = this.roles.get(name);
    if (role) return role;
    const sorter = new Sorter<Client>(this.options.frameworkSorter, this.layout.size, this.excluded, this.options.prng);
    sorter.setTotal(this.total);
    role = new RoleState(name, sorter);
    role.node = this.roleSorter.add(name, role);
    const weight = this.#weights.get(name);
    if (weight !== undefined) this.roleSorter.setWeight(name, weight);
    this.roles.set(name, role);
    return role;
  }

  #setActive(client: Client, active: boolean): void {
    const role = client.role;
    if (active) {
      role.frameworkSorter.activate(client.frameworkId);
      if (role.activeClients++ === 0) this.roleSorter.activate(role.name);
    } else if (role.frameworkSorter.isActive(client.frameworkId)) {
      role.frameworkSorter.deactivate(client.frameworkId);
      if (--role.activeClients === 0) this.roleSorter.deactivate(role.name);
    }
    this.clientsEpoch++;
  }

  // Moving resources --------------------------------------------------------

  /** Resources leave the agent's free pool for a client (an offer, or a task the agent reports). */
  allocate(client: Client, agent: Agent, resources: ResourceSet): void {
    agent.take(resources);
    this.charge(client, resources, 1);
  }

  /** Resources come back to the agent; a filter is installed when `filterMs` > 0. */
  recover(client: Client, agent: Agent, resources: ResourceSet, nowMs: number, filterMs: number): void {
    agent.give(resources);
    this.charge(client, resources, -1);
    if (filterMs > 0) this.filters.install(agent.index, client.index, nowMs + filterMs, resources);
  }

  /** Sorter, quota and headroom accounting of a move; the agent side is the caller's. */
  charge(client: Client, resources: ResourceSet, sign: 1 | -1): void {
    this.chargeQuota(client, resources, sign);
    this.chargeSorters(client, allScalarsInto(this.#scratch, resources), sign);
  }

  /** Quota and headroom: the allocation cycle applies these at once, agent by agent. */
  chargeQuota(client: Client, resources: ResourceSet, sign: 1 | -1): void {
    if (sign > 0) subtractInto(this.freeUnreserved, this.freeUnreserved, resources.scalars);
    else addInto(this.freeUnreserved, this.freeUnreserved, resources.scalars);
    this.quota.charge(client.role.name, resources.scalars, sign);
  }

  /** DRF shares: the allocation cycle defers these to the end of each agent, as Mesos sorts once per agent. */
  chargeSorters(client: Client, allScalars: Float64Array, sign: 1 | -1): void {
    if (sign > 0) {
      this.roleSorter.allocate(client.role.node, allScalars);
      client.role.frameworkSorter.allocate(client.node, allScalars);
    } else {
      this.roleSorter.unallocate(client.role.node, allScalars);
      client.role.frameworkSorter.unallocate(client.node, allScalars);
    }
  }

  /**
   * Quota and headroom after a reservation or volume operation. Inside an
   * offer, unreserved resources count as allocated to the offer's role; on an
   * agent's free resources (operator commands) they count toward headroom.
   */
  chargeConversion(conversion: Conversion, actingRole: string, inOffer: boolean): void {
    const { consumed, converted } = conversion;
    for (const part of consumed.reserved) this.quota.charge(part.role, part.scalars, -1);
    for (const part of converted.reserved) this.quota.charge(part.role, part.scalars, 1);
    if (inOffer) {
      this.quota.charge(actingRole, consumed.scalars, -1);
      this.quota.charge(actingRole, converted.scalars, 1);
    } else {
      subtractInto(this.freeUnreserved, this.freeUnreserved, consumed.scalars);
      addInto(this.freeUnreserved, this.freeUnreserved, converted.scalars);
    }
    this.quota.epoch++;
  }
}
