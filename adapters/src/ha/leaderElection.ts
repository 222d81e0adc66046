/**
 * Leader election among any number of masters on one etcd key,
 * `<prefix>leader`, holding the leader's id and address and bound to its
 * lease. A candidate creates the key in a transaction only if it does not
 * exist; everyone else watches it (and polls as a backstop) to learn the
 * leader's address and to campaign the moment it disappears. A leader stops
 * being one as soon as its lease cannot be trusted (see leaseTiming.ts for
 * why that is always before anyone else can win), and then campaigns again
 * with a fresh lease unless it was stopped.
 */
import type { Etcd3, IKeyValue, Watcher } from 'etcd3';
import type { LeaderFence } from '../store/etcdStore.js';
import type { Election, ElectionEvent, LeaderInfo } from './election.js';
import { ElectionEvents } from './electionEvents.js';
import { LeaseKeeper } from './leaseKeeper.js';
import type { LeaseTiming } from './leaseTiming.js';
import { LEASE_TIMING_DEFAULT, leaseTimingProblem } from './leaseTiming.js';
import type { Lease } from './threadLease.js';

export type { ElectionEvent, LeaderInfo } from './election.js';

export interface LeaderElectionOptions {
  client: Etcd3;
  /** Key prefix shared by the masters of one cluster, e.g. "/allot/". */
  prefix: string;
  candidate: LeaderInfo;
  timing?: LeaseTiming;
  /** Backstop poll of the leader key while watching it (a missed watch event costs at most this). */
  pollMs?: number;
  now?: () => number;
  /** Where leases come from: kept alive on this thread by default; the HA master keeps them on a worker thread (threadLease.ts). */
  grantLease?: (onLost: (reason: string) => void) => Promise<Lease>;
}

type ElectionState = 'following' | 'leading' | 'stopped';

export class LeaderElection implements Election {
  readonly leaderKey: string;
  readonly #client: Etcd3;
  readonly #candidate: LeaderInfo;
  readonly #timing: LeaseTiming;
  readonly #pollMs: number;
  readonly #now: () => number;
  readonly #grantLease: (onLost: (reason: string) => void) => Promise<Lease>;
  readonly #events = new ElectionEvents();
  #state: ElectionState = 'following';
  #lease: Lease | null = null;
  #fence: LeaderFence | null = null;
  #watcher: Watcher | null = null;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  /** When etcd last answered a round of the loop (monotonic ms). */
  #lastContactMs = 0;

