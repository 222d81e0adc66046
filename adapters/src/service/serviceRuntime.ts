/**
 * One SDK service running on a real cluster: the kernel's ServiceScheduler on
 * the Node scheduler host, its state in the service store. A first start
 * registers a new framework; a restart (after `kill -9` too) restores the
 * scheduler from the store, fails over to its framework id, reconciles and
 * carries on where it stopped; a SPEC that differs from the stored target is
 * rolled out as a config update, as DC/OS Commons does when a scheduler
 * restarts with new options. Every batch of calls waits for the store.
 */
import type { ControlResult, FrameworkConfig, ServiceControl, ServiceSpec, TaskSpec } from '@allot/kernel';
import { ResourceLayout, ServiceScheduler } from '@allot/kernel';
import type { Logger } from 'pino';
import { SchedulerHost } from '../scheduler/schedulerHost.js';
import type { StateStore } from '../store/stateStore.js';
import { sdkTaskInfo } from './sdkTaskInfo.js';
import type { ServiceDocument, TaskEntry } from './serviceStore.js';
import { ServiceStore, ServiceStoreConflict } from './serviceStore.js';

type Json = Record<string, any>;

/** DC/OS Commons's default failover timeout: two weeks. */
export const SERVICE_FAILOVER_TIMEOUT_SECONDS = 14 * 24 * 3600;

export interface ServiceRuntimeOptions {
  spec: ServiceSpec;
  masters: readonly string[];
  store: StateStore;
  logger: Logger;
  /** Default `<name>-role`, as DC/OS Commons. */
  role?: string;
  /** FrameworkInfo.user; default "nobody". */
  user?: string;
  failoverTimeoutSeconds?: number;
  /** Extra headers on calls to the master (credentials). */
  headers?: Readonly<Record<string, string>>;
  backoffMaxMs?: number;
}

/** A control asked of a service scheduler that has stopped (refused by the master, or another scheduler took over). */
export class ServiceStoppedError extends Error {
  readonly code = 'service_stopped';
}

export class ServiceRuntime {
  readonly host: SchedulerHost;
  readonly store: ServiceStore;
  readonly tasks: Record<string, TaskEntry>;
  readonly agents: ServiceDocument['agents'];
  /** Resolves with the reason when the service stops by itself (refused by the master, store conflict, a bug). */
  readonly stopped: Promise<string>;
  readonly #logger: Logger;
  readonly #resolveStopped: (reason: string) => void;
  #frameworkId: string | null;
  /** The framework id as the store holds it (what `/v1/state/frameworkId` answers, as in DC/OS Commons). */
  #storedFrameworkId: string | null;
  #stoppedReason: string | null = null;

