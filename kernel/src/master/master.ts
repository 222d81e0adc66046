/**
 * The Master: one `step(command)` entry point over the allocator, offers,
 * agents, frameworks and tasks. Pure: time comes in with each command and
 * randomness from the seeded PRNG passed in; what happened comes back as
 * events, and what the host must do as effects.
 * Invariants (checked by the testing kit): no agent is over-committed; a
 * resource is in at most one outstanding offer; each client's allocation is
 * the sum of its offers and live tasks.
 */
import { Agent } from '../agents/agent.js';
import type { AgentSpec } from '../agents/agent.js';
import type { OfferGrant } from '../allocator/allocationCycle.js';
import { AllocationCycle } from '../allocator/allocationCycle.js';
import type { AllocatorOptions } from '../allocator/allocator.js';
import { Allocator, filterDurationMs } from '../allocator/allocator.js';
import type { Offer } from '../offers/offer.js';
import { OfferBook } from '../offers/offer.js';
import type { Prng } from '../prng.js';
import { ResourceLayout } from '../resources/layout.js';
import type { ResourceQuantities } from '../resources/layout.js';
import { VectorPool } from '../resources/vector.js';
import type { Task } from '../tasks/task.js';
import type { Command } from './commands.js';
import type { Effect, Rejection } from './effects.js';
import type { KernelEvent, RescindReason } from './events.js';
import { FrameworkState } from './frameworkState.js';
import { handleAccept } from './acceptOffers.js';
import { handleTaskStatus, handleTaskKill, recordTaskState } from './taskHandlers.js';

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
  fastPaths?: boolean;
  decisionCycles?: number;
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

export class Master {
  readonly layout: ResourceLayout;
  readonly allocator: Allocator;
  readonly offers = new OfferBook();
  readonly agents = new Map<string, Agent>();
  readonly frameworks = new Map<string, FrameworkState>();
  readonly counters: MasterCounters = { allocationCycles: 0, offersMade: 0, offersDeclined: 0, offersAccepted: 0, offersRescinded: 0, tasksLaunched: 0 };
  readonly allocationIntervalMs: number;
  readonly offerTimeoutMs: number | null;
  readonly #cycle: AllocationCycle;
  readonly #pool: VectorPool;
  readonly #freeAgentIndices: number[] = [];
  #agentList: Agent[] = [];
  #agentListDirty = false;
  #nextAgentIndex = 0;
  #nowMs = 0;
  #nextCycleAtMs: number;
  #triggeredAll = false;
  readonly #triggeredAgents = new Set<string>();