  constructor(options: LeaderElectionOptions) {
    const timing = options.timing ?? LEASE_TIMING_DEFAULT;
    const problem = leaseTimingProblem(timing);
    if (problem) throw new Error(problem);
    if (!/^[^\s]{1,200}$/.test(options.candidate.id)) throw new Error('candidate id must be 1-200 non-space characters');
    this.#client = options.client;
    this.#candidate = { id: options.candidate.id, address: options.candidate.address };
    this.#timing = timing;
    this.#pollMs = options.pollMs ?? 500;
    this.#now = options.now ?? (() => performance.now());
    this.#grantLease =
      options.grantLease ?? ((onLost) => LeaseKeeper.grant({ client: this.#client, timing: this.#timing, now: this.#now, onLost }));
    const prefix = options.prefix.endsWith('/') ? options.prefix : `${options.prefix}/`;
    this.leaderKey = `${prefix}leader`;
  }

  on(listener: (event: ElectionEvent) => void): void {
    this.#events.on(listener);
  }

  /** Starts campaigning (and observing the leader). Idempotent. */
  start(): void {
    if (this.#state === 'stopped') throw new Error('a stopped election cannot be restarted');
    this.#lastContactMs = this.#now();
    this.#loop ??= this.#run();
  }

  /** True only while this candidate leads and its lease is still trusted right now. */
  isLeader(): boolean {
    return this.#state === 'leading' && this.#lease !== null && this.#lease.isTrusted();
  }

  /** The fence for the state store's writes: present only while `isLeader()`. */
  fence(): LeaderFence | null {
    return this.isLeader() ? this.#fence : null;
  }

  /** The current leader as last observed (this candidate included), or null. */
  get leader(): LeaderInfo | null {
    return this.#events.leader;
  }

  /** Milliseconds this leader is still guaranteed to be the only one (0 when not leading). */
  exclusiveForMs(): number {
    return this.isLeader() && this.#lease ? this.#lease.trustedForMs() : 0;
  }

  /** Gives up leadership (if held) and stops campaigning; the key is deleted at once so a follower takes over without waiting for the TTL. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    const wasLeading = this.#state === 'leading';
    this.#state = 'stopped';
    this.#wake?.();
    const lease = this.#lease;
    this.#lease = null;
    this.#fence = null;
    if (wasLeading) this.#events.emit({ type: 'leadership.lost', reason: 'resigned' });
    await lease?.revoke();
    const watcher = this.#watcher;
    this.#watcher = null;
    await watcher?.cancel().catch(() => undefined);
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#isStopped()) {
      try {
        if (!this.#watcher) await this.#watch();
        if (this.#state === 'leading') await this.#checkLeading();
        else await this.#campaign();
        this.#lastContactMs = this.#now();
      } catch {
        // etcd unreachable or slow: the lease timer decides about leadership; try again after the pause.
        // Whoever led then cannot still be leading once a whole TTL passed without us hearing from etcd.
        if (this.#now() - this.#lastContactMs > this.#timing.ttlMs) this.#events.observe(null);
      }
      if (this.#isStopped()) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#pollMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  async #campaign(): Promise<void> {
    if (!this.#lease) {
      let keeper: Lease | null = null;
      keeper = await this.#grantLease((reason) => this.#leaseLost(keeper, reason));
      if (this.#isStopped()) {
        await keeper.revoke();
        return;
      }
      this.#lease = keeper;
    }
    const lease = this.#lease;
    const key = Buffer.from(this.leaderKey, 'utf8');
    const value = Buffer.from(JSON.stringify(this.#candidate), 'utf8');
    const response = await this.#client.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value, lease: lease.id } }],
      failure: [{ request_range: { key } }],
    });
    if (this.#state !== 'following' || this.#lease !== lease) return;
    const holder: IKeyValue | undefined = response.succeeded ? undefined : response.responses[0]?.response_range.kvs[0];
    // A holder with our own lease means an earlier attempt of ours won but its answer was lost.
    const won = response.succeeded || (holder !== undefined && holder.lease === lease.id);
    if (!won) {
      this.#events.observe(holder ? parseLeader(holder) : null);
      return;
    }
    if (!lease.isTrusted()) return; // Too late to lead on this lease; it will be reported lost and replaced.
    this.#state = 'leading';
    this.#fence = { key: this.leaderKey, createRevision: holder ? holder.create_revision : response.header.revision };
    this.#events.emit({ type: 'leadership.gained', fence: this.#fence });
    this.#events.observe(this.#candidate);
  }

  /** While leading, confirm the key is still ours (a backstop for a missed watch event or a deleted key). */
  async #checkLeading(): Promise<void> {
    const fence = this.#fence;
    const response = await this.#client.kv.range({ key: Buffer.from(this.leaderKey, 'utf8') });
    if (this.#state !== 'leading' || this.#fence !== fence) return;
    const holder = response.kvs[0];
    if (!holder || holder.create_revision !== fence?.createRevision)
      this.#stepDown(holder ? 'another master holds the leader key' : 'the leader key was deleted');
  }

  async #watch(): Promise<void> {
    const watcher = await this.#client.watch().key(this.leaderKey).create();
    if (this.#state === 'stopped') {
      await watcher.cancel();
      return;
    }
    this.#watcher = watcher;
    watcher.on('put', (kv: IKeyValue) => {
      if (this.#isStopped()) return;
      if (this.#state === 'leading' && kv.create_revision !== this.#fence?.createRevision)
        this.#stepDown('another master holds the leader key');
      this.#events.observe(parseLeader(kv));
    });
    watcher.on('delete', () => {
      if (this.#isStopped()) return;
      if (this.#state === 'leading') this.#stepDown('the leader key was deleted');
      this.#events.observe(null);
      this.#wake?.(); // Campaign now rather than at the next poll.
    });
    watcher.on('error', () => undefined);
  }

  /** Read through a method so that TypeScript does not narrow the state across awaits. */
  #isStopped(): boolean {
    return this.#state === 'stopped';
  }

  #leaseLost(keeper: Lease | null, reason: string): void {
    if (this.#state === 'stopped' || keeper !== this.#lease) return;
    if (this.#state === 'leading') this.#stepDown(`lease lost: ${reason}`);
    else {
      this.#lease = null;
      void keeper?.revoke();
    }
  }

  /** Leaves the leading state at once (synchronously) and replaces the lease, so the old key goes away. */
  #stepDown(reason: string): void {
    this.#state = 'following';
    this.#fence = null;
    const lease = this.#lease;
    this.#lease = null;
    void lease?.revoke();
    // Leadership ended when the lease's trust did, or now if something else (the key changing hands) ended it first.
    const trustEndedAtMs = lease ? this.#now() - lease.trustEndedForMs() : undefined;
    this.#events.emit({ type: 'leadership.lost', reason, ...(trustEndedAtMs === undefined ? {} : { trustEndedAtMs }) });
    if (this.#events.leader?.id === this.#candidate.id) this.#events.observe(null);
  }
}

/** The leader key's value; a value written by something else reads as an unknown leader without address. */
function parseLeader(kv: IKeyValue): LeaderInfo | null {
  try {
    const parsed = JSON.parse(kv.value.toString('utf8')) as Partial<LeaderInfo>;
    if (typeof parsed.id === 'string' && typeof parsed.address === 'string') return { id: parsed.id, address: parsed.address };
  } catch {
    // Fall through.
  }
  return null;
}
