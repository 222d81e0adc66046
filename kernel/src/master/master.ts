/**
 * The Master: one `step(command)` entry point over its parts (the allocator,
 * the offer book, the agent and task registries, the frameworks). Pure: time
 * comes in with each command and randomness from the seeded PRNG passed in;
 * what happened comes back as events, and what the host must do as effects.
 * Handlers live beside this file, one concern each, and receive the parts
 * (masterParts.ts), never the Master.
 * Invariants (checked by the testing kit, and by `checks`): no agent is
 * over-committed; a resource is in at most one outstanding offer; each
 * client's allocation is the sum of its offers and live tasks.
 */
import type { Agent } from '../agents/agent.js';
import type { RecoveredAgent, UnregisteredAgent } from '../agents/agentRegistry.js';
import { AgentRegistry } from '../agents/agentRegistry.js';
import type { AgentTable } from '../agents/agentTable.js';
import { AllocationCycle } from '../allocator/allocationCycle.js';
import type { CycleAgents, OfferSink } from '../allocator/cycleAgents.js';
import { Allocator } from '../allocator/allocator.js';
import type { Client } from '../allocator/client.js';
import { OfferBook } from '../offers/offerBook.js';
import type { ResourceQuantities } from '../resources/layout.js';
import { ResourceLayout } from '../resources/layout.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { dominantShare } from '../resources/vector.js';
import type { Task } from '../tasks/task.js';
import { TaskRegistry } from '../tasks/taskRegistry.js';
import { ExecutorTable } from './executorTable.js';
import * as agents from './agentLifecycle.js';
import { afterTaskEnded } from './agentDrain.js';
import { dispatchCommand } from './commandDispatch.js';
import { checkMasterState } from './masterChecks.js';
import type { Command, FrameworkSpec } from './commands.js';
import type { Rejection } from './effects.js';
import * as frameworks from './frameworkCommands.js';
import type { MasterCounters, MasterOptions } from './masterOptions.js';
import {
  DEFAULT_AGENT_REREGISTER_TIMEOUT_MS,
  DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS,
  DEFAULT_KILL_GRACE_PERIOD_MS,
  DEFAULT_MIN_ALLOCATABLE,
} from './masterOptions.js';
import type { FrameworkState } from './frameworkState.js';
import type { MasterParts, MasterTimeouts, StepSink } from './masterParts.js';
import { Maintenance } from '../maintenance/maintenance.js';
import { makeInverseOffers } from './maintenanceHandlers.js';

import type { StepResult } from './stepOutput.js';
import { StepOutput, stepResult } from './stepOutput.js';

export type { StepResult } from './stepOutput.js';
export { StepOutput } from './stepOutput.js';

export type { MasterCounters, MasterOptions } from './masterOptions.js';
export {
  DEFAULT_AGENT_REREGISTER_TIMEOUT_MS,
  DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS,
  DEFAULT_KILL_GRACE_PERIOD_MS,
  DEFAULT_MIN_ALLOCATABLE,
} from './masterOptions.js';

export class Master implements MasterParts {
  readonly options: MasterOptions;
  readonly layout: ResourceLayout;
  readonly allocator: Allocator;
  readonly offers: OfferBook;
  readonly agents: AgentRegistry;
  readonly tasks: TaskRegistry;
  readonly executors: ExecutorTable;
  readonly frameworks = new Map<string, FrameworkState>();
  readonly timeouts: MasterTimeouts;
  /** The maintenance schedule, machine modes and inverse offers (maintenanceHandlers.ts). */
  readonly maintenance = new Maintenance();
  readonly offerTimeoutMs: number | null;
  readonly epoch: number;
  readonly checks: boolean;
  #allocationCycles = 0;
  readonly #cycle: AllocationCycle;
  readonly #cycleAgents: CycleAgents;
  readonly #sink: OfferSink;
  /** Slots of the offers the current cycle made (reused: the previous step's output was made by now). */
  readonly #cycleSlots: number[] = [];
  #nowMs = 0;
  #nextCycleAtMs: number;
  #triggeredAll = false;
  readonly #triggeredAgents = new Set<string>();
  #triggeredIndices = new Int32Array(16);
  /** The latest step's output: its deferred offers are made before the next step changes anything. */
  #unread: StepOutput | null = null;

