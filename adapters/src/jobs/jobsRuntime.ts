/**
 * `allot jobs` running: Metronome's jobs on the kernel's batch model
 * (JobsFramework) through the Node scheduler host. Every run is one batch
 * job of one task (kernel job id `<job>.<run>`, task ids
 * `<job>_<run>.<uuid>` as Metronome's); its restart policy becomes the
 * batch job's relaunch with a deadline. Run statuses (STARTING, ACTIVE,
 * SUCCESS, FAILED), finished runs into the job's history, `maxLaunchDelay`
 * and the cron schedules (jobSchedules.ts) move on a 250 ms tick. The whole
 * state is one document in the store, written before any call leaves.
 */
import { randomUUID } from 'node:crypto';
import type { BatchJobSpec, FrameworkConfig, TaskSpec } from '@allot/kernel';
import { JobsFramework, parseConstraint, ResourceLayout } from '@allot/kernel';
import type { Logger } from 'pino';
import { fromResourceSet } from '../master/mesosResources.js';
import { DocumentStore } from '../scheduler/documentStore.js';
import { HostedFramework } from '../scheduler/hostedFramework.js';
import type { StateStore } from '../store/stateStore.js';
import type { JobsDocument, RunRecord } from './jobsDocument.js';
import { emptyHistory, newRunId, recordFinished } from './jobsDocument.js';
import { fireSchedules } from './jobSchedules.js';
import type { JobSpec } from './jobSpec.js';

type Json = Record<string, any>;

const TICK_MS = 250;
const TERMINAL = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

export interface JobsRuntimeOptions {
  masters: readonly string[];
  store: StateStore;
  logger: Logger;
  frameworkName?: string;
  role?: string;
  user?: string;
  failoverTimeoutSeconds?: number;
  headers?: Readonly<Record<string, string>>;
}

export class JobsRuntime {
  readonly framework: HostedFramework;
  readonly document: JobsDocument;
  readonly layout = ResourceLayout.create();
  readonly role: string;
  readonly options: JobsRuntimeOptions;
  readonly #store: DocumentStore<JobsDocument>;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  private constructor(options: JobsRuntimeOptions, store: DocumentStore<JobsDocument>, saved: JobsDocument | null) {
    this.options = options;
    this.#store = store;
    this.document = saved ?? { version: 1, frameworkId: null, model: null, jobs: {}, runs: {}, history: {}, tasks: {} };
    this.role = options.role ?? 'metronome';
    const name = options.frameworkName ?? 'metronome';
    this.framework = new HostedFramework({
      masters: options.masters,
      frameworkInfo: {
        user: options.user ?? 'nobody',
        name,
        roles: [this.role],
        principal: name,
        capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
        failover_timeout: options.failoverTimeoutSeconds ?? 7 * 24 * 3600,
        checkpoint: true,
      },
      frameworkId: this.document.frameworkId,
      layout: this.layout,
      taskInfo: (task, agentId, role) => this.#taskInfo(task, agentId, role),
      persist: () => this.persist(),
      observe: { update: (status) => this.#observe(status) },
      ...(options.headers ? { headers: options.headers } : {}),
      logger: options.logger,
    });
    const config = frameworkConfig(name, this.role);
    const model = this.document.model
      ? JobsFramework.restore(config, this.document.model, jobTaskId)
      : new JobsFramework(config, jobTaskId);
    this.framework.host.start(model);
    this.#timer = setInterval(() => void this.tick(), TICK_MS);
    this.#timer.unref();
  }

  static async start(options: JobsRuntimeOptions): Promise<JobsRuntime> {
    const store = new DocumentStore<JobsDocument>(options.store, `jobs-${options.frameworkName ?? 'metronome'}`, 1);
    const saved = await store.load();
    const runtime = new JobsRuntime(options, store, saved);
    options.logger.info({ store: store.description, restored: saved !== null }, 'jobs scheduler started');
    return runtime;
  }

  get model(): JobsFramework {
    return this.framework.host.model as JobsFramework;
  }

  activeRuns(jobId: string): RunRecord[] {
    return Object.values(this.document.runs).filter((run) => run.jobId === jobId);
  }

  /** Starts a run of the job now (POST /v1/jobs/{id}/runs, or a schedule). */
  async startRun(jobId: string): Promise<RunRecord> {
    this.framework.assertRunning();
    const job = this.document.jobs[jobId];
    if (!job) throw new Error(`run of job ${jobId}, which does not exist`);
    const nowMs = Date.now();
    const run: RunRecord = {
      id: newRunId(nowMs),
      jobId,
      status: 'STARTING',
      createdAtMs: nowMs,
      completedAtMs: null,
      tasks: [],
      spec: job.spec,
    };
    this.document.runs[run.id] = run;
    const { restart } = job.spec.run;
    const batch: BatchJobSpec = {
      id: `${jobId}.${run.id}`,
      atMs: nowMs,
      tasks: 1,
      resources: { cpus: job.spec.run.cpus, mem: job.spec.run.mem, ...(job.spec.run.disk > 0 ? { disk: job.spec.run.disk } : {}) },
      ports: 0,
      durationMs: null,
      constraints: job.spec.run.placement.constraints.map((c) => {
        const parsed = parseConstraint([c.attribute, c.operator === 'EQ' ? 'IS' : c.operator, c.value]);
        if (!parsed.ok) throw new Error(`job ${jobId}: constraint ${JSON.stringify(c)}: ${parsed.message}`);
        return parsed.constraint;
      }),
      relaunch: restart.policy === 'ON_FAILURE',
      relaunchUntilMs: restart.activeDeadlineSeconds === undefined ? null : nowMs + restart.activeDeadlineSeconds * 1000,
    };
    this.framework.host.act((model) => (model as JobsFramework).operate({ type: 'job.submit', job: batch }, this.framework.host.context));
    await this.persist();
    return run;
  }

