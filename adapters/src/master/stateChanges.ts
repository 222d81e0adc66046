/**
 * Incremental writes of the master's state: kernel events (and daemon-side
 * changes) mark the keys of the objects they touched; `pending()` turns the
 * marked keys into one commit holding only the values that differ from what
 * the store holds (a re-registering agent that changed nothing writes
 * nothing), each with a compare-and-swap on the version last written, so a
 * master that is no longer the only writer is refused, never silently
 * overwritten. Counts what it writes, for /metrics and the benchmarks.
 */
import type { KernelEvent, Master } from '@allot/kernel';
import type { StoredValue, StoreWrite } from '../store/stateStore.js';
import type { HostRegistry } from './hostRegistry.js';
import {
  agentKey,
  frameworkKey,
  LEGACY_DOCUMENT_KEY,
  MAINTENANCE_KEY,
  META_KEY,
  parseStateKey,
  resourcesKey,
  roleKey,
} from './stateKeys.js';
import { currentValue } from './stateRecords.js';

export interface StoreWriteStats {
  commits: number;
  keysWritten: number;
  bytesWritten: number;
  largestValueBytes: number;
}

/** The keys a kernel event changes; tasks have none (agents report them back after a failover). */
export function keysOfEvent(event: KernelEvent): readonly string[] {
  switch (event.type) {
    case 'agent.added':
    case 'agent.reregistered':
    case 'agent.unreachable':
    case 'agent.removed':
    case 'agent.gone':
    case 'agent.attributesUpdated':
      return [agentKey(event.agentId), resourcesKey(event.agentId)];
    case 'resources.converted':
      return [resourcesKey(event.agentId)];
    case 'framework.subscribed':
      // A new framework took a number from the counter in `meta`: both go in one commit.
      return [frameworkKey(event.frameworkId), META_KEY];
    case 'framework.removed':
      return [frameworkKey(event.frameworkId)];
    case 'role.updated':
      return [roleKey(event.role)];
    case 'maintenance.scheduled':
    case 'machine.down':
    case 'machine.up':
    case 'inverseOffer.accepted':
    case 'inverseOffer.declined':
      return [MAINTENANCE_KEY];
    default:
      return [];
  }
}

export class StateChanges {
  readonly stats: StoreWriteStats = { commits: 0, keysWritten: 0, bytesWritten: 0, largestValueBytes: 0 };
  readonly #versions = new Map<string, number>();
  readonly #written = new Map<string, string>();
  readonly #dirty = new Set<string>();

  /** `stored`: what the store held at recovery (other keys are not the master's and are left alone). */
  constructor(stored: ReadonlyMap<string, StoredValue>) {
    for (const [key, { value, version }] of stored) {
      if (key !== LEGACY_DOCUMENT_KEY && parseStateKey(key) === null) continue;
      this.#versions.set(key, version);
      this.#written.set(key, value);
    }
  }

  get hasChanges(): boolean {
    return this.#dirty.size > 0;
  }

  /** Every key the store holds for the master (to rewrite all of them, e.g. after a migration). */
  storedKeys(): string[] {
    return [...this.#written.keys()];
  }

  mark(key: string): void {
    this.#dirty.add(key);
  }

  markEvents(events: readonly KernelEvent[]): void {
    for (const event of events) for (const key of keysOfEvent(event)) this.#dirty.add(key);
  }

  /** The commit that makes the store hold the current value of every marked key (meta first, the legacy document's removal last). */
  pending(master: Master, registry: HostRegistry): StoreWrite[] {
    const writes: StoreWrite[] = [];
    let legacy: StoreWrite | null = null;
    for (const key of this.#dirty) {
      const value = key === LEGACY_DOCUMENT_KEY ? null : currentValue(key, master, registry);
      const written = this.#written.get(key);
      if (value === (written ?? null)) {
        this.#dirty.delete(key);
        continue;
      }
      const write: StoreWrite = { key, value, expectedVersion: this.#versions.get(key) ?? 0 };
      if (key === LEGACY_DOCUMENT_KEY) legacy = write;
      else if (key === META_KEY) writes.unshift(write);
      else writes.push(write);
    }
    if (legacy) writes.push(legacy);
    return writes;
  }

  /** After the store took `writes`: remembers their versions and values. */
  committed(writes: readonly StoreWrite[], versions: ReadonlyMap<string, number>): void {
    this.stats.commits++;
    for (const write of writes) {
      this.#dirty.delete(write.key);
      this.stats.keysWritten++;
      if (write.value === null) {
        this.#written.delete(write.key);
        this.#versions.delete(write.key);
        continue;
      }
      const bytes = Buffer.byteLength(write.value, 'utf8');
      this.stats.bytesWritten += bytes;
      this.stats.largestValueBytes = Math.max(this.stats.largestValueBytes, bytes);
      this.#written.set(write.key, write.value);
      this.#versions.set(write.key, versions.get(write.key)!);
    }
  }
}