  constructor(options: MasterOptions) {
    this.options = options;
    this.layout = ResourceLayout.create(options.resourceNames ?? []);
    const allocationIntervalMs = options.allocationIntervalMs ?? 1000;
    if (!(allocationIntervalMs > 0)) throw new Error(`allocationIntervalMs must be > 0, got ${allocationIntervalMs}`);
    this.timeouts = {
      allocationIntervalMs,
      agentUnreachableTimeoutMs: options.agentUnreachableTimeoutMs ?? DEFAULT_AGENT_UNREACHABLE_TIMEOUT_MS,
      agentReregisterTimeoutMs: options.agentReregisterTimeoutMs ?? DEFAULT_AGENT_REREGISTER_TIMEOUT_MS,
      killGracePeriodMs: options.killGracePeriodMs ?? DEFAULT_KILL_GRACE_PERIOD_MS,
    };
    this.offerTimeoutMs = options.offerTimeoutMs ?? null;
    this.epoch = options.epoch ?? 1;
    this.checks = options.checks ?? true;
    this.agents = new AgentRegistry(this.layout, this.checks);
    this.allocator = new Allocator({
      layout: this.layout,
      prng: options.prng,
      allocationIntervalMs,
      roleSorter: options.roleSorter ?? 'drf',
      frameworkSorter: options.frameworkSorter ?? 'drf',
      fairSharingExcludedResourceNames: options.fairSharingExcludedResourceNames ?? [],
      minAllocatable: options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE,
      fastPaths: options.fastPaths ?? true,
      settleFilteredAgents: options.settleFilteredAgents ?? true,
      decisionCycles: options.decisionCycles ?? 0,
      checks: this.checks,
      agentTable: this.agents.table,
    });
    this.tasks = new TaskRegistry(this.agents.table.ledgers);
    this.executors = new ExecutorTable(this.agents.table.ledgers);
    const master = this;
    const registry = this.agents;
    const allocator = this.allocator;
    this.offers = new OfferBook(
      {
        get nowMs() {
          return master.#nowMs;
        },
        agent: (index) => registry.byIndex(index),
        client: (index) => allocator.client(index)!,
        agentIndexOf: (agentId) => registry.get(agentId)?.index ?? -1,
        clientIndicesOf: (frameworkId) => [...(this.frameworks.get(frameworkId)?.clients.values() ?? [])].map((client) => client.index),
        giveBack: (client, agent, resources, filterMs) => this.giveBack(client, agent, resources, filterMs),
      },
      this.layout.size,
      this.epoch === 1 ? 'O' : `O${this.epoch}-`,
      this.agents.table.ledgers,
    );
    this.#cycle = new AllocationCycle(this.allocator);
    this.#cycleAgents = { table: registry.table, byIndex: (index) => registry.byIndex(index) };
    this.#sink = {
      offer: (agentIndex, client, scalars, ports, reserved) =>
        this.#cycleSlots.push(this.offers.record(agentIndex, client, scalars, ports, reserved, this.#nowMs)),
    };
    this.#nextCycleAtMs = allocationIntervalMs;
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  get allocationIntervalMs(): number {
    return this.timeouts.allocationIntervalMs;
  }

  get agentUnreachableTimeoutMs(): number {
    return this.timeouts.agentUnreachableTimeoutMs;
  }

  get agentReregisterTimeoutMs(): number {
    return this.timeouts.agentReregisterTimeoutMs;
  }

  get killGracePeriodMs(): number {
    return this.timeouts.killGracePeriodMs;
  }

