/**
 * The master's durability contract, in one place, whatever the shape of the
 * state (one key per object, see stateChanges.ts):
 *
 * 1. A write is all-or-nothing and durable when `commit` resolves (the
 *    store's promise: the file store appends one record in full and
 *    fdatasyncs it; etcd commits one transaction), so the master always
 *    restarts from the last complete state.
 * 2. A change is acknowledged, and anything it tells agents, frameworks or
 *    observers leaves the process, only after its state is durable (the
 *    host holds the outputs until `write` or `untilDurable` says so).
 * 3. A write that fails (the store throws: ENOSPC, EIO, EMFILE, etcd down or
 *    the value too large) puts the master in the "not writable" state: the
 *    caller of the change gets a `state_not_durable` refusal (503), new
 *    state-changing calls are refused up front, `/health` answers 503 with
 *    the reason, and the writer retries (backoff) until the current state is
 *    stored; then the held outputs go out and writes are served again. The
 *    in-memory change is not rolled back (the kernel cannot undo a step):
 *    it either becomes durable on a retry, or is lost with the process.
 * 4. A write the store refuses (a version conflict, or this master is no
 *    longer the leader) is final: the writer is fenced and writes nothing
 *    more; the daemon stops (HA masters exit and restart as followers).
 */
import type { Logger } from 'pino';
import type { StateStore, StoreWrite } from '../store/stateStore.js';
import { commitOrConfirm } from '../store/stateStore.js';

/** What the writer stores: built afresh at every attempt, so a retry writes the state as it is then. */
export interface DurableState {
  /** The writes that bring the store up to date now (none: it is). */
  pending(): StoreWrite[];
  /** The store took `writes`, at these versions. */
  committed(writes: readonly StoreWrite[], versions: ReadonlyMap<string, number>): void;
}

export interface StoreFailure {
  /** "ENOSPC: no space left on device, write", as the store reported it. */
  readonly message: string;
  readonly sinceMs: number;
  readonly attempts: number;
}

export interface RetryDelays {
  min: number;
  max: number;
}

export const STORE_RETRY_MS_DEFAULT: RetryDelays = { min: 100, max: 5000 };

export class StateWriter {
  readonly #store: StateStore;
  readonly #logger: Logger;
  readonly #retryMs: RetryDelays;
  #fenced = false;
  #failure: StoreFailure | null = null;
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(store: StateStore, logger: Logger, retryMs: RetryDelays = STORE_RETRY_MS_DEFAULT) {
    this.#store = store;
    this.#logger = logger;
    this.#retryMs = retryMs;
  }

  /** The store refused a write: this master must not write (or act) any more. */
  get fenced(): boolean {
    return this.#fenced;
  }

  /** Set while the last write failed and no retry has succeeded yet. */
  get failure(): StoreFailure | null {
    return this.#failure;
  }

  /** One attempt. True once durable; false when the write failed (see `failure`) or was refused (`fenced`). */
  async write(state: DurableState): Promise<boolean> {
    if (this.#fenced) return false;
    const writes = state.pending();
    let result: Awaited<ReturnType<StateStore['commit']>> = { ok: true, versions: new Map() };
    try {
      // A retry after a lost answer finds its own writes in place: that is a success, not a conflict.
      if (writes.length > 0) result = await commitOrConfirm(this.#store, writes);
    } catch (error) {
      const message = errorMessage(error);
      const attempts = (this.#failure?.attempts ?? 0) + 1;
      if (this.#failure === null)
        this.#logger.error({ err: error }, `the state could not be stored (${message}): not serving writes until it can`);
      this.#failure = { message, sinceMs: this.#failure?.sinceMs ?? Date.now(), attempts };
      return false;
    }
    if (!result.ok) {
      this.#fenced = true;
      this.#logger.fatal(
        { code: result.code, key: result.key, actualVersion: result.actualVersion },
        `state store refused the write (${result.message}): another master owns the state`,
      );
      return false;
    }
    if (writes.length > 0) state.committed(writes, result.versions);
    if (this.#failure !== null) this.#logger.warn({ attempts: this.#failure.attempts }, 'the state is stored again: serving writes');
    this.#failure = null;
    return true;
  }

  /** Retries with backoff until the state is durable (true), or the writer is fenced or closed (false). */
  async untilDurable(state: DurableState): Promise<boolean> {
    let delayMs = this.#retryMs.min;
    while (!this.#closed && !this.#fenced) {
      if (await this.write(state)) return true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
      delayMs = Math.min(this.#retryMs.max, delayMs * 2);
    }
    return false;
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return (code && !text.startsWith(code) ? `${code}: ${text}` : text).slice(0, 500);
}
