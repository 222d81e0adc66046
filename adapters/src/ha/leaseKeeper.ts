/**
 * Keeps one etcd lease alive over a keep-alive stream and says, on a local
 * monotonic clock, whether it may still be trusted (the rule is LeaseTrust's,
 * in leaseTiming.ts). A timer fires `onLost` the moment the trust runs out,
 * whether or not etcd answers at all; a lost lease is never revived.
 */
import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';
import type { LeaseTiming } from './leaseTiming.js';
import { LEASE_TIMING_DEFAULT, LeaseTrust, ttlSeconds } from './leaseTiming.js';

export interface LeaseKeeperOptions {
  client: Etcd3;
  timing?: LeaseTiming;
  /** Monotonic milliseconds; injectable for tests. */
  now?: () => number;
  onLost: (reason: string) => void;
  /** Told every time the trust moves forward (a lease kept in a worker thread shares it with the master's thread). */
  onTrust?: (trustedUntilMs: number) => void;
  /** Keep-alives are sent only while this holds (a worker stops when the thread it keeps the lease for is wedged). */
  keepAliveWhile?: () => boolean;
}

type KeepAliveStream = IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>;

export class LeaseKeeper {
  readonly id: string;
  readonly #client: Etcd3;
  readonly #timing: LeaseTiming;
  readonly #now: () => number;
  readonly #onLost: (reason: string) => void;
  readonly #onTrust: (trustedUntilMs: number) => void;
  readonly #keepAliveWhile: () => boolean;
  readonly #trust: LeaseTrust;
  readonly #inFlightMax: number;
  #stream: KeepAliveStream | null = null;
  #opening = false;
  #intervalTimer: NodeJS.Timeout | null = null;
  #expiryTimer: NodeJS.Timeout | null = null;
  #lost = false;

  /** Grants a lease and starts keeping it alive. Rejects when etcd cannot grant one within the call deadline. */
  static async grant(options: LeaseKeeperOptions): Promise<LeaseKeeper> {
    const timing = options.timing ?? LEASE_TIMING_DEFAULT;
    const now = options.now ?? (() => performance.now());
    const sentAtMs = now();
    const response = await options.client.leaseClient.leaseGrant({ TTL: ttlSeconds(timing) });
    if (response.error) throw new Error(`etcd refused a lease: ${response.error}`);
    const keeper = new LeaseKeeper(options, timing, now, response.ID, new LeaseTrust(timing, sentAtMs, Number(response.TTL)));
    keeper.#start();
    return keeper;
  }

  private constructor(options: LeaseKeeperOptions, timing: LeaseTiming, now: () => number, id: string, trust: LeaseTrust) {
    this.#client = options.client;
    this.#timing = timing;
    this.#now = now;
    this.#onLost = options.onLost;
    this.#onTrust = options.onTrust ?? (() => undefined);
    this.#keepAliveWhile = options.keepAliveWhile ?? (() => true);
    this.id = id;
    this.#trust = trust;
    // Unanswered keep-alives beyond one TTL's worth mean the stream is dead: replace it.
    this.#inFlightMax = Math.ceil(timing.ttlMs / timing.keepAliveIntervalMs) + 1;
  }

  isTrusted(): boolean {
    return !this.#lost && this.#trust.isTrusted(this.#now());
  }

  /** Until when (on the keeper's clock) the lease was or is trusted, lost or not: when its exclusivity ends or ended. */
  get trustedUntilMs(): number {
    return this.#trust.trustedUntilMs;
  }

  trustEndedForMs(): number {
    return Math.max(0, this.#now() - this.#trust.trustedUntilMs);
  }

  /** Milliseconds of trust left (0 once lost): the leader's remaining guaranteed exclusivity. */
  trustedForMs(): number {
    return this.#lost ? 0 : Math.max(0, this.#trust.trustedUntilMs - this.#now());
  }

  /** Stops keeping the lease alive and asks etcd to revoke it (deleting its keys at once). Best effort. */
  async revoke(): Promise<void> {
    this.#stop();
    this.#lost = true;
    try {
      await this.#client.leaseClient.leaseRevoke({ ID: this.id });
    } catch {
      // etcd unreachable or the lease already gone: it expires by itself within its TTL.
    }
  }

  #start(): void {
    this.#onTrust(this.#trust.trustedUntilMs);
    this.#intervalTimer = setInterval(() => this.#keepAlive(), this.#timing.keepAliveIntervalMs);
    this.#armExpiry();
    this.#keepAlive();
  }

  #keepAlive(): void {
    if (this.#lost || !this.#keepAliveWhile()) return;
    if (this.#stream && this.#trust.inFlight >= this.#inFlightMax) this.#dropStream();
    if (!this.#stream) {
      this.#openStream();
      return;
    }
    try {
      this.#trust.sent(this.#now());
      this.#stream.write({ ID: this.id });
    } catch {
      this.#dropStream();
    }
  }

  #openStream(): void {
    if (this.#opening) return;
    this.#opening = true;
    this.#client.leaseClient
      .leaseKeepAlive()
      .then((stream) => {
        this.#opening = false;
        if (this.#lost) {
          stream.end();
          return;
        }
        this.#stream = stream;
        this.#trust.streamReset();
        stream.on('data', (response: ILeaseKeepAliveResponse) => this.#answered(stream, response));
        stream.on('error', () => this.#dropStream(stream));
        stream.on('end', () => this.#dropStream(stream));
        this.#keepAlive();
      })
      .catch(() => {
        this.#opening = false;
      });
  }

  #answered(stream: KeepAliveStream, response: ILeaseKeepAliveResponse): void {
    if (this.#lost || stream !== this.#stream || this.#trust.inFlight === 0) return;
    const ttl = Number(response.TTL);
    if (!(ttl > 0)) {
      this.#lose('etcd says the lease has expired');
      return;
    }
    this.#trust.acknowledged(ttl);
    this.#onTrust(this.#trust.trustedUntilMs);
    this.#armExpiry();
  }

  #dropStream(stream: KeepAliveStream | null = this.#stream): void {
    if (stream === null || stream !== this.#stream) return;
    this.#stream = null;
    this.#trust.streamReset();
    try {
      stream.end();
    } catch {
      // Already closed by an error.
    }
  }

  #armExpiry(): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    const delayMs = Math.max(0, this.#trust.trustedUntilMs - this.#now());
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = null;
      if (!this.#trust.isTrusted(this.#now()))
        this.#lose(
          `no keep-alive acknowledged in time (trust ends ${this.#timing.safetyMarginMs} ms before the ${this.#timing.ttlMs} ms TTL could run out)`,
        );
      else this.#armExpiry();
    }, delayMs);
  }

  #lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#stop();
    this.#onLost(reason);
  }

  #stop(): void {
    if (this.#intervalTimer) clearInterval(this.#intervalTimer);
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#intervalTimer = null;
    this.#expiryTimer = null;
    this.#dropStream();
  }
}
