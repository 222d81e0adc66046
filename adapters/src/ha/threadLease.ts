/**
 * An etcd lease kept alive from a worker thread (leaseWorker.ts), so that
 * the master's own thread can be busy for seconds (an allocation over ten
 * thousand agents, a GET_STATE of a hundred thousand tasks, a machine under
 * load) without its keep-alives stalling and the leadership changing hands
 * for nothing. The rule of leaseTiming.ts is unchanged: the deadline the
 * worker computes is read here, from shared memory, at every `isTrusted()`,
 * so the master still checks it synchronously before it acts. The worker
 * stops keeping the lease alive when this thread shows no sign of life for
 * `stallMaxMs`, so a wedged master loses the leadership after that plus the TTL.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LeaseTiming } from './leaseTiming.js';
import { LEASE_TIMING_DEFAULT } from './leaseTiming.js';
import type { LeaseWorkerData, LeaseWorkerMessage } from './leaseClock.js';
import { monotonicMs } from './leaseClock.js';

/** What LeaderElection needs of a lease, kept here or in a worker thread. */
export interface Lease {
  readonly id: string;
  isTrusted(): boolean;
  trustedForMs(): number;
  /** How long ago the lease's trust ran out, lost or not (0 while it is still trusted): when exclusivity ended. */
  trustEndedForMs(): number;
  revoke(): Promise<void>;
}

export interface ThreadLeaseOptions {
  endpoints: readonly string[];
  timing?: LeaseTiming;
  /** How long this thread may show no sign of life before the lease is let go (default 15 s). */
  stallMaxMs?: number;
  onLost: (reason: string) => void;
}

const ALIVE_EVERY_MS = 200;
export const STALL_MAX_MS_DEFAULT = 15_000;

/** The worker: the compiled file next to this one, or the TypeScript source through tsx. */
function startWorker(data: LeaseWorkerData): Worker {
  const fromSources = extname(fileURLToPath(import.meta.url)) === '.ts';
  return new Worker(new URL(fromSources ? './leaseWorkerSource.mjs' : './leaseWorker.js', import.meta.url), { workerData: data });
}

export class ThreadLease implements Lease {
  readonly id: string;
  readonly #worker: Worker;
  readonly #shared: BigInt64Array;
  readonly #alive: NodeJS.Timeout;
  #lost = false;
  #exited = false;

  static grant(options: ThreadLeaseOptions): Promise<ThreadLease> {
    const buffer = new SharedArrayBuffer(16);
    const shared = new BigInt64Array(buffer);
    Atomics.store(shared, 1, BigInt(Math.floor(monotonicMs() * 1000)));
    const data: LeaseWorkerData = {
      endpoints: [...options.endpoints],
      timing: options.timing ?? LEASE_TIMING_DEFAULT,
      stallMaxMs: options.stallMaxMs ?? STALL_MAX_MS_DEFAULT,
      shared: buffer,
    };
    const worker = startWorker(data);
    return new Promise((resolve, reject) => {
      let lease: ThreadLease | null = null;
      worker.on('message', (message: LeaseWorkerMessage) => {
        if (message.type === 'granted') resolve((lease = new ThreadLease(message.id, worker, shared)));
        else if (message.type === 'failed') {
          reject(new Error(message.message));
          void worker.terminate();
        } else if (message.type === 'lost' && lease) lease.#lose(message.reason, options.onLost);
      });
      worker.on('error', (error) => {
        if (lease) lease.#lose(`the lease thread failed: ${error.message}`, options.onLost);
        else reject(error);
      });
    });
  }

  private constructor(id: string, worker: Worker, shared: BigInt64Array) {
    this.id = id;
    this.#worker = worker;
    this.#shared = shared;
    worker.once('exit', () => (this.#exited = true));
    // The sign of life: a busy thread stops writing it, and the worker notices after stallMaxMs.
    this.#alive = setInterval(() => Atomics.store(shared, 1, BigInt(Math.floor(monotonicMs() * 1000))), ALIVE_EVERY_MS);
    this.#alive.unref();
  }

  isTrusted(): boolean {
    return !this.#lost && monotonicMs() < Number(Atomics.load(this.#shared, 0)) / 1000;
  }

  trustedForMs(): number {
    return this.#lost ? 0 : Math.max(0, Number(Atomics.load(this.#shared, 0)) / 1000 - monotonicMs());
  }

  trustEndedForMs(): number {
    return Math.max(0, monotonicMs() - Number(Atomics.load(this.#shared, 0)) / 1000);
  }

  /** Asks the worker to revoke the lease (best effort, bounded), then ends it. */
  async revoke(): Promise<void> {
    this.#lost = true;
    clearInterval(this.#alive);
    if (this.#exited) return;
    const revoked = new Promise<void>((resolve) => {
      this.#worker.on('message', (message: LeaseWorkerMessage) => message.type === 'revoked' && resolve());
      this.#worker.once('exit', () => resolve());
      setTimeout(resolve, 3000).unref();
    });
    this.#worker.postMessage({ type: 'revoke' });
    await revoked;
    await this.#worker.terminate();
  }

  #lose(reason: string, onLost: (reason: string) => void): void {
    if (this.#lost) return;
    this.#lost = true;
    clearInterval(this.#alive);
    void this.#worker.terminate();
    onLost(reason);
  }
}
