/**
 * The master's record of one task, kept small because a master may hold
 * millions: names and executor ids equal to the task id are not stored
 * twice, the history is an exact-size array of interned entries (tasks that
 * move at the same moment share them), the latest status is kept as fields
 * (an object is made when someone reads it), and unacknowledged uuids are
 * kept as nothing, one string, or a list. Readers see the `Task` interface;
 * only the master changes a record, through its methods.
 */
import type { ResourceSet } from '../resources/resourceSet.js';
import type { CheckStatus, Task, TaskStatus } from './task.js';
import type { TaskReason, TaskState } from './taskState.js';

export interface HistoryEntry {
  readonly state: TaskState;
  readonly atMs: number;
  readonly reason?: TaskReason;
}

const NO_HISTORY: readonly HistoryEntry[] = Object.freeze([]) as readonly HistoryEntry[];

interface RareFields {
  readonly name?: string;
  readonly executorId?: string;
  readonly reason?: TaskReason;
  readonly message?: string;
  readonly healthy?: boolean;
  readonly checkStatus?: CheckStatus;
}

export interface TaskRecordSpec {
  readonly id: string;
  readonly name?: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  readonly resources: ResourceSet;
  readonly executorId?: string;
  readonly data?: unknown;
  readonly state: TaskState;
}

export class TaskRecord implements Task {
  readonly id: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  readonly resources: ResourceSet;
  readonly data?: unknown;
  state: TaskState;
  #history: readonly HistoryEntry[] = NO_HISTORY;
  #unacknowledged: string | string[] | null = null;
  /** The latest status's own fields (its ids are the task's); no latest status while the state is null. */
  #latestState: TaskState | null = null;
  #latestAtMs = 0;
  #latestUuid: string | undefined = undefined;
  /** What most tasks do not have: a name or executor id other than the task id, a reason, message, health or check status. */
  #rare: RareFields | null = null;

  constructor(spec: TaskRecordSpec) {
    this.id = spec.id;
    this.frameworkId = spec.frameworkId;
    this.role = spec.role;
    this.agentId = spec.agentId;
    this.resources = spec.resources;
    if (spec.data !== undefined) this.data = spec.data;
    this.state = spec.state;
    const name = spec.name === undefined || spec.name === spec.id ? undefined : spec.name;
    const executorId = spec.executorId === undefined || spec.executorId === spec.id ? undefined : spec.executorId;
    if (name !== undefined || executorId !== undefined) this.#rare = { name, executorId };
  }

