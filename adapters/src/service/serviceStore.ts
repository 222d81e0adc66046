/**
 * The SDK scheduler's own state store: one document per service in the
 * cluster's StateStore (file or etcd), holding its framework id, the
 * scheduler's snapshot (configs, pod instances with their reservations and
 * failure clocks, plans and their progress, reservations to give back) and
 * the TaskInfos and latest statuses it keeps for the API. Writes are
 * serialized and compare-and-swap on the version read or written last: a
 * second scheduler of the same service is refused instead of interleaving.
 */
import type { ServiceSchedulerSnapshot } from '@allot/kernel';
import type { StateStore } from '../store/stateStore.js';
import { keyProblem } from '../store/stateStore.js';

type Json = Record<string, any>;

export interface TaskEntry {
  /** The TaskInfo the task was launched with. */
  info: Json;
  /** Its latest TaskStatus (Mesos JSON), or null before the first. */
  status: Json | null;
}

export interface ServiceDocument {
  version: 1;
  frameworkId: string | null;
  snapshot: ServiceSchedulerSnapshot;
  /** By task name (e.g. "hello-0-server"): the latest task of that name. */
  tasks: Record<string, TaskEntry>;
  /** Agents offers came from: hostname and IP, for endpoints. */
  agents: Record<string, { hostname: string; ip: string | null }>;
}

export class ServiceStoreConflict extends Error {
  readonly code = 'store_conflict';
}

export class ServiceStore {
  readonly key: string;
  #version = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: StateStore,
    serviceName: string,
  ) {
    this.key = `sdk-${serviceName}`;
    const problem = keyProblem(this.key);
    if (problem) throw new Error(`service name "${serviceName}" cannot name a store key: ${problem}`);
  }

  get description(): string {
    return `${this.store.description} key ${this.key}`;
  }

  async load(): Promise<ServiceDocument | null> {
    const stored = await this.store.get(this.key);
    this.#version = stored?.version ?? 0;
    if (!stored) return null;
    const document = JSON.parse(stored.value) as ServiceDocument;
    if (document.version !== 1) throw new Error(`${this.description}: unknown document version ${String(document.version)}`);
    return document;
  }

  /** Writes after every earlier write; rejects with ServiceStoreConflict when someone else wrote the key. */
  save(document: ServiceDocument): Promise<void> {
    const text = JSON.stringify(document);
    const write = this.#writing.then(async () => {
      const result = await this.store.put(this.key, text, this.#version);
      if (!result.ok)
        throw new ServiceStoreConflict(`${this.description}: ${result.message}; is another scheduler of this service running?`);
      this.#version = result.version;
    });
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
