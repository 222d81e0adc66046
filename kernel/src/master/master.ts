/**
 * The Master: one `step(command)` entry point over the allocator, offers,
 * agents, frameworks and tasks. Pure: time comes in with each command and
 * randomness from the seeded PRNG passed in; what happened comes back as
 * events, and what the host must do as effects. Handlers live beside this
 * file, one concern each (agents, tasks, accept, reconciliation, operator).
 * Invariants (checked by the testing kit): no agent is over-committed; a
 * resource is in at most one outstanding offer; each client's allocation is
 * the sum of its offers and live tasks.
 */
import type { Agent } from '../agents/agent.js';
import type { OfferGrant } from '../allocator/allocationCycle.js';
import { AllocationCycle } from '../allocator/allocationCycle.js';
import type { AllocatorOptions } from '../allocator/allocator.js';
import { Allocator, filterDurationMs } from '../allocator/allocator.js';
import type { Offer } from '../offers/offer.js';
import { OfferBook } from '../offers/offer.js';
import type { Prng } from '../prng.js';
import type { ResourceQuantities } from '../resources/layout.js';
import { ResourceLayout } from '../resources/layout.js';
import { VectorPool } from '../resources/vector.js';
import type { Task } from '../tasks/task.js';
import { handleAccept } from './acceptOffers.js';
import type { AgentRecord } from './agentRecord.js';
import * as agents from './agentLifecycle.js';
import type { Command, FrameworkSpec } from './commands.js';
import type { Effect, Rejection } from './effects.js';
import type { KernelEvent, RescindReason } from './events.js';
import { FrameworkState } from './frameworkState.js';
import { handleOperatorConversion } from './operatorCommands.js';
import { Maintenance } from '../maintenance/maintenance.js';
import { handleMaintenance, makeInverseOffers } from './maintenanceHandlers.js';
import { handleReconcile } from './reconciliation.js';
import { handleAcknowledge, handleShutdown, handleTaskKill, handleTaskStatus, killTask } from './taskHandlers.js';

export interface MasterOptions {
  prng: Prng;
  /** Scalar names beyond cpus, mem, disk and gpus that agents may have. */
  resourceNames?: readonly string[];
  allocationIntervalMs?: number;
  roleSorter?: AllocatorOptions['roleSorter'];
  frameworkSorter?: AllocatorOptions['frameworkSorter'];
  fairSharingExcludedResourceNames?: readonly string[];
  minAllocatable?: readonly ResourceQuantities[];
  /** Rescind offers not answered within this time; null = never (Mesos's default). */
  offerTimeoutMs?: number | null;
  /** A disconnected agent becomes unreachable after this long (Mesos: 5 pings x 15 s). */
  agentUnreachableTimeoutMs?: number;
  /** After a failover, an agent that has not re-registered within this long becomes unreachable. */
  agentReregisterTimeoutMs?: number;
  /** Kill grace period when a KILL names none. */
  killGracePeriodMs?: number;
  fastPaths?: boolean;
  decisionCycles?: number;
  /** Failover generation: offer ids carry it so that no id is reused after a failover. */
  epoch?: number;
}

export interface StepResult {
  readonly ok: boolean;
  readonly rejection: Rejection | null;
  readonly events: KernelEvent[];
  readonly effects: Effect[];
}

export interface MasterCounters {
  allocationCycles: number;
  offersMade: number;
  offersDeclined: number;
  offersAccepted: number;
  offersRescinded: number;
  tasksLaunched: number;
}

/** The output channel of one step; handlers append to it. */
export interface StepOutput {
  events: KernelEvent[];
  effects: Effect[];
}

export const DEFAULT_MIN_ALLOCATABLE: readonly ResourceQuantities[] = [{ cpus: 0.01 }, { mem: 32 }];
export const DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS = 75_000;
export const DEFAULT_AGENT_REREGISTER_TIMEOUT_MS = 600_000;
export const DEFAULT_KILL_GRACE_PERIOD_MS = 3_000;

