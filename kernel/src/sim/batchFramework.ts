/**
 * The `batch` framework kind (Spark-like): a queue of identical tasks. On each
 * offer it launches up to `maxTasksPerOffer` tasks that fit and declines the
 * rest with `refuseSeconds`; with nothing left to launch it suppresses. It
 * acknowledges every update that carries a uuid; with `relaunch` it puts tasks
 * that failed or were lost back in the queue and revives. After a master
 * failover it re-subscribes and reconciles the tasks it believes are live.
 */
import type { Offer } from '../offers/offer.js';
import { subtractResourceSets } from '../resources/resourceSet.js';
import type { TaskSpec, TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import type { FrameworkModel, SimulationContext } from './frameworkModel.js';
import type { ScenarioFramework } from './scenario.js';
import { carveTask } from './taskResources.js';

/** What the simulated agent needs to run a batch task. */
export interface SimTaskData {
  durationMs: number | null;
}

/** States after which a task will not run again: with `relaunch`, a replacement is queued. */
const NEEDS_RELAUNCH: ReadonlySet<TaskState> = new Set<TaskState>(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']);

export class BatchFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  #pending: number;
  #nextTaskNumber = 0;
  #suppressed = false;
  /** Tasks this framework believes are live, with their agents, for reconciliation. */
  readonly #live = new Map<string, string>();

  constructor(readonly spec: ScenarioFramework) {
    this.id = spec.id;
    this.role = spec.role;
    this.#pending = spec.tasks.count;
  }

  get pendingTasks(): number {
    return this.#pending;
  }

  subscribe(context: SimulationContext): void {
    context.send({ type: 'framework.subscribe', framework: { id: this.id, name: this.spec.name, roles: [this.role], capabilities: this.#capabilities(), ...this.#minAllocatable() } });
    this.#suppressed = false;
    if (this.#pending === 0) this.#suppress(context);
  }

  onMasterFailover(context: SimulationContext): void {
    this.subscribe(context);
    const tasks = [...this.#live].map(([taskId, agentId]) => ({ taskId, agentId }));
    if (tasks.length > 0) context.send({ type: 'framework.reconcile', frameworkId: this.id, tasks });
  }

  onOffers(offers: readonly Offer[], context: SimulationContext): void {
    for (const offer of offers) {
      const tasks = this.#tasksFor(offer, context);
      if (tasks.length === 0) context.send({ type: 'offer.decline', frameworkId: this.id, offerIds: [offer.id], refuseSeconds: this.spec.refuseSeconds });
      else {
        for (const task of tasks) this.#live.set(task.taskId, offer.agentId);
        context.send({ type: 'offer.accept', frameworkId: this.id, offerIds: [offer.id], operations: [{ type: 'LAUNCH', tasks }], refuseSeconds: this.spec.refuseSeconds });
      }
    }
    if (this.#pending === 0) this.#suppress(context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SimulationContext): void {
    if (status.uuid) context.send({ type: 'task.acknowledge', frameworkId: this.id, agentId: status.agentId, taskId: status.taskId, uuid: status.uuid });
    if (!isTerminal(status.state) && status.state !== 'TASK_UNKNOWN') {
      if (status.state !== 'TASK_UNREACHABLE') this.#live.set(status.taskId, status.agentId);
      return;
    }
    // Each task is settled once: a LOST task that is later killed on its returning agent is not relaunched twice.
    const wasLive = this.#live.delete(status.taskId);
    if (!wasLive || !this.spec.relaunch || !NEEDS_RELAUNCH.has(status.state)) return;
    this.#pending++;
    if (this.#suppressed) {
      this.#suppressed = false;
      context.send({ type: 'framework.revive', frameworkId: this.id });
    }
  }

  #tasksFor(offer: Offer, context: SimulationContext): TaskSpec[] {
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    while (tasks.length < this.spec.maxTasksPerOffer && this.#pending > 0) {
      const resources = carveTask(available, context.layout, this.spec.tasks.resources, this.spec.tasks.ports ?? 0);
      if (!resources) break;
      const data: SimTaskData = { durationMs: this.spec.tasks.durationMs };
      tasks.push({ taskId: `${this.id}-${this.#nextTaskNumber++}`, resources, data });
      available = subtractResourceSets(available, resources);
      this.#pending--;
    }
    return tasks;
  }

  #suppress(context: SimulationContext): void {
    if (this.#suppressed) return;
    this.#suppressed = true;
    context.send({ type: 'framework.suppress', frameworkId: this.id });
  }

  #capabilities(): string[] {
    const capabilities = new Set(this.spec.capabilities);
    if (this.spec.partitionAware) capabilities.add('PARTITION_AWARE');
    return [...capabilities];
  }

  #minAllocatable(): { minAllocatable?: Record<string, Record<string, number>[]> } {
    return this.spec.minAllocatable ? { minAllocatable: { [this.role]: this.spec.minAllocatable } } : {};
  }
}