  async stopRun(run: RunRecord): Promise<void> {
    this.framework.assertRunning();
    this.framework.host.act((model) =>
      (model as JobsFramework).operate({ type: 'job.stop', jobId: `${run.jobId}.${run.id}` }, this.framework.host.context),
    );
    await this.tick();
    await this.persist();
  }

  /** Moves runs and schedules on; writes the document when anything changed. */
  async tick(): Promise<void> {
    if (this.#ticking || this.framework.stoppedReason !== null) return;
    this.#ticking = true;
    try {
      let changed = this.#advanceRuns(Date.now());
      changed = (await fireSchedules(this, Date.now())) || changed;
      if (changed) await this.persist();
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not advance the job runs');
    } finally {
      this.#ticking = false;
    }
  }

  async persist(): Promise<void> {
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
    clearInterval(this.#timer);
    await this.framework.host.stop();
    await this.persist().catch((error) => this.options.logger.warn({ err: error }, 'could not persist on shutdown'));
  }

  #advanceRuns(nowMs: number): boolean {
    let changed = false;
    for (const run of Object.values(this.document.runs)) {
      const progress = this.model.progress(`${run.jobId}.${run.id}`);
      if (!progress) continue;
      let status = run.status;
      if ((progress.record?.finished ?? 0) >= 1) status = 'SUCCESS';
      else if (progress.live.length === 0 && progress.queued === 0 && (progress.stopped || (progress.record?.failed ?? 0) >= 1))
        status = 'FAILED';
      else if (progress.live.length > 0) status = 'ACTIVE';
      else if (nowMs > run.createdAtMs + run.spec.run.maxLaunchDelay * 1000 && !progress.stopped) {
        // Not launched within maxLaunchDelay: the run is aborted, as Metronome does.
        this.framework.host.act((model) =>
          (model as JobsFramework).operate({ type: 'job.stop', jobId: `${run.jobId}.${run.id}` }, this.framework.host.context),
        );
      }
      if (status === run.status) continue;
      run.status = status;
      changed = true;
      if (status !== 'SUCCESS' && status !== 'FAILED') continue;
      run.completedAtMs = nowMs;
      recordFinished((this.document.history[run.jobId] ??= emptyHistory()), run);
      delete this.document.runs[run.id];
      this.model.forget(`${run.jobId}.${run.id}`);
    }
    return changed;
  }

  #observe(status: Json): void {
    const taskId: string | undefined = status.task_id?.value;
    const task = taskId ? this.document.tasks[taskId] : undefined;
    if (!task) return;
    task.status = String(status.state);
    if (status.state === 'TASK_RUNNING') task.startedAtMs ??= Date.now();
    if (TERMINAL.has(task.status)) task.completedAtMs = Date.now();
  }

  #taskInfo(task: TaskSpec, agentId: string, role: string): Json {
    const [jobId, runId] = splitKernelJob(task.taskId);
    const run = this.document.runs[runId];
    // The model launches only runs this runtime submitted.
    if (!run) throw new Error(`launch of task ${task.taskId} of run ${runId}, which is not active`);
    run.tasks.push(task.taskId);
    this.document.tasks[task.taskId] = { runId, jobId, agentId, status: 'TASK_STAGING', startedAtMs: null, completedAtMs: null };
    return jobTaskInfo(task, run.spec, agentId, role, this.layout);
  }
}

/** Metronome's task ids: `<job>_<run>.<uuid>`; the kernel job id is `<job>.<run>`. */
export function jobTaskId(kernelJobId: string): string {
  const split = kernelJobId.lastIndexOf('.');
  return `${kernelJobId.slice(0, split)}_${kernelJobId.slice(split + 1)}.${randomUUID()}`;
}

function splitKernelJob(taskId: string): [string, string] {
  const name = taskId.slice(0, taskId.lastIndexOf('.'));
  const split = name.lastIndexOf('_');
  return [name.slice(0, split), name.slice(split + 1)];
}

function jobTaskInfo(task: TaskSpec, spec: JobSpec, agentId: string, role: string, layout: ResourceLayout): Json {
  const { run } = spec;
  const command: Json = {
    environment: { variables: Object.entries(run.env).map(([name, value]) => ({ name, value })) },
    ...(run.user ? { user: run.user } : {}),
    ...(run.artifacts.length > 0
      ? { uris: run.artifacts.map((a) => ({ value: a.uri, extract: a.extract, executable: a.executable, cache: a.cache })) }
      : {}),
  };
  if (run.cmd !== undefined) Object.assign(command, { shell: true, value: run.cmd });
  else Object.assign(command, { shell: false, value: run.args![0], arguments: run.args });
  return {
    name: spec.id,
    task_id: { value: task.taskId },
    agent_id: { value: agentId },
    resources: fromResourceSet(task.resources, layout, role),
    command,
    labels: { labels: Object.entries(spec.labels).map(([key, value]) => ({ key, value })) },
    ...(run.taskKillGracePeriodSeconds !== undefined
      ? { kill_policy: { grace_period: { nanoseconds: Math.round(run.taskKillGracePeriodSeconds * 1e9) } } }
      : {}),
  };
}

function frameworkConfig(name: string, role: string): FrameworkConfig {
  return {
    id: name,
    name,
    role,
    kind: 'batch',
    options: { jobs: [] },
    tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
    maxTasksPerOffer: 100,
    refuseSeconds: 5,
    capabilities: ['MULTI_ROLE', 'PARTITION_AWARE', 'TASK_KILLING_STATE'],
    partitionAware: true,
    relaunch: false,
    startAtMs: 0,
  };
}
