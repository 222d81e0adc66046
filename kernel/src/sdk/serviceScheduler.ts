/**
 * An SDK service scheduler as a framework model (the scheduler contract of
 * kernel/src/schedulers): it turns a ServiceSpec into plans and runs them on
 * offers, in the parts DC/OS Commons has. Plan coordination picks the steps
 * that work now (planCoordinator.ts), the plan scheduler evaluates offers for
 * them and launches on reservations and volumes it records before acting
 * (planScheduler.ts), the recovery manager relaunches failed pods in place or
 * replaces them elsewhere (recoveryManager.ts), decommission and uninstall
 * give reservations back (decommission.ts), and config updates roll through
 * the deploy plan (configUpdate.ts), operators steer plans (planControls.ts)
 * and unowned reservations are given back (garbage.ts). This file wires them to the contract:
 * offers, updates, operator controls, suppress and revive, and its state
 * store across its own restarts.
 */
import type { Offer } from '../offers/offer.js';
import type { FrameworkConfig } from '../schedulers/frameworkConfig.js';
import type { FrameworkModel, SchedulerContext } from '../schedulers/frameworkModel.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import { updateConfig } from './configUpdate.js';
import { uninstall } from './decommission.js';
import { giveBackGarbage } from './garbage.js';
import type { ControlResult, Plan, PlanView } from './plan.js';
import { planView } from './plan.js';
import { PlanCoordinator } from './planCoordinator.js';
import type { PlanControl } from './planControls.js';
import { controlPlan, startPlan, stopPlan } from './planControls.js';
import { customPlans, deployPlan } from './planFactory.js';
import { PlanScheduler } from './planScheduler.js';
import type { PodInstance } from './podInstance.js';
import { Readiness } from './readiness.js';
import { RecoveryManager } from './recoveryManager.js';
import type { ServiceSchedulerSnapshot } from './schedulerState.js';
import { fromSnapshot, toSnapshot } from './schedulerState.js';
import type { ServiceSpec } from './serviceSpec.js';
import type { LogEntry } from './serviceState.js';
import { ServiceState } from './serviceState.js';

export type { ServiceSchedulerSnapshot } from './schedulerState.js';

export type ServiceControl =
  | PlanControl
  | { type: 'pod.replace' | 'pod.restart'; pod: string }
  | { type: 'plan.start'; plan: string; parameters?: Record<string, string> }
  | { type: 'plan.stop'; plan: string }
  | { type: 'service.update'; service: ServiceSpec }
  | { type: 'service.uninstall' };

/** States that prove a launch happened, and so that the instance's reservations exist. */
const LIVING: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_ERROR',
]);

