/**
 * The master's agents, owned in one place: registered agents by id (read like
 * a Map), their hot state by index in the AgentTable, which of them may be
 * offered (in registration order, as allocation cycles shuffle them), and the
 * agents known but not registered (disconnected, unreachable, gone, waiting to
 * re-register after a failover). Only this registry changes an agent's
 * connection, so the table's flags and the offerable list always agree.
 * Invariant: an index belongs to at most one registered agent; an agent is in
 * the offerable list exactly while it is connected and not draining.
 */
import type { ResourceLayout } from '../resources/layout.js';
import type { AgentConnection, AgentSpec } from './agent.js';
import { Agent } from './agent.js';
import type { AgentRecord } from './agentRecord.js';
import { AGENT_DRAINING, AGENT_MAINTENANCE, AGENT_OFFERABLE, AgentTable } from './agentTable.js';

export interface UnregisteredAgent {
  readonly atMs: number;
  readonly record: AgentRecord;
}

export interface RecoveredAgent {
  readonly sinceMs: number;
  readonly record: AgentRecord;
}

export class AgentRegistry implements ReadonlyMap<string, Agent> {
  readonly table: AgentTable;
  /** Registered agents whose connection is down: each turns unreachable after the timeout. */
  readonly disconnected = new Set<Agent>();
  /** Agents that stopped answering; partition-aware tasks on them are UNREACHABLE. */
  readonly unreachable = new Map<string, UnregisteredAgent>();
  /** Agents an operator marked gone: they may never come back (the value is when). */
  readonly gone = new Map<string, number>();
  /** After a failover: agents known from the snapshot that have not re-registered yet, in order of `sinceMs` (all added at restore). */
  readonly recovered = new Map<string, RecoveredAgent>();
  readonly #layout: ResourceLayout;
  readonly #byId = new Map<string, Agent>();
  readonly #byIndex: (Agent | undefined)[] = [];
  readonly #freeIndices: number[] = [];
  #nextIndex = 0;
  #offerable = new Int32Array(16);
  #offerableCount = 0;
  #offerableDirty = false;

  constructor(layout: ResourceLayout, checks = false) {
    this.#layout = layout;
    this.table = new AgentTable(layout.size, 64, checks);
  }

  // ReadonlyMap<string, Agent> ---------------------------------------------------------

  get size(): number {
    return this.#byId.size;
  }

  get(agentId: string): Agent | undefined {
    return this.#byId.get(agentId);
  }

  has(agentId: string): boolean {
    return this.#byId.has(agentId);
  }

  keys(): MapIterator<string> {
    return this.#byId.keys();
  }

  values(): MapIterator<Agent> {
    return this.#byId.values();
  }

  entries(): MapIterator<[string, Agent]> {
    return this.#byId.entries();
  }

  forEach(callback: (agent: Agent, agentId: string, map: ReadonlyMap<string, Agent>) => void): void {
    for (const [agentId, agent] of this.#byId) callback(agent, agentId, this);
  }

  [Symbol.iterator](): MapIterator<[string, Agent]> {
    return this.#byId[Symbol.iterator]();
  }

  // Registration -----------------------------------------------------------------------

  /** The agent at an index (it must be registered). */
  byIndex(index: number): Agent {
    return this.#byIndex[index]!;
  }

  /** The agent at an index, or null when none is registered there. */
  byIndexOrNull(index: number): Agent | null {
    return this.#byIndex[index] ?? null;
  }

  /** Creates and registers an agent; its constructor's error (a bad spec) is thrown back. */
  register(spec: AgentSpec): Agent {
    const index = this.#freeIndices.pop() ?? this.#nextIndex++;
    if (this.table.ensureCapacity(index + 1)) for (const agent of this.#byId.values()) agent.rebindFreeView();
    this.table.reset(index);
    let agent: Agent;
    try {
      agent = new Agent(index, spec.id, spec, this.#layout, this.table);
    } catch (error) {
      this.#freeIndices.push(index);
      throw error;
    }
    this.#byId.set(agent.id, agent);
    this.#byIndex[index] = agent;
    this.#connectionChanged(agent);
    return agent;
  }

  /** Forgets a registered agent and frees its index (its offers and tasks must be settled first). */
  unregister(agent: Agent): void {
    if (this.table.ledgers?.holdsAnything(agent.index))
      throw new Error(`agent ${agent.id} is unregistered while offers or tasks still hold its resources`);
    this.disconnected.delete(agent);
    this.#byId.delete(agent.id);
    this.#byIndex[agent.index] = undefined;
    this.table.reset(agent.index);
    this.#freeIndices.push(agent.index);
    this.#offerableDirty = true;
  }

  /**
   * The one way an agent's connection changes. A disconnected agent's unreachable timeout
   * keeps running while it drains (from the drain's start); re-registering stops it.
   */
  setConnection(agent: Agent, connection: AgentConnection, sinceMs: number): void {
    agent.connection = connection;
    if (connection !== 'active') agent.sinceMs = sinceMs;
    if (connection === 'disconnected') this.disconnected.add(agent);
    else if (connection === 'active') this.disconnected.delete(agent);
    this.#connectionChanged(agent);
  }

  /**
   * Room for maintenance (Mesos machines in DRAINING or DOWN mode, unavailability): the flag is
   * kept in the agent table beside the others; what it changes for offers is the maintenance code's to decide.
   */
  setMaintenance(agent: Agent, inMaintenance: boolean): void {
    this.table.setFlag(agent.index, AGENT_MAINTENANCE, inMaintenance);
  }

  inMaintenance(agent: Agent): boolean {
    return this.table.hasFlag(agent.index, AGENT_MAINTENANCE);
  }

  #connectionChanged(agent: Agent): void {
    const table = this.table;
    table.setFlag(agent.index, AGENT_DRAINING, agent.connection === 'draining');
    table.setFlag(agent.index, AGENT_OFFERABLE, agent.connection === 'active');
    this.#offerableDirty = true;
  }

  /** Indices of the agents that may be offered, in registration order; valid until the next change. */
  offerableIndices(): { readonly indices: Int32Array; readonly count: number } {
    if (this.#offerableDirty) {
      if (this.#offerable.length < this.#byId.size) this.#offerable = new Int32Array(this.#byId.size * 2);
      let count = 0;
      for (const agent of this.#byId.values()) if (this.table.hasFlag(agent.index, AGENT_OFFERABLE)) this.#offerable[count++] = agent.index;
      this.#offerableCount = count;
      this.#offerableDirty = false;
    }
    return { indices: this.#offerable, count: this.#offerableCount };
  }

  /** Agents whose resources may be offered: registered, connected and not draining. */
  offerable(): Agent[] {
    const { indices, count } = this.offerableIndices();
    const out: Agent[] = [];
    for (let i = 0; i < count; i++) out.push(this.#byIndex[indices[i]]!);
    return out;
  }

  /** Whether the registry knows the agent at all (registered, unreachable, gone or waiting to re-register). */
  knows(agentId: string): boolean {
    return this.#byId.has(agentId) || this.unreachable.has(agentId) || this.gone.has(agentId) || this.recovered.has(agentId);
  }
}
