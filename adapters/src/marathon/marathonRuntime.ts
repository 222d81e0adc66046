/**
 * `allot marathon` running: the kernel's Marathon app model on the Node
 * scheduler host, with health from the agents' checks, task ids
 * `<app path with _>.<uuid>` as Marathon's, and its document in the store.
 * A first start registers a new framework; a restart (after `kill -9` too)
 * restores apps, versions, deployments and tasks, fails over to the same
 * framework id and reconciles. Deployments move on as their apps settle
 * (deploymentRunner.ts), counting new tasks once healthy and, for apps with
 * a readiness check, ready (readinessChecker.ts); what the API asks goes
 * through `change`.
 */
import { randomUUID } from 'node:crypto';
import type { AppState, FrameworkConfig, Instance, TaskSpec } from '@allot/kernel';
import { MarathonFramework, ResourceLayout } from '@allot/kernel';
import type { Logger } from 'pino';
import { DocumentStore } from '../scheduler/documentStore.js';
import { HostedFramework } from '../scheduler/hostedFramework.js';
import type { StateStore } from '../store/stateStore.js';
import { DeploymentRunner } from './deploymentRunner.js';
import { EventBus } from './eventBus.js';
import type { MarathonDocument } from './marathonDocument.js';
import { emptyDocument } from './marathonDocument.js';
import { marathonTaskInfo } from './marathonTaskInfo.js';
import { ReadinessChecker } from './readinessChecker.js';
import { TaskObserver } from './taskObserver.js';

type Json = Record<string, any>;

/** Marathon's default failover timeout: one week. */
export const MARATHON_FAILOVER_TIMEOUT_SECONDS = 7 * 24 * 3600;
export const MARATHON_VERSION = '1.11.0-allot';

export interface MarathonRuntimeOptions {
  masters: readonly string[];
  store: StateStore;
  logger: Logger;
  /** --framework-name (the store key is marathon-<name>); default "marathon". */
  frameworkName?: string;
  /** --mesos-role: the role every app runs in; default "marathon". */
  role?: string;
  /** FrameworkInfo.user; default "nobody". */
  user?: string;
  principal?: string;
  failoverTimeoutSeconds?: number;
  headers?: Readonly<Record<string, string>>;
  backoffMaxMs?: number;
}

export class MarathonRuntime {
  readonly framework: HostedFramework;
  readonly document: MarathonDocument;
  readonly events = new EventBus();
  readonly layout = ResourceLayout.create();
  readonly role: string;
  readonly name: string;
  readonly options: MarathonRuntimeOptions;
  readonly deployments: DeploymentRunner;
  readonly readiness: ReadinessChecker;
  readonly #store: DocumentStore<MarathonDocument>;
  readonly #observer: TaskObserver;

