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
import type { JobRecord } from './jobStats.js';
import { jobReport, summarizeJobs } from './jobStats.js';

export interface BatchJobSpec {
  id: string;
  atMs: number;
  tasks: number;
  resources: ResourceQuantities;
  ports: number;
  durationMs: number | null;
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

  constructor(readonly spec: FrameworkConfig) {
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
    this.#jobs = specs.map((job) => ({ spec: job, data: Object.freeze({ durationMs: job.durationMs }), record: null, queued: 0 }));
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
    } else if (this.spec.relaunch && NEEDS_RELAUNCH.has(status.state)) {
      job.queued++;
      this.#session.want(true, context);
    } else {
      job.record.failed++;
    }
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
    for (const job of this.#jobs) {
      while (job.queued > 0 && tasks.length < this.spec.maxTasksPerOffer) {
        const resources = carveTask(available, context.layout, job.spec.resources, job.spec.ports);
        if (!resources) break;
        const taskId = `${this.id}-${job.spec.id}-${this.#nextTaskNumber++}`;
        tasks.push({ taskId, resources, data: job.data });
        this.#jobOfTask.set(taskId, job);
        available = subtractResourceSets(available, resources);
        job.queued--;
      }
    }
    return tasks;
  }
}