  /** The latest status, as reconciliation reports it (a new object on every read). */
  get latest(): TaskStatus | null {
    if (this.#latestState === null) return null;
    const rare = this.#rare;
    return {
      taskId: this.id,
      frameworkId: this.frameworkId,
      agentId: this.agentId,
      state: this.#latestState,
      ...(rare?.reason ? { reason: rare.reason } : {}),
      ...(rare?.message ? { message: rare.message } : {}),
      ...(this.#latestUuid ? { uuid: this.#latestUuid } : {}),
      ...(rare?.healthy !== undefined ? { healthy: rare.healthy } : {}),
      ...(rare?.checkStatus ? { checkStatus: rare.checkStatus } : {}),
      timestampMs: this.#latestAtMs,
    };
  }

  set latest(status: TaskStatus | null) {
    if (status === null) {
      this.#latestState = null;
      this.#latestAtMs = 0;
      this.#latestUuid = undefined;
      if (this.#rare !== null) this.#rare = { name: this.#rare.name, executorId: this.#rare.executorId };
    } else this.setLatest(status);
  }

  /** `latest = status`, for a status the caller keeps nothing else of (its ids must be the task's). */
  setLatest(status: TaskStatus): void {
    this.#latestState = status.state;
    this.#latestAtMs = status.timestampMs;
    this.#latestUuid = status.uuid;
    const { reason, message, healthy, checkStatus } = status;
    if (this.#rare === null && reason === undefined && message === undefined && healthy === undefined && checkStatus === undefined) return;
    this.#rare = { name: this.#rare?.name, executorId: this.#rare?.executorId, reason, message, healthy, checkStatus };
  }

  /** `latest` = the master's own status (no reason, message, uuid or health) in `state` at `atMs`. */
  setLatestState(state: TaskState, atMs: number): void {
    this.#latestState = state;
    this.#latestAtMs = atMs;
    this.#latestUuid = undefined;
    if (this.#rare !== null) this.#rare = { name: this.#rare.name, executorId: this.#rare.executorId };
  }

  /** The latest status's uuid, without making the status. */
  get latestUuid(): string | undefined {
    return this.#latestUuid;
  }

  get name(): string {
    return this.#rare?.name ?? this.id;
  }

  get executorId(): string {
    return this.#rare?.executorId ?? this.id;
  }

  /** Every state the task has been in, oldest first (read only). */
  get history(): Array<{ state: TaskState; atMs: number; reason?: TaskReason }> {
    return this.#history as Array<{ state: TaskState; atMs: number; reason?: TaskReason }>;
  }

  get historyLength(): number {
    return this.#history.length;
  }

  /** Appends an entry (interned by the registry); the array is replaced, exact-size. */
  appendHistory(entry: HistoryEntry): void {
    const before = this.#history;
    const after = new Array<HistoryEntry>(before.length + 1);
    for (let i = 0; i < before.length; i++) after[i] = before[i];
    after[before.length] = entry;
    this.#history = after;
  }

  /** Appends an entry; the resulting array is shared (frozen) with the tasks whose history is the same. */
  appendSharedHistory(entry: HistoryEntry, entries: HistoryEntries): void {
    this.#history = entries.after(this.#history, entry);
  }

  /** Uuids of agent updates forwarded to the framework and not yet acknowledged, oldest first (a copy). */
  get unacknowledged(): string[] {
    const held = this.#unacknowledged;
    return held === null ? [] : typeof held === 'string' ? [held] : [...held];
  }

  get unacknowledgedCount(): number {
    const held = this.#unacknowledged;
    return held === null ? 0 : typeof held === 'string' ? 1 : held.length;
  }

  isUnacknowledged(uuid: string): boolean {
    const held = this.#unacknowledged;
    return held === uuid || (Array.isArray(held) && held.includes(uuid));
  }

  addUnacknowledged(uuid: string): void {
    const held = this.#unacknowledged;
    if (held === null) this.#unacknowledged = uuid;
    else if (typeof held === 'string') this.#unacknowledged = [held, uuid];
    else held.push(uuid);
  }

  /** Forgets an acknowledged uuid; false when it was not pending. */
  acknowledge(uuid: string): boolean {
    const held = this.#unacknowledged;
    if (held === uuid) {
      this.#unacknowledged = null;
      return true;
    }
    if (!Array.isArray(held)) return false;
    const index = held.indexOf(uuid);
    if (index < 0) return false;
    held.splice(index, 1);
    if (held.length === 1) this.#unacknowledged = held[0];
    return true;
  }
}

/**
 * Interned history entries: tasks that change state at the same moment for the same reason
 * share one frozen entry. Looked up by time, then by state and reason, so a hit allocates
 * nothing. Bounded: the cache starts over when it holds `max` moments.
 */
export class HistoryEntries {
  readonly #byMoment = new Map<number, HistoryEntry[]>();
  /** Shared histories: `before` plus one entry, by `before` and the entry (both interned). */
  readonly #extended = new Map<readonly HistoryEntry[], Map<HistoryEntry, readonly HistoryEntry[]>>();
  #extendedCount = 0;
  readonly #max: number;

  constructor(max = 4096) {
    this.#max = max;
  }

  entry(state: TaskState, atMs: number, reason: TaskReason | undefined): HistoryEntry {
    let entries = this.#byMoment.get(atMs);
    if (entries) {
      for (const entry of entries) if (entry.state === state && entry.reason === reason) return entry;
    } else {
      if (this.#byMoment.size >= this.#max) this.#byMoment.clear();
      entries = [];
      this.#byMoment.set(atMs, entries);
    }
    const entry = Object.freeze(reason === undefined ? { state, atMs } : { state, atMs, reason });
    entries.push(entry);
    return entry;
  }

  /**
   * `before` with `entry` appended, as one frozen array shared by every task that had the
   * same history (a million tasks launched and running at the same moments hold one array,
   * not one each). Bounded: the cache starts over when it holds 4 x `max` histories.
   */
  after(before: readonly HistoryEntry[], entry: HistoryEntry): readonly HistoryEntry[] {
    let next = this.#extended.get(before);
    const known = next?.get(entry);
    if (known) return known;
    if (this.#extendedCount >= this.#max * 4) {
      this.#extended.clear();
      this.#extendedCount = 0;
      next = undefined;
    }
    if (!next) {
      next = new Map();
      this.#extended.set(before, next);
    }
    const after = new Array<HistoryEntry>(before.length + 1);
    for (let i = 0; i < before.length; i++) after[i] = before[i];
    after[before.length] = entry;
    Object.freeze(after);
    next.set(entry, after);
    this.#extendedCount++;
    return after;
  }
}
