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

interface Stream {
  readonly queue: StatusUpdate[];
  nextRetryAtMs: number;
  backoffMs: number;
}

export interface StatusUpdateManagerSnapshot {
  streams: Array<{ frameworkId?: string; taskId: string; queue: StatusUpdate[]; nextRetryAtMs: number; backoffMs: number }>;
}

export type AcknowledgeResult =
  | { ok: true; terminal: boolean; next: StatusUpdate | null }
  | { ok: false; code: 'unknown_task' | 'stale_acknowledgement'; message: string };

/** One stream per (framework, task): the length prefix keeps any two id pairs apart. */
export function taskStreamKey(frameworkId: string, taskId: string): string {
  return `${frameworkId.length}:${frameworkId}/${taskId}`;
}

export class StatusUpdateManager {
  readonly #streams = new Map<string, Stream>();
  #pending = 0;

  /** Queues an update; returns it when it should be sent now (nothing else was in flight). */
  add(update: StatusUpdate, nowMs: number): StatusUpdate | null {
    const key = taskStreamKey(update.frameworkId, update.taskId);
    let stream = this.#streams.get(key);
    if (!stream) {
      stream = { queue: [], nextRetryAtMs: Infinity, backoffMs: STATUS_UPDATE_RETRY_INITIAL_MS };
      this.#streams.set(key, stream);
    }
    const last = stream.queue[stream.queue.length - 1];
    if (last && isTerminal(last.state)) throw new Error(`status update after terminal ${last.state} for task ${update.taskId}`);
    stream.queue.push(update);
    this.#pending++;
    if (stream.queue.length > 1) return null;
    stream.nextRetryAtMs = nowMs + STATUS_UPDATE_RETRY_INITIAL_MS;
    stream.backoffMs = STATUS_UPDATE_RETRY_INITIAL_MS;
    return update;
  }

  /** The framework acknowledged `uuid`: drop it and return the next update to send, if any. */
  acknowledge(frameworkId: string, taskId: string, uuid: string, nowMs: number): AcknowledgeResult {
    const key = taskStreamKey(frameworkId, taskId);
    const stream = this.#streams.get(key);
    if (!stream || stream.queue.length === 0)
      return { ok: false, code: 'unknown_task', message: `no pending status updates for task ${taskId}` };
    const head = stream.queue[0];
    if (head.uuid !== uuid)
      return {
        ok: false,
        code: 'stale_acknowledgement',
        message: `acknowledgement ${uuid} for task ${taskId} is not for the update in flight (${head.uuid})`,
      };
    stream.queue.shift();
    this.#pending--;
    const terminal = isTerminal(head.state);
    const next = stream.queue[0] ?? null;
    if (next) {
      stream.nextRetryAtMs = nowMs + STATUS_UPDATE_RETRY_INITIAL_MS;
      stream.backoffMs = STATUS_UPDATE_RETRY_INITIAL_MS;
    } else {
      // Only streams with updates in flight are kept, so that scans cost what is pending, not every task.
      this.#streams.delete(key);
    }
    return { ok: true, terminal, next };
  }

  /**
   * Drops a task's stream (its updates are moot: the master launched a new
   * task with the same id, which the old updates would otherwise describe).
   * Returns how many updates were dropped.
   */
  discard(frameworkId: string, taskId: string): number {
    const key = taskStreamKey(frameworkId, taskId);
    const dropped = this.#streams.get(key)?.queue.length ?? 0;
    this.#streams.delete(key);
    this.#pending -= dropped;
    return dropped;
  }

  /** Updates in flight whose retry time has come; each one's backoff doubles. */
  due(nowMs: number): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const stream of this.#streams.values()) {
      if (stream.queue.length === 0 || stream.nextRetryAtMs > nowMs) continue;
      out.push(stream.queue[0]);
      stream.backoffMs = Math.min(stream.backoffMs * 2, STATUS_UPDATE_RETRY_MAX_MS);
      stream.nextRetryAtMs = nowMs + stream.backoffMs;
    }
    return out;
  }

  nextRetryAtMs(): number {
    let next = Infinity;
    for (const stream of this.#streams.values()) if (stream.queue.length > 0 && stream.nextRetryAtMs < next) next = stream.nextRetryAtMs;
    return next;
  }

  /** Every update in flight (head of each stream), e.g. to resend at once after re-registering. */
  inFlight(): StatusUpdate[] {
    const out: StatusUpdate[] = [];
    for (const stream of this.#streams.values()) if (stream.queue.length > 0) out.push(stream.queue[0]);
    return out;
  }

  pending(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    return this.#streams.get(taskStreamKey(frameworkId, taskId))?.queue ?? [];
  }

  /** Updates queued or in flight, over all tasks. */
  get pendingCount(): number {
    return this.#pending;
  }

  /** Checkpoint form: plain data, safe to JSON.stringify. */
  snapshot(): StatusUpdateManagerSnapshot {
    return {
      streams: [...this.#streams.values()].map((s) => ({
        frameworkId: s.queue[0].frameworkId,
        taskId: s.queue[0].taskId,
        queue: [...s.queue],
        nextRetryAtMs: s.nextRetryAtMs,
        backoffMs: s.backoffMs,
      })),
    };
  }

  static restore(snapshot: StatusUpdateManagerSnapshot): StatusUpdateManager {
    const manager = new StatusUpdateManager();
    for (const s of snapshot.streams) {
      if (s.queue.length === 0) continue;
      // Snapshots written before streams were keyed by framework name it in their updates only.
      manager.#streams.set(taskStreamKey(s.frameworkId ?? s.queue[0].frameworkId, s.taskId), {
        queue: [...s.queue],
        nextRetryAtMs: s.nextRetryAtMs ?? Infinity,
        backoffMs: s.backoffMs,
      });
      manager.#pending += s.queue.length;
    }
    return manager;
  }
}

/** An RFC 4122 version-4 uuid from a seeded PRNG, so simulations stay reproducible. */
export function uuidFromPrng(prng: Prng): string {
  const a = hexWord(prng);
  const b = hexWord(prng);
  const c = hexWord(prng);
  const d = hexWord(prng);
  // Version 4 in the high nibble of the third group, variant 10xx in the fourth.
  const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hexWord(prng: Prng): string {
  const word = Math.floor(prng.next() * 4294967296) >>> 0;
  return HEX_BYTES[word >>> 24] + HEX_BYTES[(word >>> 16) & 0xff] + HEX_BYTES[(word >>> 8) & 0xff] + HEX_BYTES[word & 0xff];
}
