/**
 * The `batch` kind with `jobs` (Spark-like): jobs of many short tasks arrive
 * over time, each at its `atMs`; offers serve the queued tasks of the jobs in
 * arrival order (FIFO, as Spark's default scheduler), `maxTasksPerOffer` at a
 * time. A job finishes when its last task does; the report gives each job's
 * completion time and their mean, p50 and p95.
 */
import type { Offer } from '../../offers/offer.js';
import type { ResourceQuantities } from '../../resources/layout.js';
import { subtractResourceSets } from '../../resources/resourceSet.js';
import type { TaskSpec, TaskStatus } from '../../tasks/task.js';
import type { TaskState } from '../../tasks/taskState.js';
import { isTerminal } from '../../tasks/taskState.js';
import type { TaskRunData } from '../../schedulers/taskRunData.js';
import type { FrameworkModel, SchedulerContext } from '../../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../../schedulers/frameworkConfig.js';
import { carveTask } from '../../schedulers/carveTask.js';
import { SchedulerSession } from '../schedulerSession.js';
import { parseConstraint, placementAllows } from '../../sdk/constraints.js';
import type { PlacementConstraint } from '../../sdk/constraints.js';
import type { JobRecord } from './jobStats.js';
import { jobReport, summarizeJobs } from './jobStats.js';

export interface BatchJobSpec {
  id: string;
  atMs: number;
  tasks: number;
  resources: ResourceQuantities;
  ports: number;
  durationMs: number | null;
  /** Where its tasks may run (default: anywhere). */
  constraints?: PlacementConstraint[];
  /** Relaunch failed or lost tasks; default: the framework's `relaunch`. */
  relaunch?: boolean;
  /** With relaunch: no relaunch after this time (Metronome's activeDeadlineSeconds); null or absent: no limit. */
  relaunchUntilMs?: number | null;
}

/** Operator controls of a running jobs scheduler (Metronome's API): a job submitted now, a job stopped. */
export type JobControl = { type: 'job.submit'; job: BatchJobSpec } | { type: 'job.stop'; jobId: string };

/** What a host may know of one job. */
export interface JobProgress {
  record: JobRecord | null;
  queued: number;
  stopped: boolean;
  /** Tasks launched and not yet ended. */
  live: string[];
}

export interface JobsSnapshot {
  jobs: Array<{
    spec: Omit<BatchJobSpec, 'constraints'> & { constraints: string[][] };
    record: JobRecord | null;
    queued: number;
    stopped: boolean;
  }>;
  live: Array<[taskId: string, agentId: string, jobId: string]>;
  nextTaskNumber: number;
  taskStates: Record<string, TaskState>;
}

/** `framework.options` of a batch framework with jobs. */
export interface BatchJobsOptions {
  jobs: BatchJobSpec[];
}

/** With `relaunch`, tasks in these states go back to their job's queue. */
const NEEDS_RELAUNCH: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FAILED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

interface Job {
  readonly spec: BatchJobSpec;
  readonly data: TaskRunData;
  record: JobRecord | null;
  /** Tasks of an arrived job still to launch. */
  queued: number;
  /** Stopped by an operator: nothing more launches, nothing is relaunched. */
  stopped: boolean;
}

