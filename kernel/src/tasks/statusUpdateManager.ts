/**
 * Reliable status updates, agent side (Mesos `TaskStatusUpdateManager`): per
 * task (a task id is unique only within its framework, so streams are keyed
 * by framework and task) a stream of updates, each with a uuid; one update per task is in flight
 * and is resent after 10 s, doubling up to 10 min, until the framework
 * acknowledges that uuid; the next update is sent as soon as the previous one
 * is acknowledged. Duplicate and stale acknowledgements are ignored.
 * Pure and clock-free: hosts pass `nowMs` and ask `due(nowMs)` what to resend.
 */
import type { Prng } from '../prng.js';
import type { CheckStatus } from './task.js';
import type { TaskReason, TaskState } from './taskState.js';
import { isTerminal } from './taskState.js';

export const STATUS_UPDATE_RETRY_INITIAL_MS = 10_000;
export const STATUS_UPDATE_RETRY_MAX_MS = 600_000;

export interface StatusUpdate {
  readonly uuid: string;
  readonly taskId: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly state: TaskState;
  readonly reason?: TaskReason;
  readonly message?: string;
  readonly healthy?: boolean;
  readonly checkStatus?: CheckStatus;
  readonly timestampMs: number;
}

/**
 * One task's updates once it needs more than the update itself: a queue behind the one in
 * flight, or a retry schedule other than "10 s after it was sent". A task with one update
 * sent at its own timestamp and not yet retried (almost all of them) is stored as the bare
 * update: a million updates in flight cost no stream object each.
 */
class Stream {
  constructor(
    public head: StatusUpdate,
    public rest: StatusUpdate[] | null,
    public nextRetryAtMs: number,
    public backoffMs: number,
  ) {}
}

type Entry = StatusUpdate | Stream;

function queueOf(entry: Entry): StatusUpdate[] {
  if (!(entry instanceof Stream)) return [entry];
  return entry.rest === null ? [entry.head] : [entry.head, ...entry.rest];
}

function asStream(entry: Entry): Stream {
  return entry instanceof Stream
    ? entry
    : new Stream(entry, null, entry.timestampMs + STATUS_UPDATE_RETRY_INITIAL_MS, STATUS_UPDATE_RETRY_INITIAL_MS);
}

function retryAtMs(entry: Entry): number {
  return entry instanceof Stream ? entry.nextRetryAtMs : entry.timestampMs + STATUS_UPDATE_RETRY_INITIAL_MS;
}

export interface StatusUpdateManagerSnapshot {
  streams: Array<{ frameworkId?: string; taskId: string; queue: StatusUpdate[]; nextRetryAtMs: number; backoffMs: number }>;
}

export type AcknowledgeResult =
  | { ok: true; terminal: boolean; next: StatusUpdate | null }
  | { ok: false; code: 'unknown_task' | 'stale_acknowledgement'; message: string };

/** The common answers to an acknowledgement, made once (a million acknowledgements allocate nothing). */
const LIVE_DONE: AcknowledgeResult = Object.freeze({ ok: true, terminal: false, next: null });
const TERMINAL_DONE: AcknowledgeResult = Object.freeze({ ok: true, terminal: true, next: null });

/** One stream per (framework, task): the length prefix keeps any two id pairs apart. */
export function taskStreamKey(frameworkId: string, taskId: string): string {
  return `${frameworkId.length}:${frameworkId}/${taskId}`;
}

/** A stream's key: `taskStreamKey`'s string by default; a host that interns its tasks may use small numbers. */
export type StreamKey = string | number;

/** How a manager keys its streams (see the constructor). */
export interface StreamKeys {
  /** The key of the task's stream, made when the task has none yet (an update is added). */
  keyFor(frameworkId: string, taskId: string): StreamKey;
  /** The task's key, or undefined when it has none (then it has no stream either). */
  find(frameworkId: string, taskId: string): StreamKey | undefined;
}

const STRING_KEYS: StreamKeys = { keyFor: taskStreamKey, find: taskStreamKey };

