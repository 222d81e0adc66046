/**
 * The `batch` framework kind (Spark-like): a queue of identical tasks. On each
 * offer it launches up to `maxTasksPerOffer` tasks that fit and declines the
 * rest with `refuseSeconds`; with nothing left to launch it suppresses. It
 * acknowledges every update that carries a uuid; with `relaunch` it puts tasks
 * that failed or were lost back in the queue and revives. After a master
 * failover it re-subscribes and reconciles the tasks it believes are live.
 */
import type { OfferOperation } from '../../master/commands.js';
import type { Offer } from '../../offers/offer.js';
import { subtractResourceSets } from '../../resources/resourceSet.js';
import { equals } from '../../resources/vector.js';
import type { TaskSpec, TaskStatus } from '../../tasks/task.js';
import type { TaskState } from '../../tasks/taskState.js';
import { isTerminal } from '../../tasks/taskState.js';
import type { FrameworkModel, SchedulerContext } from '../../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../../schedulers/frameworkConfig.js';
import type { Slot } from './persistentSlots.js';
import { firstLaunch, relaunch, release, slotParts } from './persistentSlots.js';
import { carveTask } from '../../schedulers/carveTask.js';
import type { TaskRunData } from '../../schedulers/taskRunData.js';

/** States after which a task will not run again: with `relaunch`, a replacement is queued. */
const NEEDS_RELAUNCH: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FAILED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);

