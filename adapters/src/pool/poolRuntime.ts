/**
 * `allot pool` running: the kernel's Myriad model (elastic kind) on the Node
 * scheduler host, with no simulated YARN: workers are the pool's command,
 * one Mesos task each sized by its profile plus the worker's overhead.
 * Worker ids are Myriad's task ids (`nm.<profile>.<uuid>`); a worker that
 * ends unexpectedly is launched again (`-r1`, `-r2`, ...). A first start
 * flexes up the spec's `nmInstances`; the state (workers, their tasks and
 * agents) is one document in the store, written before any call leaves.
 */
import { randomUUID } from 'node:crypto';
import type { FlexControl, FrameworkConfig, MyriadSnapshot, NodeManager, TaskSpec } from '@allot/kernel';
import { MyriadFramework, ResourceLayout } from '@allot/kernel';
import type { Logger } from 'pino';
import { fromResourceSet } from '../master/mesosResources.js';
import { DocumentStore } from '../scheduler/documentStore.js';
import { HostedFramework } from '../scheduler/hostedFramework.js';
import type { StateStore } from '../store/stateStore.js';
import type { PoolSpec } from './poolSpec.js';

type Json = Record<string, any>;

export interface PoolDocument {
  version: 1;
  frameworkId: string | null;
  model: MyriadSnapshot | null;
}

export interface PoolRuntimeOptions {
  spec: PoolSpec;
  masters: readonly string[];
  store: StateStore;
  logger: Logger;
  user?: string;
  failoverTimeoutSeconds?: number;
  headers?: Readonly<Record<string, string>>;
}

export class PoolRuntime {
  readonly framework: HostedFramework;
  readonly spec: PoolSpec;
  readonly options: PoolRuntimeOptions;
  readonly layout = ResourceLayout.create();
  readonly #store: DocumentStore<PoolDocument>;
  readonly #document: PoolDocument;

  private constructor(options: PoolRuntimeOptions, store: DocumentStore<PoolDocument>, saved: PoolDocument | null) {
    this.options = options;
    this.spec = options.spec;
    this.#store = store;
    this.#document = saved ?? { version: 1, frameworkId: null, model: null };
    const { spec } = options;
    this.framework = new HostedFramework({
      masters: options.masters,
      frameworkInfo: {
        user: options.user ?? 'nobody',
        name: spec.name,
        roles: [spec.role],
        principal: spec.name,
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
        failover_timeout: options.failoverTimeoutSeconds ?? 7 * 24 * 3600,
        checkpoint: true,
      },
      frameworkId: this.#document.frameworkId,
      layout: this.layout,
      taskInfo: (task, agentId, role) => this.#taskInfo(task, agentId, role),
      persist: () => this.persist(),
      ...(options.headers ? { headers: options.headers } : {}),
      logger: options.logger,
    });
    const config = frameworkConfig(spec);
    const host = { nodeManagerIdOf: (profile: string) => `nm.${profile}.${randomUUID()}`, maxPerAgent: spec.maxPerAgent };
    const model = saved?.model ? MyriadFramework.restore(config, saved.model, host) : new MyriadFramework(config, host);
    this.framework.host.start(model);
  }

  static async start(options: PoolRuntimeOptions): Promise<PoolRuntime> {
    const store = new DocumentStore<PoolDocument>(options.store, `pool-${options.spec.name}`, 1);
    const saved = await store.load();
    const runtime = new PoolRuntime(options, store, saved);
    if (saved) await runtime.persist();
    else
      for (const [profile, count] of Object.entries(options.spec.nmInstances)) {
        if (count > 0) await runtime.flex({ type: 'flex.up', profile, count });
      }
    options.logger.info(
      { store: store.description, restored: saved !== null, workers: runtime.model.nodeManagers.length },
      'pool scheduler started',
    );
    return runtime;
  }

  get model(): MyriadFramework {
    return this.framework.host.model as MyriadFramework;
  }

  /** Workers of a profile that a flex down may take (pending, staging, active), beyond the spec's minimum. */
  flexible(profile: string): number {
    const live = this.model.nodeManagers.filter((nm) => nm.profile === profile && nm.state !== 'killing').length;
    return Math.max(0, live - (this.spec.nmInstances[profile] ?? 0));
  }

  async flex(command: FlexControl): Promise<string[]> {
    this.framework.assertRunning();
    const taken = this.framework.host.act((model) => (model as MyriadFramework).operate(command, this.framework.host.context));
    await this.persist();
    return taken;
  }

  /** Myriad's /api/state: worker task ids by state (pending ones by the id their task will have). */
  state(): { pendingTasks: string[]; stagingTasks: string[]; activeTasks: string[]; killableTasks: string[] } {
    const ids = (state: NodeManager['state']) => this.model.nodeManagers.filter((nm) => nm.state === state).map((nm) => nm.taskId ?? nm.id);
    return { pendingTasks: ids('pending'), stagingTasks: ids('staging'), activeTasks: ids('active'), killableTasks: ids('killing') };
  }

  async persist(): Promise<void> {
    this.#document.frameworkId = this.framework.frameworkId;
    this.#document.model = this.model.snapshot();
    try {
      await this.#store.save(this.#document);
    } catch (error) {
      if ((error as { code?: string }).code === 'store_conflict') this.framework.stop((error as Error).message);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.framework.host.stop();
    await this.persist().catch((error) => this.options.logger.warn({ err: error }, 'could not persist on shutdown'));
  }

  #taskInfo(task: TaskSpec, agentId: string, role: string): Json {
    const nm = this.model.nodeManagers.find((candidate) => candidate.taskId === task.taskId);
    // The model launches only its own workers (the pool runs no YARN, so no placeholders).
    if (!nm) throw new Error(`launch of task ${task.taskId}, which is no worker of the pool`);
    const profile = this.spec.profiles[nm.profile];
    const env = {
      ...this.spec.env,
      WORKER_ID: nm.id,
      PROFILE: nm.profile,
      PROFILE_CPUS: String(profile.cpus),
      PROFILE_MEM: String(profile.mem),
    };
    return {
      name: `${this.spec.name} ${nm.profile} worker`,
      task_id: { value: task.taskId },
      agent_id: { value: agentId },
      resources: fromResourceSet(task.resources, this.layout, role),
      command: {
        shell: true,
        value: this.spec.command,
        environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
      },
      labels: { labels: [{ key: 'profile', value: nm.profile }] },
    };
  }
}

function frameworkConfig(spec: PoolSpec): FrameworkConfig {
  return {
    id: spec.name,
    name: spec.name,
    role: spec.role,
    kind: 'elastic',
    options: { profiles: spec.profiles, nodeManagerOverhead: spec.overhead, flex: [], applications: [] },
    tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
    maxTasksPerOffer: 1,
    refuseSeconds: 5,
    capabilities: ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'],
    partitionAware: true,
    relaunch: true,
    startAtMs: 0,
  };
}