export class StatusUpdateManager {
  readonly #streams = new Map<StreamKey, Entry>();
  #pending = 0;
  readonly #keys: StreamKeys;

  /**
   * `keys`: by default a stream is keyed by `taskStreamKey`, a string built on every call; a
   * host with many tasks (the simulator's agents) passes keys it interns, so that an update
   * and its acknowledgement build no string. Iteration order is insertion order either way.
   */
  constructor(keys: StreamKeys = STRING_KEYS) {
    this.#keys = keys;
  }

  /** Queues an update; returns it when it should be sent now (nothing else was in flight). */
  add(update: StatusUpdate, nowMs: number): StatusUpdate | null {
    const key = this.#keys.keyFor(update.frameworkId, update.taskId);
    const entry = this.#streams.get(key);
    if (!entry) {
      const fresh = update.timestampMs === nowMs;
      this.#streams.set(
        key,
        fresh ? update : new Stream(update, null, nowMs + STATUS_UPDATE_RETRY_INITIAL_MS, STATUS_UPDATE_RETRY_INITIAL_MS),
      );
      this.#pending++;
      return update;
    }
    const stream = asStream(entry);
    const last = stream.rest === null ? stream.head : stream.rest[stream.rest.length - 1];
    if (isTerminal(last.state)) throw new Error(`status update after terminal ${last.state} for task ${update.taskId}`);
    if (stream.rest === null) stream.rest = [update];
    else stream.rest.push(update);
    if (stream !== entry) this.#streams.set(key, stream);
    this.#pending++;
    return null;
  }

  /** The framework acknowledged `uuid`: drop it and return the next update to send, if any. */
  acknowledge(frameworkId: string, taskId: string, uuid: string, nowMs: number): AcknowledgeResult {
    const key = this.#keys.find(frameworkId, taskId);
    const entry = key === undefined ? undefined : this.#streams.get(key);
    if (key === undefined || !entry) return { ok: false, code: 'unknown_task', message: `no pending status updates for task ${taskId}` };
    const head = entry instanceof Stream ? entry.head : entry;
    if (head.uuid !== uuid)
      return {
        ok: false,
        code: 'stale_acknowledgement',
        message: `acknowledgement ${uuid} for task ${taskId} is not for the update in flight (${head.uuid})`,
      };
    this.#pending--;
    const terminal = isTerminal(head.state);
    const next = entry instanceof Stream && entry.rest !== null ? entry.rest.shift()! : null;
    if (next && entry instanceof Stream) {
      entry.head = next;
      if (entry.rest!.length === 0) entry.rest = null;
      entry.nextRetryAtMs = nowMs + STATUS_UPDATE_RETRY_INITIAL_MS;
      entry.backoffMs = STATUS_UPDATE_RETRY_INITIAL_MS;
      return { ok: true, terminal, next };
    }
    // Only streams with updates in flight are kept, so that scans cost what is pending, not every task.
    this.#streams.delete(key);
    return terminal ? TERMINAL_DONE : LIVE_DONE;
  }

  /**
   * Drops a task's stream (its updates are moot: the master launched a new
   * task with the same id, which the old updates would otherwise describe).
   * Returns how many updates were dropped.
   */
  discard(frameworkId: string, taskId: string): number {
    const key = this.#keys.find(frameworkId, taskId);
    const entry = key === undefined ? undefined : this.#streams.get(key);
    if (key === undefined || !entry) return 0;
    const dropped = queueOf(entry).length;
    this.#streams.delete(key);
    this.#pending -= dropped;
    return dropped;
  }

  /** Updates in flight whose retry time has come; each one's backoff doubles. */
  due(nowMs: number): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const [key, entry] of this.#streams) {
      if (retryAtMs(entry) > nowMs) continue;
      const stream = asStream(entry);
      out.push(stream.head);
      stream.backoffMs = Math.min(stream.backoffMs * 2, STATUS_UPDATE_RETRY_MAX_MS);
      stream.nextRetryAtMs = nowMs + stream.backoffMs;
      if (stream !== entry) this.#streams.set(key, stream);
    }
    return out;
  }

  nextRetryAtMs(): number {
    let next = Infinity;
    for (const entry of this.#streams.values()) next = Math.min(next, retryAtMs(entry));
    return next;
  }

  /** Every update in flight (head of each stream), e.g. to resend at once after re-registering. */
  inFlight(): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const entry of this.#streams.values()) out.push(entry instanceof Stream ? entry.head : entry);
    return out;
  }

  pending(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    const key = this.#keys.find(frameworkId, taskId);
    const entry = key === undefined ? undefined : this.#streams.get(key);
    return entry ? queueOf(entry) : [];
  }

  /** Whether the task has updates queued or in flight. */
  has(frameworkId: string, taskId: string): boolean {
    const key = this.#keys.find(frameworkId, taskId);
    return key !== undefined && this.#streams.has(key);
  }

  /** Updates queued or in flight, over all tasks. */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Checkpoint form: plain data, safe to JSON.stringify. */
  snapshot(): StatusUpdateManagerSnapshot {
    return {
      streams: [...this.#streams.values()].map((entry) => {
        const stream = asStream(entry);
        const { frameworkId, taskId } = stream.head;
        return { frameworkId, taskId, queue: queueOf(stream), nextRetryAtMs: stream.nextRetryAtMs, backoffMs: stream.backoffMs };
      }),
    };
  }

  static restore(snapshot: StatusUpdateManagerSnapshot): StatusUpdateManager {
    const manager = new StatusUpdateManager();
    for (const s of snapshot.streams) {
      if (s.queue.length === 0) continue;
      const rest = s.queue.length > 1 ? s.queue.slice(1) : null;
      // Snapshots written before streams were keyed by framework name it in their updates only.
      const key = taskStreamKey(s.frameworkId ?? s.queue[0].frameworkId, s.taskId);
      manager.#streams.set(key, new Stream(s.queue[0], rest, s.nextRetryAtMs ?? Infinity, s.backoffMs));
      manager.#pending += s.queue.length;
    }
    return manager;
  }
}

