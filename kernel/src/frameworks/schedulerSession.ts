/**
 * What every simulated scheduler does the same way: subscribe with its roles
 * and capabilities, acknowledge every update that carries a uuid, suppress
 * offers when it wants none and revive when it does, remember the latest
 * state it was told of per task, and resend kills until the task ends (a kill
 * can be lost with a failing master or a cut-off agent). Invariant:
 * `suppressed` mirrors the last suppress or revive sent since it subscribed.
 */
import type { OfferOperation, ReconcileTask } from '../master/commands.js';
import type { Offer } from '../offers/offer.js';
import type { SchedulerContext } from '../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../schedulers/frameworkConfig.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';

/** How long a kill may go unanswered before it is sent again. */
export const KILL_RETRY_MS = 10_000;

export class SchedulerSession {
  readonly id: string;
  /** The latest state the framework was told of, per task it launched. */
  readonly taskStates = new Map<string, TaskState>();
  #suppressed = false;
  /** Tasks with a kill in flight: each has one retry timer. */
  readonly #killing = new Set<string>();

  constructor(
    readonly spec: FrameworkConfig,
    /** Every role the framework subscribes with; the first is `spec.role`. */
    readonly roles: readonly string[] = [spec.role],
  ) {
    this.id = spec.id;
  }

  get suppressed(): boolean {
    return this.#suppressed;
  }

  subscribe(context: SchedulerContext): void {
    const capabilities = new Set(this.spec.capabilities);
    if (this.spec.partitionAware) capabilities.add('PARTITION_AWARE');
    if (this.roles.length > 1) capabilities.add('MULTI_ROLE');
    const minAllocatable = this.spec.minAllocatable
      ? { minAllocatable: Object.fromEntries(this.roles.map((role) => [role, this.spec.minAllocatable!])) }
      : {};
    context.send({
      type: 'framework.subscribe',
      framework: { id: this.id, name: this.spec.name, roles: [...this.roles], capabilities: [...capabilities], ...minAllocatable },
    });
    this.#suppressed = false;
  }

  /** Explicit reconciliation of the tasks the framework believes are live (after a master failover). */
  reconcile(live: ReadonlyMap<string, string>, context: SchedulerContext): void {
    const tasks: ReconcileTask[] = [...live].map(([taskId, agentId]) => ({ taskId, agentId }));
    if (tasks.length > 0) context.send({ type: 'framework.reconcile', frameworkId: this.id, tasks });
  }

  /**
   * Acknowledges the update and records its state. A reconciliation answer
   * never overrides a terminal state the framework already saw; returns false
   * for such a stale answer, which the model should then ignore.
   */
  observe(status: TaskStatus, context: SchedulerContext): boolean {
    if (status.uuid)
      context.send({ type: 'task.acknowledge', frameworkId: this.id, agentId: status.agentId, taskId: status.taskId, uuid: status.uuid });
    const known = this.taskStates.get(status.taskId);
    if (known && isTerminal(known) && status.reason === 'REASON_RECONCILIATION') return false;
    this.taskStates.set(status.taskId, status.state);
    return true;
  }

  /** Suppresses when nothing is wanted, revives when something is (each only on a change). */
  want(wanted: boolean, context: SchedulerContext): void {
    if (wanted === !this.#suppressed) return;
    this.#suppressed = !wanted;
    context.send({ type: wanted ? 'framework.revive' : 'framework.suppress', frameworkId: this.id });
  }

  decline(offer: Offer, context: SchedulerContext): void {
    context.send({ type: 'offer.decline', frameworkId: this.id, offerIds: [offer.id], refuseSeconds: this.spec.refuseSeconds });
  }

  /** Accepts with the operations, or declines when there are none. */
  answer(offer: Offer, operations: readonly OfferOperation[], context: SchedulerContext): void {
    if (operations.length === 0) return this.decline(offer, context);
    for (const operation of operations) {
      if (operation.type !== 'LAUNCH') continue;
      for (const task of operation.tasks) this.taskStates.set(task.taskId, 'TASK_STAGING');
    }
    context.send({
      type: 'offer.accept',
      frameworkId: this.id,
      offerIds: [offer.id],
      operations: [...operations],
      refuseSeconds: this.spec.refuseSeconds,
    });
  }

  /** Kills the task, and kills it again every KILL_RETRY_MS until an end (or TASK_UNKNOWN) is reported. */
  kill(taskId: string, agentId: string, context: SchedulerContext): void {
    context.send({ type: 'task.kill', frameworkId: this.id, taskId, agentId });
    if (this.#killing.has(taskId)) return;
    this.#killing.add(taskId);
    const retry = (): void => {
      const state = this.taskStates.get(taskId);
      if (state === undefined || isTerminal(state) || state === 'TASK_UNKNOWN') {
        this.#killing.delete(taskId);
        return;
      }
      context.send({ type: 'task.kill', frameworkId: this.id, taskId, agentId });
      context.schedule(context.nowMs + KILL_RETRY_MS, retry);
    };
    context.schedule(context.nowMs + KILL_RETRY_MS, retry);
  }
}