export class Master {
  readonly options: MasterOptions;
  readonly layout: ResourceLayout;
  readonly allocator: Allocator;
  readonly offers: OfferBook;
  readonly agents = new Map<string, Agent>();
  readonly frameworks = new Map<string, FrameworkState>();
  /** Live (non-terminal) tasks by agent, UNREACHABLE ones included. */
  readonly tasksByAgent = new Map<string, Set<Task>>();
  /** Registered agents whose connection is down: each turns unreachable after the timeout. */
  readonly disconnectedAgents = new Set<Agent>();
  /** Agents that stopped answering; partition-aware tasks on them are UNREACHABLE. */
  readonly unreachableAgents = new Map<string, { atMs: number; record: AgentRecord }>();
  /** Agents an operator marked gone: they may never come back. */
  readonly goneAgents = new Map<string, number>();
  /** After a failover: agents known from the snapshot that have not re-registered yet, in order of `sinceMs` (all added at restore). */
  readonly recoveredAgents = new Map<string, { sinceMs: number; record: AgentRecord }>();
  /** The maintenance schedule, machine modes and inverse offers (maintenanceHandlers.ts). */
  readonly maintenance = new Maintenance();
  readonly counters: MasterCounters = {
    allocationCycles: 0,
    offersMade: 0,
    offersDeclined: 0,
    offersAccepted: 0,
    offersRescinded: 0,
    tasksLaunched: 0,
  };
  readonly allocationIntervalMs: number;
  readonly offerTimeoutMs: number | null;
  readonly agentUnreachableTimeoutMs: number;
  readonly agentReregisterTimeoutMs: number;
  readonly killGracePeriodMs: number;
  readonly epoch: number;
  readonly pool: VectorPool;
  readonly #cycle: AllocationCycle;
  readonly #freeAgentIndices: number[] = [];
  #nextAgentIndex = 0;
  #nowMs = 0;
  #nextCycleAtMs: number;
  #triggeredAll = false;
  readonly #triggeredAgents = new Set<string>();
  #activeAgents: Agent[] = [];
  #activeAgentsDirty = false;

