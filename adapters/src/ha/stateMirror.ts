/**
 * A follower's copy of the master's state in etcd (a warm standby, as Mesos
 * replicas hold the replicated log): read in full once, then refreshed every
 * `refreshMs` with only the values modified since, and parsed the way a new
 * leader will parse it, so that a takeover at ten thousand agents neither
 * reads megabytes nor runs cold code. `catchUp()` is what the new leader
 * reads instead of a full list: every key that exists now and the values
 * changed since the copy's revision, read after the leader key was won, so
 * it includes every write the previous leader could make (the fence refuses
 * any later one).
 */
import { createPrng, restoreMaster } from '@allot/kernel';
import type { Logger } from 'pino';
import { loadState } from '../master/stateLoader.js';
import type { EtcdStore } from '../store/etcdStore.js';
import type { StateStore, StoredValue } from '../store/stateStore.js';

export const MIRROR_REFRESH_MS = 2000;
/** Parsing ten thousand agents costs tens of ms: often enough to stay compiled, not every refresh. */
const WARM_EVERY_REFRESHES = 10;

export class StateMirror {
  readonly #store: EtcdStore;
  readonly #logger: Logger;
  readonly #refreshMs: number;
  #values: Map<string, StoredValue> | null = null;
  #revision = 0;
  #refreshes = 0;
  #timer: NodeJS.Timeout | null = null;
  #refreshing: Promise<void> | null = null;
  #stopped = false;

  constructor(store: EtcdStore, logger: Logger, refreshMs = MIRROR_REFRESH_MS) {
    this.#store = store;
    this.#logger = logger;
    this.#refreshMs = refreshMs;
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    const tick = () => {
      this.#refreshing ??= this.#refresh()
        .catch((error: unknown) => this.#logger.debug({ err: error }, 'state mirror refresh failed (will retry)'))
        .finally(() => {
          this.#refreshing = null;
        });
    };
    tick();
    this.#timer = setInterval(tick, this.#refreshMs);
    this.#timer.unref();
  }

  /** Stops refreshing (the copy stays for one last catch-up). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The state as it is now: the copy brought up to date, or a full read when there is no copy yet. */
  async catchUp(): Promise<Map<string, StoredValue>> {
    await this.#refreshing;
    if (this.#values === null) return this.#store.list();
    const changes = await this.#store.changesSince(this.#revision);
    const values = new Map<string, StoredValue>();
    for (const [key, version] of changes.keys) {
      const value = changes.changed.get(key) ?? this.#values.get(key);
      // A key modified after the copy but missing from the changes cannot happen in one snapshot: read it all then.
      if (!value || value.version !== version) return this.#store.list();
      values.set(key, value);
    }
    return values;
  }

  async #refresh(): Promise<void> {
    if (this.#values === null) {
      const { revision, values } = await this.#store.listAt();
      this.#values = values;
      this.#revision = revision;
    } else {
      // Only what changed (usually nothing): deleted keys stay in the copy until the catch-up, which sees them.
      const changes = await this.#store.modifiedSince(this.#revision);
      for (const [key, value] of changes.values) this.#values.set(key, value);
      this.#revision = changes.revision;
    }
    // Parse it now and then as a takeover would, so that that code is compiled and warm when it counts.
    if (this.#refreshes++ % WARM_EVERY_REFRESHES !== 0) return;
    try {
      const loaded = loadState(this.#values);
      if (loaded) restoreMaster(loaded.snapshot, { prng: createPrng(1) }, loaded.lastNowMs);
    } catch {
      // A state this master cannot read will fail the takeover too, with the error there.
    }
  }
}

/** The etcd store, with `list()` answered from the standby copy brought up to date. */
export function mirroredStore(store: EtcdStore, mirror: StateMirror): StateStore {
  return {
    description: store.description,
    get: (key) => store.get(key),
    list: () => mirror.catchUp(),
    put: (key, value, expectedVersion) => store.put(key, value, expectedVersion),
    commit: (writes) => store.commit(writes),
    delete: (key) => store.delete(key),
    close: () => store.close(),
  };
}