export class JobsFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly #session: SchedulerSession;
  readonly #jobs: Job[];
  /** Tasks believed live, with their agents (for reconciliation), and the job of every task. */
  readonly #live = new Map<string, string>();
  readonly #jobOfTask = new Map<string, Job>();
  #nextTaskNumber = 0;
  #started = false;

  constructor(
    readonly spec: FrameworkConfig,
    readonly taskIdOf: (jobId: string, number: number) => string = (jobId, number) => `${spec.id}-${jobId}-${number}`,
  ) {
    this.id = spec.id;
    this.role = spec.role;
    this.#session = new SchedulerSession(spec);
    const specs = [...(spec.options as BatchJobsOptions).jobs];
    // The plain `tasks` queue, when given too, is one more job submitted when the framework starts.
    if (spec.tasks.count > 0)
      specs.unshift({
        id: 'tasks',
        atMs: spec.startAtMs,
        tasks: spec.tasks.count,
        resources: spec.tasks.resources,
        ports: spec.tasks.ports,
        durationMs: spec.tasks.durationMs,
      });
    this.#jobs = specs.map((job) => newJob(job));
  }

  get taskStates(): ReadonlyMap<string, TaskState> {
    return this.#session.taskStates;
  }

  get pendingTasks(): number {
    return this.#jobs.reduce((sum, job) => sum + job.queued, 0);
  }

  subscribe(context: SchedulerContext): void {
    this.#session.subscribe(context);
    if (!this.#started) {
      this.#started = true;
      for (const job of this.#jobs) context.schedule(job.spec.atMs, () => this.#arrive(job, context));
    }
    this.#session.want(this.pendingTasks > 0, context);
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    this.#session.reconcile(this.#live, context);
  }

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    for (const offer of offers) {
      const tasks = this.#tasksFor(offer, context);
      for (const task of tasks) this.#live.set(task.taskId, offer.agentId);
      this.#session.answer(offer, tasks.length > 0 ? [{ type: 'LAUNCH', tasks }] : [], context);
    }
    this.#session.want(this.pendingTasks > 0, context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    if (!this.#session.observe(status, context)) return;
    if (!isTerminal(status.state) && status.state !== 'TASK_UNKNOWN') {
      if (status.state !== 'TASK_UNREACHABLE') this.#live.set(status.taskId, status.agentId);
      return;
    }
    // Each task is settled once, however many terminal updates it gets.
    if (!this.#live.delete(status.taskId)) return;
    const job = this.#jobOfTask.get(status.taskId);
    if (!job?.record) return;
    if (status.state === 'TASK_FINISHED') {
      job.record.finished++;
      if (job.record.finished === job.record.tasks) job.record.finishedAtMs = context.nowMs;
    } else if (this.#relaunches(job, context.nowMs) && NEEDS_RELAUNCH.has(status.state)) {
      job.queued++;
      this.#session.want(true, context);
    } else {
      job.record.failed++;
    }
  }

  /** Submits or stops a job now (a host's operator control). */
  operate(
    command: JobControl,
    context: SchedulerContext,
  ): { ok: true } | { ok: false; code: 'unknown_job' | 'duplicate_job'; message: string } {
    if (command.type === 'job.submit') {
      if (this.#jobs.some((job) => job.spec.id === command.job.id))
        return { ok: false, code: 'duplicate_job', message: `job ${command.job.id} exists already` };
      const job = newJob(command.job);
      this.#jobs.push(job);
      this.#arrive(job, context);
      return { ok: true };
    }
    const job = this.#jobs.find((candidate) => candidate.spec.id === command.jobId);
    if (!job) return { ok: false, code: 'unknown_job', message: `job ${command.jobId} does not exist` };
    job.stopped = true;
    job.queued = 0;
    for (const [taskId, agentId] of this.#live) if (this.#jobOfTask.get(taskId) === job) this.#session.kill(taskId, agentId, context);
    this.#session.want(this.pendingTasks > 0, context);
    return { ok: true };
  }

  progress(jobId: string): JobProgress | null {
    const job = this.#jobs.find((candidate) => candidate.spec.id === jobId);
    if (!job) return null;
    const live = [...this.#live.keys()].filter((taskId) => this.#jobOfTask.get(taskId) === job);
    return { record: job.record, queued: job.queued, stopped: job.stopped, live };
  }

  /** Forgets a job that has ended (its history is the host's to keep). */
  forget(jobId: string): void {
    const index = this.#jobs.findIndex((job) => job.spec.id === jobId);
    if (index >= 0 && (this.progress(jobId)?.live.length ?? 0) === 0) this.#jobs.splice(index, 1);
  }

  snapshot(): JobsSnapshot {
    return JSON.parse(
      JSON.stringify({
        jobs: this.#jobs.map((job) => ({
          spec: {
            ...job.spec,
            constraints: (job.spec.constraints ?? []).map((c) => [c.field, c.operator, ...(c.value !== undefined ? [c.value] : [])]),
          },
          record: job.record,
          queued: job.queued,
          stopped: job.stopped,
        })),
        live: [...this.#live].map(([taskId, agentId]) => [taskId, agentId, this.#jobOfTask.get(taskId)?.spec.id ?? '']),
        nextTaskNumber: this.#nextTaskNumber,
        taskStates: Object.fromEntries([...this.#session.taskStates].filter(([taskId]) => this.#live.has(taskId))),
      }),
    ) as JobsSnapshot;
  }

  /** A scheduler restarted from its store; it reconciles its live tasks once subscribed. */
  static restore(spec: FrameworkConfig, snapshot: JobsSnapshot, taskIdOf?: (jobId: string, number: number) => string): JobsFramework {
    const model = new JobsFramework({ ...spec, tasks: { ...spec.tasks, count: 0 }, options: { jobs: [] } }, taskIdOf);
    for (const saved of snapshot.jobs) {
      const constraints = saved.spec.constraints.map((raw) => {
        const parsed = parseConstraint(raw);
        if (!parsed.ok) throw new Error(`stored constraint ${JSON.stringify(raw)} of job ${saved.spec.id}: ${parsed.message}`);
        return parsed.constraint;
      });
      model.#jobs.push({ ...newJob({ ...saved.spec, constraints }), record: saved.record, queued: saved.queued, stopped: saved.stopped });
    }
    for (const [taskId, agentId, jobId] of snapshot.live) {
      model.#live.set(taskId, agentId);
      const job = model.#jobs.find((candidate) => candidate.spec.id === jobId);
      if (job) model.#jobOfTask.set(taskId, job);
    }
    for (const [taskId, state] of Object.entries(snapshot.taskStates)) model.#session.taskStates.set(taskId, state);
    model.#nextTaskNumber = snapshot.nextTaskNumber;
    model.#started = true;
    return model;
  }

  #relaunches(job: Job, nowMs: number): boolean {
    if (job.stopped) return false;
    if (!(job.spec.relaunch ?? this.spec.relaunch)) return false;
    return job.spec.relaunchUntilMs === undefined || job.spec.relaunchUntilMs === null || nowMs < job.spec.relaunchUntilMs;
  }

  details(): Record<string, unknown> {
    const jobs = this.#jobs.flatMap((job) => (job.record ? [jobReport(job.record)] : []));
    return { jobs, summary: summarizeJobs(jobs) };
  }

  #arrive(job: Job, context: SchedulerContext): void {
    job.record = {
      id: job.spec.id,
      submittedMs: context.nowMs,
      tasks: job.spec.tasks,
      finished: 0,
      failed: 0,
      finishedAtMs: job.spec.tasks === 0 ? context.nowMs : null,
    };
    job.queued = job.spec.tasks;
    this.#session.want(this.pendingTasks > 0, context);
  }

  /** Queued tasks in job order, as many as the offer holds and `maxTasksPerOffer` allows. */
  #tasksFor(offer: Offer, context: SchedulerContext): TaskSpec[] {
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    const target = { hostname: offer.hostname, attributes: offer.attributes };
    for (const job of this.#jobs) {
      if (job.queued > 0 && job.spec.constraints && !placementAllows(job.spec.constraints, target, [], [target]).ok) continue;
      while (job.queued > 0 && tasks.length < this.spec.maxTasksPerOffer) {
        const resources = carveTask(available, context.layout, job.spec.resources, job.spec.ports);
        if (!resources) break;
        const taskId = this.taskIdOf(job.spec.id, this.#nextTaskNumber++);
        tasks.push({ taskId, resources, data: job.data });
        this.#jobOfTask.set(taskId, job);
        available = subtractResourceSets(available, resources);
        job.queued--;
      }
    }
    return tasks;
  }
}

function newJob(spec: BatchJobSpec): Job {
  return { spec, data: Object.freeze({ durationMs: spec.durationMs }), record: null, queued: 0, stopped: false };
}
