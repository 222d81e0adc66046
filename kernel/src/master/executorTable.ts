/**
 * Which custom executors run where, with what resources of their own. As in
 * Mesos, an executor's resources are taken from the offer of the first task
 * launched for its (framework, agent, executor id), in addition to that
 * task's; later tasks for the running executor take only their own; the
 * executor's resources go back when its agent reports it exited, when the
 * agent is lost or removed, or when its framework is torn down. The table
 * keeps each agent's executor total and asserts it never goes negative; the
 * agent ledgers count executor resources as used, so the master's
 * free + offered + used = total check covers them (masterChecks.ts).
 */
import type { AgentLedgers } from '../agents/agentLedgers.js';
import type { ResourceSet } from '../resources/resourceSet.js';

export interface ExecutorRecord {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly executorId: string;
  /** The role whose allocation the resources are charged to (the launching offer's). */
  readonly role: string;
  readonly resources: ResourceSet;
  /** A DEFAULT executor: it ends with its last task; agents do not report it. */
  readonly endsWithTasks?: boolean;
}

const keyOf = (frameworkId: string, agentId: string, executorId: string) =>
  `${frameworkId.length}:${frameworkId}/${agentId.length}:${agentId}/${executorId}`;

/** Amounts below this are rounding, not a negative allocation. */
const EPSILON = 1e-6;

export class ExecutorTable {
  readonly #byKey = new Map<string, ExecutorRecord>();
  readonly #byAgent = new Map<string, Set<ExecutorRecord>>();
  /** Per agent: the executors' scalars (reserved parts folded in), for the never-negative assertion. */
  readonly #allocated = new Map<string, Float64Array>();
  readonly #ledgers: AgentLedgers | null;

  constructor(ledgers: AgentLedgers | null = null) {
    this.#ledgers = ledgers;
  }

  get size(): number {
    return this.#byKey.size;
  }

  get(frameworkId: string, agentId: string, executorId: string): ExecutorRecord | undefined {
    return this.#byKey.get(keyOf(frameworkId, agentId, executorId));
  }

  /** An executor starts holding its resources on the agent at `agentIndex`. */
  add(record: ExecutorRecord, agentIndex: number): void {
    const key = keyOf(record.frameworkId, record.agentId, record.executorId);
    if (this.#byKey.has(key)) throw new Error(`executor ${record.executorId} of ${record.frameworkId} is already on ${record.agentId}`);
    this.#byKey.set(key, record);
    let set = this.#byAgent.get(record.agentId);
    if (!set) this.#byAgent.set(record.agentId, (set = new Set()));
    set.add(record);
    this.#count(record, agentIndex, 1);
  }

  /** The executor stops holding its resources (the caller gives them back to the allocator). */
  remove(record: ExecutorRecord, agentIndex: number): void {
    const key = keyOf(record.frameworkId, record.agentId, record.executorId);
    if (this.#byKey.get(key) !== record)
      throw new Error(`executor ${record.executorId} of ${record.frameworkId} is not on ${record.agentId}`);
    this.#byKey.delete(key);
    const set = this.#byAgent.get(record.agentId)!;
    set.delete(record);
    if (set.size === 0) this.#byAgent.delete(record.agentId);
    this.#count(record, agentIndex, -1);
  }

  onAgent(agentId: string): ExecutorRecord[] {
    return [...(this.#byAgent.get(agentId) ?? [])];
  }

  ofFramework(frameworkId: string): ExecutorRecord[] {
    return this.all().filter((record) => record.frameworkId === frameworkId);
  }

  all(): ExecutorRecord[] {
    return [...this.#byKey.values()];
  }

  /** What the agent's executors hold, scalars with reservations folded in (a copy; zeros when none). */
  allocatedOn(agentId: string, size: number): Float64Array {
    return this.#allocated.get(agentId)?.slice() ?? new Float64Array(size);
  }

  #count(record: ExecutorRecord, agentIndex: number, sign: 1 | -1): void {
    const { resources } = record;
    let sum = this.#allocated.get(record.agentId);
    if (!sum) this.#allocated.set(record.agentId, (sum = new Float64Array(resources.scalars.length)));
    for (let slot = 0; slot < sum.length; slot++) {
      let amount = resources.scalars[slot];
      for (const part of resources.reserved) amount += part.scalars[slot];
      sum[slot] += sign * amount;
      if (sum[slot] < -EPSILON)
        throw new Error(`agent ${record.agentId}: executors' allocation went negative in slot ${slot} (${sum[slot]})`);
    }
    if (!this.#byAgent.has(record.agentId)) this.#allocated.delete(record.agentId);
    if (agentIndex >= 0 && this.#ledgers) this.#ledgers.charge(this.#ledgers.used, agentIndex, resources, sign);
  }
}