  private constructor(options: ServiceRuntimeOptions, store: ServiceStore, saved: ServiceDocument | null) {
    this.store = store;
    this.#logger = options.logger;
    this.tasks = saved?.tasks ?? {};
    this.agents = saved?.agents ?? {};
    this.#frameworkId = saved?.frameworkId ?? null;
    this.#storedFrameworkId = this.#frameworkId;
    let resolve!: (reason: string) => void;
    this.stopped = new Promise((done) => (resolve = done));
    this.#resolveStopped = resolve;
    const spec = options.spec;
    const role = options.role ?? `${spec.name}-role`;
    const layout = ResourceLayout.create();
    this.host = new SchedulerHost({
      driver: {
        masters: options.masters,
        frameworkInfo: {
          user: options.user ?? 'nobody',
          name: spec.name,
          roles: [role],
          principal: spec.principal ?? spec.name,
          capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
          failover_timeout: options.failoverTimeoutSeconds ?? SERVICE_FAILOVER_TIMEOUT_SECONDS,
          checkpoint: true,
        },
        frameworkId: this.#frameworkId,
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.backoffMaxMs ? { backoffMaxMs: options.backoffMaxMs } : {}),
      },
      layout,
      taskInfo: (task, agentId, offerRole) => this.#taskInfo(task, agentId, offerRole, layout),
      persist: () => this.persist(),
      frameworkIdChanged: (frameworkId) => {
        if (frameworkId === this.#frameworkId) return;
        this.#frameworkId = frameworkId;
        return this.persist();
      },
      fatal: (message) => this.#stop(message),
      observe: { offers: (offers) => this.#observeOffers(offers), update: (status) => this.#observeUpdate(status) },
      logger: options.logger,
    });
    const config = frameworkConfig(spec, role);
    const model = saved ? ServiceScheduler.restore(config, saved.snapshot, this.host.context) : new ServiceScheduler(config, spec);
    this.host.start(model);
  }

  /** Opens the store, restores or creates the scheduler, and starts it; a changed SPEC becomes a config update. */
  static async start(options: ServiceRuntimeOptions): Promise<ServiceRuntime> {
    const store = new ServiceStore(options.store, options.spec.name);
    const saved = await store.load();
    const runtime = new ServiceRuntime(options, store, saved);
    options.logger.info({ service: options.spec.name, store: store.description, restored: saved !== null }, 'service scheduler started');
    if (saved && JSON.stringify(runtime.scheduler.spec) !== JSON.stringify(options.spec)) {
      const result = await runtime.control({ type: 'service.update', service: options.spec });
      options.logger.info({ result }, 'the SPEC differs from the stored target: config update');
    }
    return runtime;
  }

  get scheduler(): ServiceScheduler {
    return this.host.model as ServiceScheduler;
  }

  /** Once stored: a scheduler killed before that subscribes afresh after its restart. */
  get frameworkId(): string | null {
    return this.#storedFrameworkId;
  }

  /** An operator control: applied, persisted, and its calls sent. Refused (ServiceStoppedError) once the service stopped. */
  async control(command: ServiceControl): Promise<ControlResult> {
    if (this.#stoppedReason !== null) throw new ServiceStoppedError(`the service scheduler has stopped: ${this.#stoppedReason}`);
    const result = this.host.act((model) => (model as ServiceScheduler).control(command));
    await this.persist();
    return result;
  }

  /** Writes the service's document; when another scheduler of the service wrote it, this one stops (and the promise rejects). */
  async persist(): Promise<void> {
    const frameworkId = this.#frameworkId;
    try {
      await this.store.save({
        version: 1,
        frameworkId,
        snapshot: this.scheduler.snapshot(),
        tasks: this.tasks,
        agents: this.agents,
      });
    } catch (error) {
      if (error instanceof ServiceStoreConflict) this.#stop(error.message);
      throw error;
    }
    this.#storedFrameworkId = frameworkId;
  }

  /** Stops scheduling; the framework stays registered until its failover timeout. */
  async close(): Promise<void> {
    await this.host.stop();
    await this.persist().catch((error) => this.#logger.warn({ err: error }, 'could not persist on shutdown'));
  }

  #taskInfo(task: TaskSpec, agentId: string, role: string, layout: ResourceLayout): Json {
    const info = sdkTaskInfo(task, agentId, role, layout);
    this.tasks[info.name] = { info, status: null };
    return info;
  }

  #observeOffers(offers: Json[]): void {
    for (const offer of offers) this.agents[offer.agent_id.value] = { hostname: offer.hostname, ip: offer.url?.address?.ip ?? null };
  }

  #observeUpdate(status: Json): void {
    const entry = Object.values(this.tasks).find((candidate) => candidate.info.task_id.value === status.task_id?.value);
    if (entry) entry.status = status;
  }

  #stop(reason: string): void {
    if (this.#stoppedReason !== null) return;
    this.#stoppedReason = reason;
    this.#logger.error({ reason }, 'the service scheduler stops');
    void this.host.stop();
    this.#resolveStopped(reason);
  }
}

function frameworkConfig(spec: ServiceSpec, role: string): FrameworkConfig {
  return {
    id: spec.name,
    name: spec.name,
    role,
    kind: 'stateful',
    options: { service: spec, flavor: 'generic' },
    tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
    maxTasksPerOffer: 1,
    refuseSeconds: 5,
    capabilities: ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'],
    partitionAware: true,
    relaunch: false,
    startAtMs: 0,
  };
}