  /** The agents' hot state by index (free vectors, versions, skip keys, flags). */
  get agentTable(): AgentTable {
    return this.agents.table;
  }

  get counters(): MasterCounters {
    const offers = this.offers.counters;
    return {
      allocationCycles: this.#allocationCycles,
      offersMade: offers.offersMade,
      offersDeclined: offers.offersDeclined,
      offersAccepted: offers.offersAccepted,
      offersRescinded: offers.offersRescinded,
      tasksLaunched: this.tasks.launched,
    };
  }

  /** Registered agents whose connection is down: each turns unreachable after the timeout. */
  get disconnectedAgents(): ReadonlySet<Agent> {
    return this.agents.disconnected;
  }

  /** Agents that stopped answering; partition-aware tasks on them are UNREACHABLE. */
  get unreachableAgents(): Map<string, UnregisteredAgent> {
    return this.agents.unreachable;
  }

  /** Agents an operator marked gone: they may never come back. */
  get goneAgents(): Map<string, number> {
    return this.agents.gone;
  }

  /** After a failover: agents known from the snapshot that have not re-registered yet. */
  get recoveredAgents(): Map<string, RecoveredAgent> {
    return this.agents.recovered;
  }

  /** Live (non-terminal) tasks by agent, UNREACHABLE ones included. */
  get tasksByAgent(): ReadonlyMap<string, ReadonlySet<Task>> {
    return this.tasks.liveByAgent;
  }

  liveTasksOn(agentId: string): Task[] {
    return this.tasks.liveOn(agentId);
  }

  // Read doors for hosts (the allocator's internals stay the kernel's) ----------

  /** Roles the allocator knows: those with a framework, a quota or a weight an operator set (Mesos lists them all). */
  roleNames(): string[] {
    return [...new Set([...this.allocator.roles.keys(), ...this.allocator.quota.roles(), ...this.allocator.weightedRoles()])];
  }

  roleWeight(role: string): number {
    return this.allocator.weight(role);
  }

  roleQuota(role: string): { guarantee: ResourceQuantities; limit: ResourceQuantities } | null {
    return this.allocator.quota.quotaOf(role) ?? null;
  }

  /** Every agent's total, reserved included, summed: the denominator of every share (read only). */
  clusterTotal(): Readonly<Float64Array> {
    return this.allocator.total;
  }

  /** The dominant share of `scalars` in the cluster's total (fair-sharing exclusions applied, weight 1). */
  dominantShareOf(scalars: Float64Array): number {
    return dominantShare(scalars, this.allocator.total, this.allocator.excluded, 1);
  }

