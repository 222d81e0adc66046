/**
 * A simulated YARN ResourceManager, enough to drive Myriad: applications
 * arrive, each first runs an application master (AM) container, which then
 * asks for its worker containers; the app finishes when every worker has.
 * Pending containers are served first in, first out. Containers whose
 * NodeManager goes away return to the front of the queue (a new attempt).
 */
import type { YarnApplicationSpec } from './elasticSpec.js';
import type { Profile } from './profiles.js';

export interface Container {
  /** `<app>/am` or `<app>/c<j>`. */
  readonly id: string;
  readonly appId: string;
  readonly isApplicationMaster: boolean;
  readonly resources: Profile;
  /** Null: runs until its application ends (an AM with workers). */
  readonly durationMs: number | null;
  state: 'pending' | 'running' | 'done';
  nodeManager: string | null;
  /** Bumped on every start, so a stale end of an earlier attempt is ignored. */
  attempt: number;
  /** The Mesos placeholder task of a container on a fine-grained NodeManager. */
  placeholderTaskId: string | null;
}

export interface YarnApplication {
  readonly spec: YarnApplicationSpec;
  readonly submittedMs: number;
  finishedAtMs: number | null;
  readonly am: Container;
  readonly workers: Container[];
}

export interface CapacityNode {
  readonly id: string;
  readonly capacity: Profile;
}

const fits = (need: Profile, free: Profile): boolean => need.cpus <= free.cpus + 1e-9 && need.mem <= free.mem + 1e-9;

export class YarnResourceManager {
  readonly applications: YarnApplication[] = [];
  #pending: Container[] = [];
  readonly #running = new Map<string, Container>();

  get pending(): readonly Container[] {
    return this.#pending;
  }

  get running(): ReadonlyMap<string, Container> {
    return this.#running;
  }

  submit(spec: YarnApplicationSpec, nowMs: number): YarnApplication {
    const am = container(spec.id, 'am', true, spec.amResources, spec.containers === 0 ? spec.durationMs : null);
    const app: YarnApplication = { spec, submittedMs: nowMs, finishedAtMs: null, am, workers: [] };
    this.applications.push(app);
    this.#pending.push(am);
    return app;
  }

  /** What runs on a NodeManager. */
  usedOn(nodeManagerId: string): Profile {
    let cpus = 0;
    let mem = 0;
    for (const c of this.#running.values()) {
      if (c.nodeManager !== nodeManagerId) continue;
      cpus += c.resources.cpus;
      mem += c.resources.mem;
    }
    return { cpus, mem };
  }

  applicationMastersOn(nodeManagerId: string): number {
    let count = 0;
    for (const c of this.#running.values()) if (c.nodeManager === nodeManagerId && c.isApplicationMaster) count++;
    return count;
  }

  /** Pending containers onto the nodes' free capacity, first fit in node order; returns those started. */
  placeOnCapacity(nodes: readonly CapacityNode[]): Container[] {
    const free = new Map(
      nodes.map((node) => {
        const used = this.usedOn(node.id);
        return [node.id, { cpus: node.capacity.cpus - used.cpus, mem: node.capacity.mem - used.mem }];
      }),
    );
    const started: Container[] = [];
    for (const c of [...this.#pending]) {
      const node = nodes.find((n) => fits(c.resources, free.get(n.id)!));
      if (!node) continue;
      const left = free.get(node.id)!;
      free.set(node.id, { cpus: left.cpus - c.resources.cpus, mem: left.mem - c.resources.mem });
      this.start(c, node.id, null);
      started.push(c);
    }
    return started;
  }

  /** Starts a pending container on a NodeManager; an AM that starts asks for its workers. */
  start(c: Container, nodeManagerId: string, placeholderTaskId: string | null): void {
    if (c.state !== 'pending') throw new Error(`container ${c.id} is ${c.state}, not pending`);
    this.#pending = this.#pending.filter((other) => other !== c);
    c.state = 'running';
    c.nodeManager = nodeManagerId;
    c.placeholderTaskId = placeholderTaskId;
    c.attempt++;
    this.#running.set(c.id, c);
    const app = this.#appOf(c);
    if (c.isApplicationMaster && app.workers.length === 0) {
      for (let j = 0; j < app.spec.containers; j++)
        app.workers.push(container(app.spec.id, `c${j}`, false, app.spec.resources, app.spec.durationMs));
      this.#pending.push(...app.workers);
    }
  }

  /** A container ended; returns the AM to release when that was its app's last worker. */
  finish(c: Container, nowMs: number): Container | null {
    if (c.state !== 'running') return null;
    c.state = 'done';
    this.#running.delete(c.id);
    c.nodeManager = null;
    const app = this.#appOf(c);
    const allDone = app.workers.length === app.spec.containers && app.workers.every((worker) => worker.state === 'done');
    if (c.isApplicationMaster) {
      if (allDone) app.finishedAtMs = nowMs;
      return null;
    }
    if (!allDone) return null;
    if (app.am.state === 'running') return app.am;
    // The AM lost its NodeManager and waits for a new one, but there is nothing left for it to do.
    this.#pending = this.#pending.filter((other) => other !== app.am);
    app.am.state = 'done';
    app.finishedAtMs = nowMs;
    return null;
  }

  /** Running containers go back to the front of the queue (their NodeManager or placeholder went away). */
  requeue(containers: readonly Container[]): void {
    for (const c of containers) {
      if (c.state !== 'running') throw new Error(`container ${c.id} is ${c.state}, not running`);
      this.#running.delete(c.id);
      c.state = 'pending';
      c.nodeManager = null;
      c.placeholderTaskId = null;
    }
    this.#pending = [...containers, ...this.#pending];
  }

  /** A NodeManager went away: its running containers go back to the front of the queue; returns their placeholder tasks. */
  evict(nodeManagerId: string): string[] {
    const evicted = [...this.#running.values()].filter((c) => c.nodeManager === nodeManagerId);
    const placeholders = evicted.flatMap((c) => (c.placeholderTaskId ? [c.placeholderTaskId] : []));
    this.requeue(evicted);
    return placeholders;
  }

  #appOf(c: Container): YarnApplication {
    const app = this.applications.find((a) => a.spec.id === c.appId);
    if (!app) throw new Error(`container ${c.id} of an unknown application`);
    return app;
  }
}

function container(appId: string, name: string, isApplicationMaster: boolean, resources: Profile, durationMs: number | null): Container {
  return {
    id: `${appId}/${name}`,
    appId,
    isApplicationMaster,
    resources,
    durationMs,
    state: 'pending',
    nodeManager: null,
    attempt: 0,
    placeholderTaskId: null,
  };
}