  constructor(options: MasterOptions) {
    this.options = options;
    this.layout = ResourceLayout.create(options.resourceNames ?? []);
    this.allocationIntervalMs = options.allocationIntervalMs ?? 1000;
    if (!(this.allocationIntervalMs > 0)) throw new Error(`allocationIntervalMs must be > 0, got ${this.allocationIntervalMs}`);
    this.offerTimeoutMs = options.offerTimeoutMs ?? null;
    this.agentUnreachableTimeoutMs = options.agentUnreachableTimeoutMs ?? DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS;
    this.agentReregisterTimeoutMs = options.agentReregisterTimeoutMs ?? DEFAULT_AGENT_REREGISTER_TIMEOUT_MS;
    this.killGracePeriodMs = options.killGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS;
    this.epoch = options.epoch ?? 1;
    this.offers = new OfferBook(this.epoch === 1 ? 'O' : `O${this.epoch}-`);
    this.allocator = new Allocator({
      layout: this.layout,
      prng: options.prng,
      allocationIntervalMs: this.allocationIntervalMs,
      roleSorter: options.roleSorter ?? 'drf',
      frameworkSorter: options.frameworkSorter ?? 'drf',
      fairSharingExcludedResourceNames: options.fairSharingExcludedResourceNames ?? [],
      minAllocatable: options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE,
      fastPaths: options.fastPaths ?? true,
      decisionCycles: options.decisionCycles ?? 0,
    });
    this.#cycle = new AllocationCycle(this.allocator);
    this.pool = new VectorPool(this.layout.size, 64);
    this.#nextCycleAtMs = this.allocationIntervalMs;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** When the host should tick next if nothing else happens. */
  nextWakeMs(): number {
    if (this.#triggeredAll || this.#triggeredAgents.size > 0) return this.#nowMs;
    let wake = this.#nextCycleAtMs;
    if (this.offerTimeoutMs !== null) for (const offer of this.offers.all()) wake = Math.min(wake, offer.createdAtMs + this.offerTimeoutMs);
    for (const agent of this.disconnectedAgents) wake = Math.min(wake, agent.sinceMs + this.agentUnreachableTimeoutMs);
    const firstRecovered = this.recoveredAgents.values().next();
    if (!firstRecovered.done) wake = Math.min(wake, firstRecovered.value.sinceMs + this.agentReregisterTimeoutMs);
    return Math.max(wake, this.#nowMs);
  }

  step(command: Command): StepResult {
    if (!(command.nowMs >= this.#nowMs)) throw new Error(`time went backwards: ${command.nowMs} < ${this.#nowMs}`);
    this.#nowMs = command.nowMs;
    const out: StepOutput = { events: [], effects: [] };
    const rejection = this.#dispatch(command, out);
    return { ok: rejection === null, rejection, events: out.events, effects: out.effects };
  }

  #dispatch(command: Command, out: StepOutput): Rejection | null {
    switch (command.type) {
      case 'tick':
        this.#tick(out);
        return null;
      case 'agent.add':
        return agents.addAgent(this, command.agent, command.tasks ?? [], out);
      case 'agent.reregister':
        return agents.reregisterAgent(this, command.agent, command.tasks, out);
      case 'agent.disconnect':
        return agents.disconnectAgent(this, command.agentId, out);
      case 'agent.unreachable':
        return agents.markUnreachable(this, command.agentId, out);
      case 'agent.remove':
        return agents.removeAgent(this, command.agentId, out);
      case 'agent.markGone':
        return agents.markGone(this, command.agentId, out);
      case 'agent.drain':
        return agents.drainAgent(this, command.agentId, command.markGone ?? false, out);
      case 'agent.updateAttributes':
        return agents.updateAttributes(this, command.agentId, command.attributes, out);
      case 'task.status':
        return handleTaskStatus(this, command, out);
      case 'framework.subscribe':
        return this.#subscribe(command.framework, out);
      case 'framework.disconnect':
        return this.#disconnect(command.frameworkId, out);
      case 'framework.teardown':
        return this.#teardown(command.frameworkId, out);
      case 'framework.suppress':
        return this.#suppress(command.frameworkId, command.roles, true, out);
      case 'framework.revive':
        return this.#suppress(command.frameworkId, command.roles, false, out);
      case 'framework.reconcile':
        return handleReconcile(this, command, out);
      case 'offer.accept':
        return handleAccept(this, command, out);
      case 'offer.decline':
        return this.#decline(command.frameworkId, command.offerIds, command.refuseSeconds, out);
      case 'task.kill':
        return handleTaskKill(this, command, out);
      case 'task.acknowledge':
        return handleAcknowledge(this, command, out);
      case 'executor.shutdown':
        return handleShutdown(this, command, out);
      case 'role.update':
        return this.#updateRole(command, out);
      case 'operator.reserve':
      case 'operator.unreserve':
      case 'operator.createVolumes':
      case 'operator.destroyVolumes':
        return handleOperatorConversion(this, command, out);
      case 'maintenance.schedule':
      case 'maintenance.start':
      case 'maintenance.stop':
      case 'inverseOffer.accept':
      case 'inverseOffer.decline':
        return handleMaintenance(this, command, out);
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  // Allocation --------------------------------------------------------------

  #tick(out: StepOutput): void {
    this.#expireOffers(out);
    agents.expireAgentTimeouts(this, out);
    const periodic = this.#nowMs >= this.#nextCycleAtMs;
    if (periodic) {
      // Keep the interval's phase: the next cycle is the first one after now, however far the clock jumped.
      const behind = this.#nowMs - this.#nextCycleAtMs;
      this.#nextCycleAtMs += (Math.floor(behind / this.allocationIntervalMs) + 1) * this.allocationIntervalMs;
    }
    if (periodic || this.#triggeredAll) this.#allocate(this.activeAgents(), periodic ? 'interval' : 'event', out);
    else if (this.#triggeredAgents.size > 0) {
      const triggered = [...this.#triggeredAgents]
        .map((id) => this.agents.get(id))
        .filter((agent): agent is Agent => agent?.connection === 'active');
      this.#allocate(triggered, 'event', out);
    }
    this.#triggeredAll = false;
    this.#triggeredAgents.clear();
    if (periodic) makeInverseOffers(this, out);
  }

  /** Asks for a batched cycle at the next tick (Mesos dispatches one; bursts collapse). */
  triggerAllocation(agentId?: string): void {
    if (agentId === undefined) this.#triggeredAll = true;
    else this.#triggeredAgents.add(agentId);
  }

  /** Agents whose resources may be offered: registered, connected and not draining. */
  activeAgents(): readonly Agent[] {
    if (this.#activeAgentsDirty) {
      this.#activeAgents = [...this.agents.values()].filter((agent) => agent.connection === 'active');
      this.#activeAgentsDirty = false;
    }
    return this.#activeAgents;
  }

  /** A slot in the agent pool for a new agent; views of existing agents follow if the pool grows. */
  allocatorAgentIndex(): number {
    const index = this.#freeAgentIndices.pop() ?? this.#nextAgentIndex++;
    if (this.pool.ensureCapacity(index + 1)) for (const agent of this.agents.values()) agent.rebindFreeView(this.pool.view(agent.index));
    return index;
  }

  releaseAgentIndex(index: number): void {
    this.#freeAgentIndices.push(index);
  }

  /** Call whenever an agent is added, removed or changes connection. */
  agentsChanged(): void {
    this.#activeAgentsDirty = true;
  }

  #allocate(candidates: readonly Agent[], trigger: 'interval' | 'event', out: StepOutput): void {
    const grants: OfferGrant[] = [];
    const stats = this.#cycle.run(this.#nowMs, candidates, grants);
    this.counters.allocationCycles++;
    let byFramework: Map<string, Offer[]> | null = null;
    for (const grant of grants) {
      const offer: Offer = {
        id: this.offers.nextId(),
        frameworkId: grant.client.frameworkId,
        role: grant.client.role.name,
        agentId: grant.agent.id,
        hostname: grant.agent.hostname,
        attributes: grant.agent.attributes,
        agentIndex: grant.agent.index,
        clientIndex: grant.client.index,
        resources: grant.resources,
        createdAtMs: this.#nowMs,
      };
      this.offers.add(offer);
      out.events.push({ type: 'offer.made', atMs: this.#nowMs, offer });
      byFramework ??= new Map();
      const list = byFramework.get(offer.frameworkId);
      if (list) list.push(offer);
      else byFramework.set(offer.frameworkId, [offer]);
    }
    this.counters.offersMade += grants.length;
    if (byFramework) for (const [frameworkId, offers] of byFramework) out.effects.push({ type: 'framework.offers', frameworkId, offers });
    out.events.push({ type: 'allocation.completed', atMs: this.#nowMs, trigger, ...stats });
  }

  #expireOffers(out: StepOutput): void {
    if (this.offerTimeoutMs === null) return;
    for (const offer of [...this.offers.all()]) {
      if (offer.createdAtMs + this.offerTimeoutMs <= this.#nowMs) this.rescindOffer(offer, 'offer_timeout', out);
    }
  }

  /** Takes an offer back with no filter (timeout, agent or framework gone). */
  rescindOffer(offer: Offer, reason: RescindReason, out: StepOutput): void {
    this.offers.remove(offer.id);
    const client = this.allocator.client(offer.clientIndex)!;
    this.allocator.recover(client, this.agents.get(offer.agentId)!, offer.resources, this.#nowMs, 0);
    this.counters.offersRescinded++;
    out.events.push({
      type: 'offer.rescinded',
      atMs: this.#nowMs,
      offerId: offer.id,
      frameworkId: offer.frameworkId,
      agentId: offer.agentId,
      reason,
    });
    out.effects.push({ type: 'framework.rescind', frameworkId: offer.frameworkId, offerId: offer.id });
  }

  #decline(frameworkId: string, offerIds: readonly string[], refuseSeconds: number | undefined, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return unknownFramework(frameworkId);
    const filterMs = filterDurationMs(refuseSeconds, this.allocationIntervalMs);
    const unknown: string[] = [];
    for (const offerId of offerIds) {
      const offer = this.offers.get(offerId);
      if (!offer || offer.frameworkId !== frameworkId) {
        unknown.push(offerId);
        continue;
      }
      this.offers.remove(offerId);
      const client = this.allocator.client(offer.clientIndex)!;
      this.allocator.recover(client, this.agents.get(offer.agentId)!, offer.resources, this.#nowMs, filterMs);
      this.counters.offersDeclined++;
      out.events.push({ type: 'offer.declined', atMs: this.#nowMs, offerId, frameworkId, agentId: offer.agentId, filterMs });
    }
    // Declining an offer that is gone (rescinded, already answered) is normal in Mesos: report, lose nothing.
    if (unknown.length > 0)
      return {
        code: 'unknown_offer',
        message: `no outstanding offers ${unknown.join(', ')} for framework ${frameworkId}`,
        offerIds: unknown,
      };
    return null;
  }

  // Tasks by agent ------------------------------------------------------------

  trackTask(task: Task): void {
    let set = this.tasksByAgent.get(task.agentId);
    if (!set) this.tasksByAgent.set(task.agentId, (set = new Set()));
    set.add(task);
  }

  untrackTask(task: Task): void {
    const set = this.tasksByAgent.get(task.agentId);
    set?.delete(task);
    if (set && set.size === 0) this.tasksByAgent.delete(task.agentId);
  }

  liveTasksOn(agentId: string): Task[] {
    return [...(this.tasksByAgent.get(agentId) ?? [])];
  }

  // Frameworks --------------------------------------------------------------

  #subscribe(spec: FrameworkSpec, out: StepOutput): Rejection | null {
    if (spec.roles.length === 0)
      return { code: 'invalid_framework', message: `framework ${spec.id} must subscribe to at least one role`, frameworkId: spec.id };
    const existing = this.frameworks.get(spec.id);
    if (existing) {
      // A new subscription replaces the old one (Mesos's framework failover): offers made on the old one are lost with it.
      for (const offer of this.offers.ofFramework(spec.id)) this.rescindOffer(offer, 'framework_disconnected', out);
      existing.connected = true;
      for (const client of existing.clients.values()) this.allocator.setConnected(client, true);
      out.events.push({ type: 'framework.subscribed', atMs: this.#nowMs, frameworkId: spec.id, roles: existing.roles, resubscribed: true });
      this.triggerAllocation();
      return null;
    }
    this.addFramework(spec, true);
    out.events.push({ type: 'framework.subscribed', atMs: this.#nowMs, frameworkId: spec.id, roles: spec.roles, resubscribed: false });
    this.triggerAllocation();
    return null;
  }

  /** Creates a framework and its clients; a restored master adds them disconnected. */
  addFramework(spec: FrameworkSpec, connected: boolean): FrameworkState {
    const capabilities = new Set(spec.capabilities ?? []);
    const framework = new FrameworkState(spec.id, spec.name ?? spec.id, capabilities);
    framework.connected = connected;
    for (const role of spec.roles) {
      const client = this.allocator.addClient(spec.id, role, capabilities, spec.minAllocatable?.[role] ?? null);
      framework.clients.set(role, client);
      if (!connected) this.allocator.setConnected(client, false);
    }
    this.frameworks.set(spec.id, framework);
    return framework;
  }

  #disconnect(frameworkId: string, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return unknownFramework(frameworkId);
    framework.connected = false;
    for (const offer of this.offers.ofFramework(frameworkId)) this.rescindOffer(offer, 'framework_disconnected', out);
    for (const client of framework.clients.values()) this.allocator.setConnected(client, false);
    out.events.push({ type: 'framework.disconnected', atMs: this.#nowMs, frameworkId });
    return null;
  }

  /** TEARDOWN: offers rescinded, every live task killed and its resources recovered, the framework removed. */
  #teardown(frameworkId: string, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return unknownFramework(frameworkId);
    for (const offer of this.offers.ofFramework(frameworkId)) this.rescindOffer(offer, 'framework_removed', out);
    for (const task of [...framework.tasks.values()]) killTask(this, framework, task, 'REASON_FRAMEWORK_REMOVED', out);
    for (const client of framework.clients.values()) this.allocator.removeClient(client);
    this.frameworks.delete(frameworkId);
    out.events.push({ type: 'framework.removed', atMs: this.#nowMs, frameworkId });
    return null;
  }

  #suppress(frameworkId: string, roles: readonly string[] | undefined, suppress: boolean, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return unknownFramework(frameworkId);
    const selected = framework.selectRoles(roles);
    for (const role of selected) {
      const client = framework.clients.get(role)!;
      this.allocator.setSuppressed(client, suppress);
      if (!suppress) this.allocator.clearFilters(client);
    }
    if (suppress) out.events.push({ type: 'framework.suppressed', atMs: this.#nowMs, frameworkId, roles: selected });
    else {
      out.events.push({ type: 'framework.revived', atMs: this.#nowMs, frameworkId, roles: selected });
      this.triggerAllocation();
    }
    return null;
  }

  #updateRole(command: Extract<Command, { type: 'role.update' }>, out: StepOutput): Rejection | null {
    if (command.weight !== undefined) {
      if (!(command.weight > 0) || !Number.isFinite(command.weight))
        return { code: 'invalid_weight', message: `weight must be a finite number > 0, got ${command.weight}`, role: command.role };
      this.allocator.setWeight(command.role, command.weight);
    }
    if (command.quota !== undefined) {
      if (command.role.includes('/'))
        return { code: 'invalid_quota', message: `quota is only allowed on top-level roles, not "${command.role}"`, role: command.role };
      const unknown = [...Object.keys(command.quota?.guarantee ?? {}), ...Object.keys(command.quota?.limit ?? {})].filter(
        (name) => !this.layout.has(name),
      );
      if (unknown.length > 0)
        return { code: 'unknown_resource', message: `quota names unknown resources ${unknown.join(', ')}`, role: command.role };
      this.allocator.setQuota(command.role, command.quota ?? undefined);
    }
    const quota = this.allocator.quota.quotaOf(command.role) ?? null;
    out.events.push({ type: 'role.updated', atMs: this.#nowMs, role: command.role, weight: this.allocator.weight(command.role), quota });
    return null;
  }
}

export function unknownFramework(frameworkId: string): Rejection {
  return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
}