  private constructor(options: MarathonRuntimeOptions, store: DocumentStore<MarathonDocument>, saved: MarathonDocument | null) {
    this.options = options;
    this.#store = store;
    this.document = saved ?? emptyDocument();
    this.role = options.role ?? 'marathon';
    this.name = options.frameworkName ?? 'marathon';
    this.#observer = new TaskObserver(this.document, this.events);
    this.framework = new HostedFramework({
      masters: options.masters,
      frameworkInfo: {
        user: options.user ?? 'nobody',
        name: this.name,
        roles: [this.role],
        principal: options.principal ?? this.name,
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
        failover_timeout: options.failoverTimeoutSeconds ?? MARATHON_FAILOVER_TIMEOUT_SECONDS,
        checkpoint: true,
      },
      frameworkId: this.document.frameworkId,
      layout: this.layout,
      taskInfo: (task, agentId, role) => this.#taskInfo(task, agentId, role),
      persist: () => this.persist(),
      observe: {
        offers: (offers) => this.#observer.offers(offers),
        update: (status) => this.#observer.update(status),
      },
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.backoffMaxMs ? { backoffMaxMs: options.backoffMaxMs } : {}),
      logger: options.logger,
    });
    const config = frameworkConfig(this.name, this.role);
    const host = { taskIdOf: marathonTaskId, healthFromStatus: true };
    const model = saved ? MarathonFramework.restore(config, saved.model, host) : new MarathonFramework(config, host);
    this.framework.host.start(model);
    this.deployments = new DeploymentRunner(this);
    this.readiness = new ReadinessChecker(this);
  }

  static async start(options: MarathonRuntimeOptions): Promise<MarathonRuntime> {
    const store = new DocumentStore<MarathonDocument>(options.store, `marathon-${options.frameworkName ?? 'marathon'}`, 1);
    const saved = await store.load();
    const runtime = new MarathonRuntime(options, store, saved);
    options.logger.info(
      { store: store.description, restored: saved !== null, apps: Object.keys(runtime.document.apps).length },
      'marathon started',
    );
    return runtime;
  }

  get model(): MarathonFramework {
    return this.framework.host.model as MarathonFramework;
  }

  get frameworkId(): string | null {
    return this.framework.frameworkId;
  }

  /** The model's app and instance of a task, if it is live. */
  instanceOf(taskId: string): { app: AppState; instance: Instance } | null {
    for (const app of this.model.apps) {
      const instance = app.live.get(taskId);
      if (instance) return { app, instance };
    }
    return null;
  }

  /** Runs an operator action on the model (its calls are sent), then writes the document. */
  async act(action: (model: MarathonFramework) => void): Promise<void> {
    this.framework.assertRunning();
    this.framework.host.act((model) => action(model as MarathonFramework));
    await this.persist();
  }

  /** Tasks the model forgot without an end (expunged after their unreachable strategy) leave the API's lists; true if any did. */
  pruneTaskViews(): boolean {
    let pruned = false;
    for (const taskId of Object.keys(this.document.tasks))
      if (!this.instanceOf(taskId)) {
        delete this.document.tasks[taskId];
        pruned = true;
      }
    return pruned;
  }

  async persist(): Promise<void> {
    this.pruneTaskViews();
    this.document.frameworkId = this.framework.frameworkId;
    this.document.model = this.model.snapshot();
    try {
      await this.#store.save(this.document);
    } catch (error) {
      if ((error as { code?: string }).code === 'store_conflict') this.framework.stop((error as Error).message);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.deployments.close();
    this.readiness.close();
    this.events.close();
    await this.framework.host.stop();
    await this.persist().catch((error) => this.options.logger.warn({ err: error }, 'could not persist on shutdown'));
  }

  #taskInfo(task: TaskSpec, agentId: string, role: string): Json {
    const found = this.instanceOf(task.taskId);
    // The model launches only instances it holds, of apps the API defined.
    if (!found) throw new Error(`launch of task ${task.taskId}, which no app holds`);
    const stored = this.document.apps[found.app.spec.id];
    if (!stored) throw new Error(`launch of task ${task.taskId} of app ${found.app.spec.id}, which has no definition`);
    const agent = this.document.agents[agentId];
    const info = marathonTaskInfo(task, {
      app: stored.current,
      version: found.instance.version,
      agentId,
      role,
      layout: this.layout,
      hostname: agent?.hostname ?? '',
    });
    this.#observer.launched(task, found.app.spec.id, found.instance.version, agentId, stored.current);
    return info;
  }
}

/** Marathon's task ids: the app's path with `_` for `/`, a dot and a UUID (`prod_web.5b1c...`). */
export function marathonTaskId(appId: string): string {
  return `${appId.replace(/^\//, '').replace(/\//g, '_')}.${randomUUID()}`;
}

function frameworkConfig(name: string, role: string): FrameworkConfig {
  return {
    id: name,
    name,
    role,
    kind: 'service',
    options: { apps: [], maintenance: [] },
    tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
    maxTasksPerOffer: 100,
    refuseSeconds: 5,
    capabilities: ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'],
    partitionAware: true,
    relaunch: false,
    startAtMs: 0,
  };
}
