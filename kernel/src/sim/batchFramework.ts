/**
 * The `batch` framework kind (Spark-like): a queue of identical tasks. On each
 * offer it launches up to `maxTasksPerOffer` tasks that fit and declines the
 * rest with `refuseSeconds`; with nothing left to launch it suppresses, and it
 * revives when a failed or lost task goes back into the queue (`relaunch`).
 */
import type { Offer } from '../offers/offer.js';
import { subtractResourceSets } from '../resources/resourceSet.js';
import type { TaskSpec, TaskStatus } from '../tasks/task.js';
import { isTerminal } from '../tasks/taskState.js';
import type { ScenarioFramework } from './scenario.js';
import type { FrameworkModel, SimulationContext } from './frameworkModel.js';
import { carveTask } from './taskResources.js';

/** What the simulated agent needs to run a batch task. */
export interface SimTaskData {
  durationMs: number | null;
}

const RELAUNCHED_STATES = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_KILLED']);

export class BatchFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  #pending: number;
  #nextTaskNumber = 0;
  #suppressed = false;

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
    if (this.#pending === 0) this.#suppress(context);
  }

  onOffers(offers: readonly Offer[], context: SimulationContext): void {
    for (const offer of offers) {
      const tasks = this.#tasksFor(offer, context);
      if (tasks.length === 0) context.send({ type: 'offer.decline', frameworkId: this.id, offerIds: [offer.id], refuseSeconds: this.spec.refuseSeconds });
      else context.send({ type: 'offer.accept', frameworkId: this.id, offerIds: [offer.id], operations: [{ type: 'LAUNCH', tasks }], refuseSeconds: this.spec.refuseSeconds });
    }
    if (this.#pending === 0) this.#suppress(context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SimulationContext): void {
    if (!isTerminal(status.state) || status.state === 'TASK_FINISHED') return;
    if (!this.spec.relaunch || !RELAUNCHED_STATES.has(status.state)) return;
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