export class ServiceScheduler implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly state: ServiceState;
  readonly #coordinator: PlanCoordinator;
  readonly #planScheduler: PlanScheduler;
  readonly #recovery: RecoveryManager;
  readonly #readiness: Readiness;
  /** Restored without a host (a fork of a live service): clocks rearm and tasks reconcile once it subscribes. */
  #resumeOnSubscribe = false;

  constructor(
    readonly framework: FrameworkConfig,
    spec: ServiceSpec,
  ) {
    this.id = framework.id;
    this.role = framework.role;
    this.state = new ServiceState(framework.id, framework.role, spec);
    const refresh = () => {
      this.#coordinator.sync();
      this.#wake();
    };
    this.#coordinator = new PlanCoordinator(this.state);
    this.#planScheduler = new PlanScheduler(this.state, framework.refuseSeconds);
    this.#recovery = new RecoveryManager(this.state, refresh);
    this.#readiness = new Readiness(this.state, this.#recovery, refresh);
    this.state.plans.push(deployPlan(this.state, spec, 'deploy'), ...customPlans(this.state, spec));
  }

  get spec(): ServiceSpec {
    return this.state.spec;
  }

  get taskStates(): ReadonlyMap<string, TaskState> {
    return this.state.taskStates;
  }

  get instances(): ReadonlyMap<string, PodInstance> {
    return this.state.instances;
  }

  get targetConfigId(): number {
    return this.state.targetConfigId;
  }

  get configErrors(): readonly string[] {
    return this.state.configErrors;
  }

  get log(): readonly LogEntry[] {
    return this.state.log;
  }

  get pendingTasks(): number {
    return 0;
  }

  plan(name: string): Plan | undefined {
    return this.state.plan(name);
  }

  // Framework model -------------------------------------------------------------

  subscribe(context: SchedulerContext): void {
    this.state.context = context;
    context.send({
      type: 'framework.subscribe',
      framework: { id: this.id, name: this.framework.name, roles: [this.role], capabilities: [...this.framework.capabilities] },
    });
    // A forked service's tasks are placed with it; they are not reconciled (their agents register after it subscribes).
    if (!this.#resumeOnSubscribe) return;
    this.#resumeOnSubscribe = false;
    this.#resume();
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    this.state.suppressed = false;
    const tasks = [...this.state.instances.values()].flatMap((instance) =>
      Object.values(instance.tasks)
        .filter((t) => t.taskId && t.state && !isTerminal(t.state))
        .map((t) => ({ taskId: t.taskId!, ...(instance.agentId ? { agentId: instance.agentId } : {}) })),
    );
    if (tasks.length > 0) context.send({ type: 'framework.reconcile', frameworkId: this.id, tasks });
  }

  onRescind(): void {}

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    const { state } = this;
    state.context = context;
    for (const offer of offers) state.knownAgents.set(offer.agentId, { hostname: offer.hostname, attributes: offer.attributes });
    const used = new Set<string>();
    for (const offer of offers) giveBackGarbage(state, offer, used, context);
    this.#coordinator.sync();
    this.#planScheduler.resourceOffers(this.#coordinator.workingSteps(), offers, used, context);
    const idle = offers.filter((offer) => !used.has(offer.id));
    if (idle.length > 0)
      context.send({
        type: 'offer.decline',
        frameworkId: this.id,
        offerIds: idle.map((offer) => offer.id),
        refuseSeconds: this.framework.refuseSeconds,
      });
    this.#coordinator.sync();
    if (this.#coordinator.idle() && !state.suppressed) {
      state.suppressed = true;
      context.send({ type: 'framework.suppress', frameworkId: this.id });
    }
  }

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    const { state } = this;
    state.context = context;
    if (status.uuid)
      context.send({ type: 'task.acknowledge', frameworkId: this.id, agentId: status.agentId, taskId: status.taskId, uuid: status.uuid });
    state.taskStates.set(status.taskId, status.state);
    const found = state.taskRecord(status.taskId);
    if (!found) {
      // A task this scheduler no longer owns (a replaced pod's, back with its agent): it must not run on (SDK TaskKiller).
      // Killed again on each sign of life: an earlier kill may have been lost with its agent.
      if (isTerminal(status.state)) state.killRequested.delete(status.taskId);
      else if (status.state !== 'TASK_UNREACHABLE') {
        state.note(`killing ${status.taskId}: no pod instance owns it`);
        state.kill(status.taskId);
      }
      return;
    }
    const [instance, name] = found;
    const record = instance.tasks[name];
    if (record.state !== null && isTerminal(record.state) && status.reason === 'REASON_RECONCILIATION') return;
    record.state = status.state;
    if (LIVING.has(status.state)) instance.unconfirmed = false;
    if (status.state === 'TASK_RUNNING') this.#readiness.taskRunning(instance, name, status.checkStatus);
    else if (isTerminal(status.state) || status.state === 'TASK_UNREACHABLE') this.#recovery.taskEnded(instance, name, status.state);
    this.#coordinator.sync();
    this.#wake();
  }

  details(): Record<string, unknown> {
    const { state } = this;
    const spec = state.spec;
    const first = spec.pods[0]?.type;
    const seeds = [...state.instances.values()]
      .filter((i) => i.podType === first && i.index < spec.seeds)
      .map((i) => i.target?.hostname ?? null);
    return {
      configId: state.targetConfigId,
      ...(state.configErrors.length > 0 ? { configErrors: state.configErrors } : {}),
      instances: [...state.instances.values()].map((i) => ({
        name: i.name,
        agent: i.agentId,
        configId: i.configId,
        tasks: Object.fromEntries(Object.values(i.tasks).map((t) => [t.name, t.state])),
      })),
      ...(spec.seeds > 0 ? { seeds } : {}),
      log: state.log.slice(-50),
    };
  }

  plans(): PlanView[] {
    this.#coordinator.sync();
    return this.state.plans.map((plan) => {
      const view = { framework: this.id, ...planView(plan) };
      if (plan.kind === 'deploy' && this.state.configErrors.length > 0)
        return { ...view, status: 'ERROR' as const, errors: this.state.configErrors };
      return view;
    });
  }

  // Operator controls ----------------------------------------------------------

  control(command: ServiceControl): ControlResult {
    // Controls act on statuses as they are now, whoever read the plans last.
    this.#coordinator.sync();
    const result = this.#control(command);
    this.state.note(`${command.type}: ${result.message}`);
    if (this.state.context) this.#wake();
    return result;
  }

  #control(command: ServiceControl): ControlResult {
    const { state } = this;
    switch (command.type) {
      case 'plan.interrupt':
      case 'plan.continue':
      case 'plan.restart':
      case 'plan.forceComplete':
        return controlPlan(state, command, (podInstance) => this.#recovery.clearDelay(podInstance));
      case 'pod.replace':
      case 'pod.restart':
        return this.#recovery.podControl(command.type, command.pod);
      case 'service.update':
        return updateConfig(state, command.service);
      case 'service.uninstall':
        return uninstall(state);
      case 'plan.start':
        return startPlan(state, command.plan, command.parameters ?? {});
      case 'plan.stop':
        return stopPlan(state, command.plan);
    }
  }

  // Restarts ----------------------------------------------------------------------

  /** Everything the scheduler must keep across its own restart (the SDK's state store). */
  snapshot(): ServiceSchedulerSnapshot {
    const { state } = this;
    this.#coordinator.sync();
    return toSnapshot({
      configs: state.configs,
      targetConfigId: state.targetConfigId,
      configErrors: state.configErrors,
      instances: state.instances,
      garbage: state.garbage,
      ids: state.ids,
      log: state.log,
      plans: state.plans,
    });
  }

  /**
   * A scheduler restarted from its snapshot: the failure clocks come back with
   * it (the SDK lost them), so a pod's permanent replacement keeps its deadline.
   * Without a context (a service forked from a live cluster into the
   * simulator), the clocks rearm when it subscribes.
   */
  static restore(framework: FrameworkConfig, snapshot: ServiceSchedulerSnapshot, context: SchedulerContext | null): ServiceScheduler {
    const saved = fromSnapshot(snapshot);
    const scheduler = new ServiceScheduler(framework, saved.configs.get(saved.targetConfigId)!);
    const state = scheduler.state;
    state.configs.clear();
    for (const [id, spec] of saved.configs) state.configs.set(id, spec);
    state.targetConfigId = saved.targetConfigId;
    state.configErrors = saved.configErrors;
    for (const [name, instance] of saved.instances) state.instances.set(name, instance);
    for (const id of saved.garbage) state.garbage.add(id);
    state.ids = saved.ids;
    state.log.push(...saved.log);
    state.plans.splice(0, state.plans.length, ...saved.plans);
    if (context) {
      state.context = context;
      scheduler.#resume();
    } else scheduler.#resumeOnSubscribe = true;
    state.note('restarted from its state store');
    return scheduler;
  }

  /** Failure clocks and pending readiness of a restored scheduler, once it has a context. */
  #resume(): void {
    for (const instance of this.state.instances.values()) {
      this.#recovery.rearm(instance);
      for (const record of Object.values(instance.tasks))
        if (record.state === 'TASK_RUNNING' && !record.ready) this.#readiness.taskRunning(instance, record.name);
    }
  }

  /** This scheduler has been replaced by a restarted one: its timers stop acting. */
  retire(): void {
    this.state.retired = true;
  }

  /** The scheduler process restarts: a new one from this one's state store; this one stops acting. */
  restart(context: SchedulerContext): FrameworkModel {
    const next = ServiceScheduler.restore(this.framework, this.snapshot(), context);
    this.retire();
    return next;
  }

  // Housekeeping ----------------------------------------------------------------

  /** Offers are wanted again: revive if offers were suppressed. */
  #wake(): void {
    const { state } = this;
    if (!state.suppressed || this.#coordinator.idle()) return;
    state.suppressed = false;
    state.send({ type: 'framework.revive', frameworkId: this.id });
  }
}
