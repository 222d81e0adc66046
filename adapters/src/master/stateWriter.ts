/**
 * The master's durability contract, in one place so that it outlives the
 * shape of the state (one document today; per-object keys and a write-ahead
 * log later):
 *
 * 1. A write is all-or-nothing and durable when `put` resolves (the store's
 *    promise: the file store writes in full, fsyncs, renames and fsyncs the
 *    directory), so the master always restarts from the last complete state.
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
import type { StateStore } from '../store/stateStore.js';

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
  readonly #key: string;
  readonly #logger: Logger;
  readonly #retryMs: RetryDelays;
  #version = 0;
  #fenced = false;
  #failure: StoreFailure | null = null;
  #closed = false;
  #wake: (() => void) | null = null;

  constructor(store: StateStore, key: string, logger: Logger, retryMs: RetryDelays = STORE_RETRY_MS_DEFAULT) {
    this.#store = store;
    this.#key = key;
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

  /** The version of the value read at recovery (the next put expects it). */
  set version(version: number) {
    this.#version = version;
  }

  /** One attempt. True once durable; false when the write failed (see `failure`) or was refused (`fenced`). */
  async write(document: () => string): Promise<boolean> {
    if (this.#fenced) return false;
    let result: Awaited<ReturnType<StateStore['put']>>;
    try {
      result = await this.#store.put(this.#key, document(), this.#version);
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
        { code: result.code, actualVersion: result.actualVersion },
        `state store refused the write (${result.message}): another master owns the state`,
      );
      return false;
    }
    this.#version = result.version;
    if (this.#failure !== null) this.#logger.warn({ attempts: this.#failure.attempts }, 'the state is stored again: serving writes');
    this.#failure = null;
    return true;
  }

  /** Retries with backoff until the state is durable (true), or the writer is fenced or closed (false). */
  async untilDurable(document: () => string): Promise<boolean> {
    let delayMs = this.#retryMs.min;
    while (!this.#closed && !this.#fenced) {
      if (await this.write(document)) return true;
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