  constructor(options: MasterOptions) {
    this.layout = ResourceLayout.create(options.resourceNames ?? []);
    this.allocationIntervalMs = options.allocationIntervalMs ?? 1000;
    if (!(this.allocationIntervalMs > 0)) throw new Error(`allocationIntervalMs must be > 0, got ${this.allocationIntervalMs}`);
    this.offerTimeoutMs = options.offerTimeoutMs ?? null;
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
    this.#pool = new VectorPool(this.layout.size, 64);
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
    return wake;
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
        return this.#addAgent(command.agent, command.tasks ?? [], out);
      case 'agent.remove':
        return this.#removeAgent(command.agentId, out);
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
      case 'offer.accept':
        return handleAccept(this, command, out);
      case 'offer.decline':
        return this.#decline(command.frameworkId, command.offerIds, command.refuseSeconds, out);
      case 'task.kill':
        return handleTaskKill(this, command, out);
      case 'task.status':
        return handleTaskStatus(this, command, out);
      case 'role.update':
        return this.#updateRole(command, out);
      default: {
        const unknown: never = command;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  }

  // Allocation --------------------------------------------------------------

  #tick(out: StepOutput): void {
    this.#expireOffers(out);
    const periodic = this.#nowMs >= this.#nextCycleAtMs;
    if (periodic) {
      while (this.#nextCycleAtMs <= this.#nowMs) this.#nextCycleAtMs += this.allocationIntervalMs;
    }
    if (periodic || this.#triggeredAll) this.#allocate(this.#activeAgents(), periodic ? 'interval' : 'event', out);
    else if (this.#triggeredAgents.size > 0) {
      const agents = [...this.#triggeredAgents].map((id) => this.agents.get(id)).filter((agent): agent is Agent => agent !== undefined);
      this.#allocate(agents, 'event', out);
    }
    this.#triggeredAll = false;
    this.#triggeredAgents.clear();
  }

  /** Asks for a batched cycle at the next tick (Mesos dispatches one; bursts collapse). */
  triggerAllocation(agentId?: string): void {
    if (agentId === undefined) this.#triggeredAll = true;
    else this.#triggeredAgents.add(agentId);
  }

  #allocate(agents: readonly Agent[], trigger: 'interval' | 'event', out: StepOutput): void {
    const grants: OfferGrant[] = [];
    const stats = this.#cycle.run(this.#nowMs, agents, grants);
    this.counters.allocationCycles++;
    let byFramework: Map<string, Offer[]> | null = null;
    for (const grant of grants) {
      const offer: Offer = {
        id: this.offers.nextId(),
        frameworkId: grant.client.frameworkId,
        role: grant.client.role.name,
        agentId: grant.agent.id,
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

  #activeAgents(): readonly Agent[] {
    if (this.#agentListDirty) {
      this.#agentList = [...this.agents.values()];
      this.#agentListDirty = false;
    }
    return this.#agentList;
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
    out.events.push({ type: 'offer.rescinded', atMs: this.#nowMs, offerId: offer.id, frameworkId: offer.frameworkId, agentId: offer.agentId, reason });
    out.effects.push({ type: 'framework.rescind', frameworkId: offer.frameworkId, offerId: offer.id });
  }

  #decline(frameworkId: string, offerIds: readonly string[], refuseSeconds: number | undefined, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
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
    if (unknown.length > 0) return { code: 'unknown_offer', message: `no outstanding offers ${unknown.join(', ')} for framework ${frameworkId}`, offerIds: unknown };
    return null;
  }

  // Agents ------------------------------------------------------------------

  #addAgent(spec: AgentSpec, tasks: readonly import('./commands.js').ReportedTask[], out: StepOutput): Rejection | null {
    if (this.agents.has(spec.id)) return { code: 'agent_exists', message: `agent ${spec.id} is already registered`, agentId: spec.id };
    const unknown = [...this.layout.unknownNames(spec.resources), ...(spec.reservations ?? []).flatMap((r) => this.layout.unknownNames(r.resources))];
    if (unknown.length > 0) {
      return { code: 'unknown_resource', message: `resource names ${unknown.join(', ')} are not in the master's layout (${this.layout.names.join(', ')})`, names: unknown };
    }
    const index = this.#freeAgentIndices.pop() ?? this.#nextAgentIndex++;
    if (this.#pool.ensureCapacity(index + 1)) for (const agent of this.agents.values()) agent.rebindFreeView(this.#pool.view(agent.index));
    let agent: Agent;
    try {
      agent = new Agent(index, spec.id, spec, this.layout, this.#pool.view(index));
    } catch (error) {
      this.#freeAgentIndices.push(index);
      return { code: 'invalid_agent', message: (error as Error).message, agentId: spec.id };
    }
    this.agents.set(agent.id, agent);
    this.#agentListDirty = true;
    this.allocator.addAgent(agent);
    out.events.push({ type: 'agent.added', atMs: this.#nowMs, agentId: agent.id });
    for (const reported of tasks) this.#adoptTask(agent, reported, out);
    this.triggerAllocation(agent.id);
    return null;
  }

  /** A task an agent brings along: charged to its framework as if launched from an offer. */
  #adoptTask(agent: Agent, reported: import('./commands.js').ReportedTask, out: StepOutput): void {
    const framework = this.frameworks.get(reported.frameworkId);
    const client = framework?.clients.get(reported.role);
    if (!framework || !client) throw new Error(`agent ${agent.id} reports task ${reported.taskId} of unknown framework/role ${reported.frameworkId}/${reported.role}`);
    this.allocator.allocate(client, agent, reported.resources);
    const task: Task = {
      id: reported.taskId,
      name: reported.taskId,
      frameworkId: framework.id,
      role: reported.role,
      agentId: agent.id,
      resources: reported.resources,
      ...(reported.data !== undefined ? { data: reported.data } : {}),
      state: reported.state,
      history: [],
    };
    framework.tasks.set(task.id, task);
    recordTaskState(this, task, reported.state, undefined, undefined, out);
  }

  #removeAgent(agentId: string, out: StepOutput): Rejection | null {
    const agent = this.agents.get(agentId);
    if (!agent) return { code: 'unknown_agent', message: `agent ${agentId} is not registered`, agentId };
    for (const offer of this.offers.ofAgent(agentId)) this.rescindOffer(offer, 'agent_removed', out);
    for (const framework of this.frameworks.values()) {
      for (const task of framework.tasks.values()) {
        if (task.agentId !== agentId) continue;
        const state = framework.partitionAware ? 'TASK_GONE' : 'TASK_LOST';
        handleTaskStatus(this, { type: 'task.status', nowMs: this.#nowMs, agentId, frameworkId: framework.id, taskId: task.id, state, reason: 'REASON_AGENT_REMOVED', message: `agent ${agentId} was removed` }, out);
      }
    }
    this.allocator.removeAgent(agent);
    this.agents.delete(agentId);
    this.#freeAgentIndices.push(agent.index);
    this.#agentListDirty = true;
    out.events.push({ type: 'agent.removed', atMs: this.#nowMs, agentId });
    return null;
  }

  // Frameworks --------------------------------------------------------------

  #subscribe(spec: import('./commands.js').FrameworkSpec, out: StepOutput): Rejection | null {
    if (spec.roles.length === 0) return { code: 'invalid_framework', message: `framework ${spec.id} must subscribe to at least one role`, frameworkId: spec.id };
    const existing = this.frameworks.get(spec.id);
    if (existing) {
      existing.connected = true;
      for (const client of existing.clients.values()) this.allocator.setConnected(client, true);
      out.events.push({ type: 'framework.subscribed', atMs: this.#nowMs, frameworkId: spec.id, roles: existing.roles, resubscribed: true });
      this.triggerAllocation();
      return null;
    }
    const capabilities = new Set(spec.capabilities ?? []);
    const framework = new FrameworkState(spec.id, spec.name ?? spec.id, capabilities);
    for (const role of spec.roles) {
      const client = this.allocator.addClient(spec.id, role, capabilities, spec.minAllocatable?.[role] ?? null);
      framework.clients.set(role, client);
    }
    this.frameworks.set(spec.id, framework);
    out.events.push({ type: 'framework.subscribed', atMs: this.#nowMs, frameworkId: spec.id, roles: framework.roles, resubscribed: false });
    this.triggerAllocation();
    return null;
  }

  #disconnect(frameworkId: string, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
    framework.connected = false;
    for (const offer of this.offers.ofFramework(frameworkId)) this.rescindOffer(offer, 'framework_disconnected', out);
    for (const client of framework.clients.values()) this.allocator.setConnected(client, false);
    out.events.push({ type: 'framework.disconnected', atMs: this.#nowMs, frameworkId });
    return null;
  }

  #teardown(frameworkId: string, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
    for (const offer of this.offers.ofFramework(frameworkId)) this.rescindOffer(offer, 'framework_removed', out);
    for (const task of [...framework.tasks.values()]) {
      if (task.state === 'TASK_FINISHED' || task.state === 'TASK_FAILED' || task.state === 'TASK_KILLED') continue;
      out.effects.push({ type: 'agent.kill', agentId: task.agentId, frameworkId, taskId: task.id });
      handleTaskStatus(this, { type: 'task.status', nowMs: this.#nowMs, agentId: task.agentId, frameworkId, taskId: task.id, state: 'TASK_KILLED', reason: 'REASON_FRAMEWORK_REMOVED' }, out);
    }
    for (const client of framework.clients.values()) this.allocator.removeClient(client);
    this.frameworks.delete(frameworkId);
    out.events.push({ type: 'framework.removed', atMs: this.#nowMs, frameworkId });
    return null;
  }

  #suppress(frameworkId: string, roles: readonly string[] | undefined, suppress: boolean, out: StepOutput): Rejection | null {
    const framework = this.frameworks.get(frameworkId);
    if (!framework) return { code: 'unknown_framework', message: `framework ${frameworkId} is not subscribed`, frameworkId };
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
      if (!(command.weight > 0) || !Number.isFinite(command.weight)) return { code: 'invalid_weight', message: `weight must be a finite number > 0, got ${command.weight}`, role: command.role };
      this.allocator.setWeight(command.role, command.weight);
    }
    if (command.quota !== undefined) {
      if (command.role.includes('/')) return { code: 'invalid_quota', message: `quota is only allowed on top-level roles, not "${command.role}"`, role: command.role };
      this.allocator.setQuota(command.role, command.quota ?? undefined);
    }
    const quota = this.allocator.quota.quotaOf(command.role) ?? null;
    out.events.push({ type: 'role.updated', atMs: this.#nowMs, role: command.role, weight: this.allocator.weight(command.role), quota });
    return null;
  }
}
