/**
 * The runtime's side of reliable status updates: the kernel's
 * StatusUpdateManager (one update in flight per task, resent with backoff
 * until its uuid is acknowledged) plus what a host adds around it: the
 * manager's state is checkpointed before anything is sent, resends are driven
 * by a timer (or by `tick()` under a fake clock), and a throwing sender cannot
 * break the runtime (the update is simply resent later).
 */
import { StatusUpdateManager } from '@allot/kernel';
import type { AcknowledgeResult, StatusUpdate } from '@allot/kernel';
import type { CheckpointStore } from './checkpointStore.js';
import type { AgentLogger } from './logger.js';

export interface StatusUpdateSenderOptions {
  store: CheckpointStore;
  clock: () => number;
  autoResend: boolean;
  send: (update: StatusUpdate) => void;
  logger: AgentLogger;
}

export class StatusUpdateSender {
  readonly #options: StatusUpdateSenderOptions;
  #manager: StatusUpdateManager;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: StatusUpdateSenderOptions) {
    this.#options = options;
    const snapshot = options.store.loadStatusUpdates();
    this.#manager = snapshot ? StatusUpdateManager.restore(snapshot) : new StatusUpdateManager();
  }

  /** Queues an update (checkpointed first) and sends it at once if nothing else of its task is in flight. */
  add(update: StatusUpdate): void {
    const sendNow = this.#manager.add(update, this.#options.clock());
    this.#checkpoint();
    if (sendNow) this.#send(sendNow);
    this.#schedule();
  }

  acknowledge(frameworkId: string, taskId: string, uuid: string): AcknowledgeResult {
    const result = this.#manager.acknowledge(frameworkId, taskId, uuid, this.#options.clock());
    if (!result.ok) return result;
    this.#checkpoint();
    if (result.next) this.#send(result.next);
    this.#schedule();
    return result;
  }

  /** Resends what is due now; returns how many. */
  tick(): number {
    const due = this.#manager.due(this.#options.clock());
    if (due.length > 0) {
      this.#checkpoint();
      for (const update of due) this.#send(update);
    }
    this.#schedule();
    return due.length;
  }

  /** Sends every update in flight again (after a restart or a re-registration). */
  resendInFlight(): number {
    const inFlight = this.#manager.inFlight();
    for (const update of inFlight) this.#send(update);
    this.#schedule();
    return inFlight.length;
  }

  pending(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    return this.#manager.pending(frameworkId, taskId);
  }

  /** Drops a task's queued updates (checkpointed); returns how many there were. */
  discard(frameworkId: string, taskId: string): number {
    const dropped = this.#manager.discard(frameworkId, taskId);
    if (dropped > 0) {
      this.#checkpoint();
      this.#schedule();
    }
    return dropped;
  }

  get pendingCount(): number {
    return this.#manager.pendingCount;
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #checkpoint(): void {
    this.#options.store.saveStatusUpdates(this.#manager.snapshot());
  }

  #send(update: StatusUpdate): void {
    if (this.#closed) return;
    try {
      this.#options.send(update);
    } catch (error) {
      this.#options.logger.error(
        { taskId: update.taskId, uuid: update.uuid, err: error },
        'status update callback threw; the update will be resent',
      );
    }
  }

  #schedule(): void {
    if (!this.#options.autoResend || this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const nextMs = this.#manager.nextRetryAtMs();
    if (!Number.isFinite(nextMs)) return;
    this.#timer = setTimeout(() => this.tick(), Math.max(0, nextMs - this.#options.clock()));
    this.#timer.unref();
  }
}