export class BatchFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  #pending: number;
  #nextTaskNumber = 0;
  #suppressed = false;
  /** Tasks this framework believes are live, with their agents, for reconciliation. */
  readonly #live = new Map<string, string>();
  /** With `persistentVolume`: each task's reservation and volume, kept across relaunches. */
  readonly #slotOfTask = new Map<string, Slot>();
  readonly #relaunches = new Set<Slot>();
  readonly #releases = new Set<Slot>();
  #slotNumber = 0;
  #shared: TaskSpec['resources'] | null = null;
  /** What the simulated agent needs to run one of these tasks: the same for all of them. */
  readonly #taskData: TaskRunData;

  constructor(readonly spec: FrameworkConfig) {
    this.id = spec.id;
    this.role = spec.role;
    this.#pending = spec.tasks.count;
    this.#taskData = Object.freeze({ durationMs: spec.tasks.durationMs });
  }

  /** The latest state this framework was told of, for every task it launched. */
  readonly taskStates = new Map<string, TaskState>();

  get pendingTasks(): number {
    return this.#pending + this.#relaunches.size;
  }

  /** Nothing left to launch, relaunch or give back: offers are of no use. */
  get #idle(): boolean {
    return this.#pending === 0 && this.#relaunches.size === 0 && this.#releases.size === 0;
  }

  subscribe(context: SchedulerContext): void {
    context.send({
      type: 'framework.subscribe',
      framework: { id: this.id, name: this.spec.name, roles: [this.role], capabilities: this.#capabilities(), ...this.#minAllocatable() },
    });
    this.#suppressed = false;
    if (this.#idle) this.#suppress(context);
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    const tasks = [...this.#live].map(([taskId, agentId]) => ({ taskId, agentId }));
    if (tasks.length > 0) context.send({ type: 'framework.reconcile', frameworkId: this.id, tasks });
  }

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    for (const offer of offers) {
      const { operations, tasks } = this.spec.tasks.persistentVolume
        ? this.#persistentFor(offer, context)
        : { operations: [], tasks: this.#tasksFor(offer, context) };
      if (tasks.length === 0 && operations.length === 0) {
        context.send({ type: 'offer.decline', frameworkId: this.id, offerIds: [offer.id], refuseSeconds: this.spec.refuseSeconds });
        continue;
      }
      for (const task of tasks) {
        this.#live.set(task.taskId, offer.agentId);
        this.taskStates.set(task.taskId, 'TASK_STAGING');
      }
      const launch: OfferOperation[] = tasks.length > 0 ? [{ type: 'LAUNCH', tasks }] : [];
      context.send({
        type: 'offer.accept',
        frameworkId: this.id,
        offerIds: [offer.id],
        operations: [...operations, ...launch],
        refuseSeconds: this.spec.refuseSeconds,
      });
    }
    if (this.#idle) this.#suppress(context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    if (status.uuid)
      context.send({ type: 'task.acknowledge', frameworkId: this.id, agentId: status.agentId, taskId: status.taskId, uuid: status.uuid });
    const known = this.taskStates.get(status.taskId);
    // A reconciliation answer never overrides a terminal state the framework already saw.
    if (!(known && isTerminal(known) && status.reason === 'REASON_RECONCILIATION')) this.taskStates.set(status.taskId, status.state);
    if (!isTerminal(status.state) && status.state !== 'TASK_UNKNOWN') {
      if (status.state !== 'TASK_UNREACHABLE') this.#live.set(status.taskId, status.agentId);
      return;
    }
    // Each task is settled once: a LOST task that is later killed on its returning agent is not relaunched twice.
    const wasLive = this.#live.delete(status.taskId);
    const slot = this.#slotOfTask.get(status.taskId);
    this.#slotOfTask.delete(status.taskId);
    if (!wasLive) return;
    const again =
      this.spec.relaunch && (NEEDS_RELAUNCH.has(status.state) || (this.spec.keepRunning === true && status.state === 'TASK_KILLED'));
    // A slot whose agent is gone lost its reservation and volume with it.
    const slotLost = status.state === 'TASK_GONE' || status.state === 'TASK_GONE_BY_OPERATOR';
    if (slot && !slotLost) (again ? this.#relaunches : this.#releases).add(slot);
    else if (again) this.#pending++;
    if (!again && !(slot && !slotLost)) return;
    if (this.#suppressed) {
      this.#suppressed = false;
      context.send({ type: 'framework.revive', frameworkId: this.id });
    }
  }

  #tasksFor(offer: Offer, context: SchedulerContext): TaskSpec[] {
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    while (tasks.length < this.spec.maxTasksPerOffer && this.#pending > 0) {
      let resources = carveTask(available, context.layout, this.spec.tasks.resources, this.spec.tasks.ports ?? 0);
      if (!resources) break;
      // Identical unreserved tasks share one (never mutated) resource set: a million tasks, one vector.
      if (resources.reserved.length === 0 && resources.ports.length === 0) {
        if (this.#shared && equals(this.#shared.scalars, resources.scalars)) resources = this.#shared;
        else this.#shared = resources;
      }
      tasks.push({ taskId: `${this.id}-${this.#nextTaskNumber++}`, resources, data: this.#taskData });
      available = subtractResourceSets(available, resources);
      this.#pending--;
    }
    return tasks;
  }

  /** Persistent mode: give back finished slots, relaunch on kept slots, then reserve for new tasks. */
  #persistentFor(offer: Offer, context: SchedulerContext): { operations: OfferOperation[]; tasks: TaskSpec[] } {
    const volume = this.spec.tasks.persistentVolume!;
    const { layout } = context;
    const operations: OfferOperation[] = [];
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    const data = this.#taskData;
    for (const slot of [...this.#releases]) {
      const parts = slot.agentId === offer.agentId ? slotParts(available, slot) : null;
      const give = parts ? release(available, layout, slot) : null;
      if (!parts || !give) continue;
      operations.push(...give);
      available = subtractResourceSets(available, { scalars: layout.zero(), ports: [], reserved: [parts.reservation, parts.volume] });
      this.#releases.delete(slot);
    }
    for (const slot of [...this.#relaunches]) {
      if (slot.agentId !== offer.agentId || tasks.length >= this.spec.maxTasksPerOffer) continue;
      const resources = relaunch(available, layout, slot, this.spec.tasks.ports);
      if (!resources) continue;
      const taskId = `${this.id}-${this.#nextTaskNumber++}`;
      tasks.push({ taskId, resources, data });
      this.#slotOfTask.set(taskId, slot);
      available = subtractResourceSets(available, resources);
      this.#relaunches.delete(slot);
    }
    while (this.#pending > 0 && tasks.length < this.spec.maxTasksPerOffer) {
      const number = this.#slotNumber++;
      const slot: Slot = { resourceId: `${this.id}-r${number}`, volumeId: `${this.id}-v${number}`, agentId: offer.agentId };
      const launch = firstLaunch(available, layout, this.role, slot, this.spec.tasks.resources, this.spec.tasks.ports, volume);
      if (!launch) {
        this.#slotNumber--;
        break;
      }
      const taskId = `${this.id}-${this.#nextTaskNumber++}`;
      operations.push(...launch.operations);
      tasks.push({ taskId, resources: launch.taskResources, data });
      this.#slotOfTask.set(taskId, slot);
      available = subtractResourceSets(available, launch.used);
      this.#pending--;
    }
    return { operations, tasks };
  }

  #suppress(context: SchedulerContext): void {
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