  /** When the host should tick next if nothing else happens. */
  nextWakeMs(): number {
    if (this.#triggeredAll || this.#triggeredAgents.size > 0) return this.#nowMs;
    let wake = this.#nextCycleAtMs;
    if (this.offerTimeoutMs !== null) wake = Math.min(wake, this.offers.earliestCreatedAtMs() + this.offerTimeoutMs);
    for (const agent of this.agents.disconnected) wake = Math.min(wake, agent.sinceMs + this.timeouts.agentUnreachableTimeoutMs);
    // Recovered agents are kept in order of sinceMs (all added at restore): the first is the earliest.
    const firstRecovered = this.agents.recovered.values().next();
    if (!firstRecovered.done) wake = Math.min(wake, firstRecovered.value.sinceMs + this.timeouts.agentReregisterTimeoutMs);
    return Math.max(wake, this.#nowMs);
  }

  step(command: Command): StepResult {
    const out = new StepOutput();
    const rejection = this.#step(command, out);
    return stepResult(rejection, out);
  }

  /**
   * `step` into the caller's output: events and effects are appended to `out`, complete (any
   * offers the step made are made into objects before it returns). For hosts that read every
   * result at once and reuse one output (the simulator): no result object per step.
   */
  stepInto(command: Command, out: StepOutput): Rejection | null {
    const rejection = this.#step(command, out);
    out.materialize();
    return rejection;
  }

  #step(command: Command, out: StepOutput): Rejection | null {
    if (!(command.nowMs >= this.#nowMs)) throw new Error(`time went backwards: ${command.nowMs} < ${this.#nowMs}`);
    this.#unread?.materialize();
    this.#nowMs = command.nowMs;
    this.#unread = out;
    const rejection = this.#dispatch(command, out);
    if (this.checks) checkMasterState(this);
    return rejection;
  }

  #dispatch(command: Command, out: StepOutput): Rejection | null {
    if (command.type === 'tick') {
      this.#tick(out);
      return null;
    }
    return dispatchCommand(this, command, out);
  }

  // Parts' doors ----------------------------------------------------------------

  /** The one way resources go back from a client to an agent (declined, rescinded or unused offers, ended tasks). */
  giveBack(client: Client, agent: Agent, resources: ResourceSet, filterMs: number): void {
    this.allocator.recover(client, agent, resources, this.#nowMs, filterMs);
    if (filterMs > 0) this.#cycle.settleDeclined(agent.index, this.#cycleAgents, this.#nowMs);
  }

  /** Asks for a batched cycle at the next tick (Mesos dispatches one; bursts collapse). */
  triggerAllocation(agentId?: string): void {
    if (agentId === undefined) this.#triggeredAll = true;
    else this.#triggeredAgents.add(agentId);
  }

  taskEndedOn(agentId: string, out: StepSink): void {
    afterTaskEnded(this, agentId, out);
  }

  /** Agents whose resources may be offered: registered, connected and not draining. */
  activeAgents(): readonly Agent[] {
    return this.agents.offerable();
  }

  /** Creates a framework and its clients; a restored master adds them disconnected. */
  addFramework(spec: FrameworkSpec, connected: boolean): FrameworkState {
    return frameworks.addFramework(this, spec, connected);
  }

  // Allocation --------------------------------------------------------------

  #tick(out: StepOutput): void {
    if (this.offerTimeoutMs !== null) this.offers.rescindExpired(this.offerTimeoutMs, out);
    agents.expireAgentTimeouts(this, out);
    const periodic = this.#nowMs >= this.#nextCycleAtMs;
    if (periodic) {
      // Keep the interval's phase: the next cycle is the first one after now, however far the clock jumped.
      const interval = this.timeouts.allocationIntervalMs;
      const behind = this.#nowMs - this.#nextCycleAtMs;
      this.#nextCycleAtMs += (Math.floor(behind / interval) + 1) * interval;
    }
    if (periodic || this.#triggeredAll) {
      const { indices, count } = this.agents.offerableIndices();
      this.#allocate(indices, count, periodic ? 'interval' : 'event', out);
    } else if (this.#triggeredAgents.size > 0) {
      if (this.#triggeredIndices.length < this.#triggeredAgents.size)
        this.#triggeredIndices = new Int32Array(this.#triggeredAgents.size * 2);
      let count = 0;
      for (const id of this.#triggeredAgents) {
        const agent = this.agents.get(id);
        if (agent?.connection === 'active') this.#triggeredIndices[count++] = agent.index;
      }
      this.#allocate(this.#triggeredIndices, count, 'event', out);
    }
    this.#triggeredAll = false;
    this.#triggeredAgents.clear();
    if (periodic) makeInverseOffers(this, out);
  }

  #allocate(candidates: Int32Array, count: number, trigger: 'interval' | 'event', out: StepOutput): void {
    const slots = this.#cycleSlots;
    slots.length = 0;
    const stats = this.#cycle.run(this.#nowMs, candidates, count, this.#cycleAgents, this.#sink);
    this.#allocationCycles++;
    if (slots.length > 0) out.deferOffers(this.offers, slots, this.#nowMs);
    out.events.push({ type: 'allocation.completed', atMs: this.#nowMs, trigger, ...stats });
  }
}