/**
 * An RFC 4122 version-4 uuid from a seeded PRNG, so simulations stay reproducible.
 * Built from character codes in one go: a flat 36-character string, not a tree of
 * concatenations (a million retained uuids would otherwise cost half a kilobyte each).
 */
export function uuidFromPrng(prng: Prng): string {
  const codes = UUID_CODES;
  writeWord(codes, 0, word(prng), 0, 8);
  const b = word(prng);
  const c = word(prng);
  const d = word(prng);
  codes[8] = DASH;
  writeWord(codes, 9, b, 0, 4);
  codes[13] = DASH;
  // Version 4 in the high nibble of the third group, then b's nibbles 5..7 (nibble 4 is dropped).
  codes[14] = HEX[4];
  writeWord(codes, 15, b, 5, 8);
  codes[18] = DASH;
  // Variant 10xx in the fourth group: c's first nibble with its top bits forced.
  codes[19] = HEX[((c >>> 28) & 0x3) | 0x8];
  writeWord(codes, 20, c, 1, 4);
  codes[23] = DASH;
  writeWord(codes, 24, c, 4, 8);
  writeWord(codes, 28, d, 0, 8);
  return String.fromCharCode.apply(null, codes as unknown as number[]);
}

const HEX = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));
const DASH = '-'.charCodeAt(0);
const UUID_CODES = new Array<number>(36).fill(0);

/** The same word either way: `next()` is a 32-bit word over 2^32, exact in a double. */
function word(prng: Prng): number {
  return prng.nextUint32 ? prng.nextUint32() : Math.floor(prng.next() * 4294967296) >>> 0;
}

/** Writes nibbles [from, to) of a 32-bit word (nibble 0 is the most significant) as hex digits at `at`. */
function writeWord(codes: number[], at: number, value: number, from: number, to: number): void {
  for (let nibble = from; nibble < to; nibble++) codes[at + nibble - from] = HEX[(value >>> (28 - nibble * 4)) & 0xf];
}
