/**
 * The `service` framework model (Marathon-like). Each app keeps `instances`
 * running: offers go through the rejection funnel per app (the latest reason
 * kept), health checks are simulated from the RUNNING time, failures delay
 * the app's next launch (backoff), and scheduled changes rescale or roll the
 * app to a new version within its upgrade strategy. All decisions are in
 * AppState.reconcile; this file carries them to and from the master.
 */
import type { Offer } from '../../offers/offer.js';
import { subtractResourceSets } from '../../resources/resourceSet.js';
import type { PlacementTarget } from '../../sdk/constraints.js';
import type { FrameworkModel, SchedulerContext } from '../../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../../schedulers/frameworkConfig.js';
import type { TaskSpec, TaskStatus } from '../../tasks/task.js';
import type { TaskState } from '../../tasks/taskState.js';
import { isTerminal } from '../../tasks/taskState.js';
import { SchedulerSession } from '../schedulerSession.js';
import type { ServiceApp, ServiceOptions } from './appSpec.js';
import type { AppSnapshot } from './appSnapshot.js';
import { restoreApp, snapshotApp } from './appSnapshot.js';
import type { Instance, TaskIdOf } from './appState.js';
import { AppState } from './appState.js';
import { appDetails } from './appDetails.js';
import { healthTimeline } from './healthCheck.js';
import { evaluateOffer } from './offerFunnel.js';
import { armUnreachable } from './unreachableStrategy.js';

/** How a real cluster's host runs the model (the simulator passes none of these). */
export interface MarathonHostOptions {
  /** Task ids of new launches; default `<app>.<launch number>`. */
  taskIdOf?: TaskIdOf;
  /**
   * Health comes from the agents' status updates (`healthy`, Mesos health checks run next to the task), which
   * also kill a task that fails them; default false: health checks are simulated from the RUNNING time.
   */
  healthFromStatus?: boolean;
}

/** Operator controls of a running Marathon (its REST API), applied between callbacks. */
export type AppControl =
  | { type: 'app.put'; app: ServiceApp }
  | { type: 'app.remove'; appId: string }
  | { type: 'task.kill'; taskId: string; scale: boolean }
  /** The host's readiness check of a live instance passed (apps with `readiness`). */
  | { type: 'task.ready'; taskId: string };

export type AppControlResult = { ok: true } | { ok: false; code: 'unknown_app' | 'unknown_task'; message: string };

export interface MarathonSnapshot {
  apps: AppSnapshot[];
  /** Apps being removed: they go once their last instance has ended. */
  removing: string[];
  taskStates: Record<string, TaskState>;
}

export class MarathonFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly #options: ServiceOptions;
  readonly #host: MarathonHostOptions;
  readonly #session: SchedulerSession;
  readonly #apps: AppState[];
  readonly #appOfTask = new Map<string, AppState>();
  readonly #removing = new Set<AppState>();
  /** Every agent seen in an offer, for GROUP_BY. */
  readonly #known = new Map<string, PlacementTarget>();
  #started = false;

  constructor(
    readonly spec: FrameworkConfig,
    host: MarathonHostOptions = {},
  ) {
    this.id = spec.id;
    this.role = spec.role;
    this.#host = host;
    this.#options = spec.options as ServiceOptions;
    this.#apps = this.#options.apps.map((app) => new AppState(app, host.taskIdOf));
    const roles = [...new Set([spec.role, ...this.#options.apps.map((app) => app.role)])];
    this.#session = new SchedulerSession(spec, roles);
  }

  /** A scheduler restarted from its store: its apps and instances as they were; it reconciles on subscribing. */
  static restore(spec: FrameworkConfig, snapshot: MarathonSnapshot, host: MarathonHostOptions = {}): MarathonFramework {
    const model = new MarathonFramework({ ...spec, options: { ...(spec.options as ServiceOptions), apps: [] } }, host);
    for (const saved of snapshot.apps) {
      const app = restoreApp(saved, host.taskIdOf);
      model.#apps.push(app);
      for (const taskId of app.live.keys()) model.#appOfTask.set(taskId, app);
      if (snapshot.removing.includes(app.spec.id)) model.#removing.add(app);
    }
    for (const [taskId, state] of Object.entries(snapshot.taskStates)) model.#session.taskStates.set(taskId, state);
    // The apps are running already: nothing to schedule again.
    model.#started = true;
    return model;
  }

  snapshot(): MarathonSnapshot {
    const live = new Set(this.#apps.flatMap((app) => [...app.live.keys()]));
    return {
      apps: this.#apps.map((app) => snapshotApp(app)),
      removing: [...this.#removing].map((app) => app.spec.id),
      // Only what is still live: ended tasks need no memory across a restart.
      taskStates: Object.fromEntries([...this.#session.taskStates].filter(([taskId]) => live.has(taskId))),
    };
  }

  /** The apps, in the order offers serve them (read-only views for an API). */
  get apps(): readonly AppState[] {
    return this.#apps;
  }

  app(appId: string): AppState | undefined {
    return this.#apps.find((app) => app.spec.id === appId);
  }

  isRemoving(appId: string): boolean {
    return [...this.#removing].some((app) => app.spec.id === appId);
  }

  operate(command: AppControl, context: SchedulerContext): AppControlResult {
    switch (command.type) {
      case 'app.put': {
        let app = this.app(command.app.id);
        if (app && this.#removing.has(app)) this.#removing.delete(app);
        if (app) app.redefine(command.app, context.nowMs);
        else this.#apps.push((app = new AppState(command.app, this.#host.taskIdOf)));
        this.#reconcile(app, context);
        return { ok: true };
      }
      case 'app.remove': {
        const app = this.app(command.appId);
        if (!app) return { ok: false, code: 'unknown_app', message: `App '${command.appId}' does not exist` };
        app.instances = 0;
        this.#removing.add(app);
        this.#reconcile(app, context);
        this.#forgetIfGone(app);
        return { ok: true };
      }
      case 'task.kill': {
        const app = this.#appOfTask.get(command.taskId);
        const instance = app?.killByOperator(command.taskId, command.scale);
        if (!app || !instance) return { ok: false, code: 'unknown_task', message: `Task '${command.taskId}' does not exist` };
        this.#session.kill(instance.taskId, instance.agentId, context);
        this.#reconcile(app, context);
        return { ok: true };
      }
      case 'task.ready': {
        const app = this.#appOfTask.get(command.taskId);
        if (!app?.live.has(command.taskId)) return { ok: false, code: 'unknown_task', message: `Task '${command.taskId}' does not exist` };
        if (app.markReady(command.taskId)) this.#reconcile(app, context);
        return { ok: true };
      }
    }
  }

  get taskStates(): ReadonlyMap<string, TaskState> {
    return this.#session.taskStates;
  }

  get pendingTasks(): number {
    return this.#apps.reduce((sum, app) => sum + app.queued, 0);
  }

  subscribe(context: SchedulerContext): void {
    this.#session.subscribe(context);
    if (!this.#started) {
      this.#started = true;
      for (const app of this.#apps) {
        for (const change of app.spec.changes)
          context.schedule(change.atMs, () => {
            app.change(change.instances, change.version, context.nowMs);
            this.#reconcile(app, context);
          });
        this.#reconcile(app, context);
      }
    }
    this.#updateInterest(context);
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    const live = new Map<string, string>();
    for (const app of this.#apps) for (const instance of app.live.values()) live.set(instance.taskId, instance.agentId);
    this.#session.reconcile(live, context);
    // A restarted scheduler arms the unreachable strategies' timers again (they did not survive it).
    for (const app of this.#apps)
      for (const instance of app.live.values())
        if (app.spec.unreachable && instance.state === 'TASK_UNREACHABLE' && typeof instance.unreachableSinceMs === 'number')
          this.#armUnreachable(app, instance, context);
    // Kills asked for before a restart of this scheduler are asked again: the old process's retries died with it.
    for (const app of this.#apps)
      for (const instance of app.live.values())
        if (instance.killReason !== null) this.#session.kill(instance.taskId, instance.agentId, context);
  }

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    // Every agent of the batch is known before placing, so GROUP_BY sees all its values.
    for (const offer of offers) this.#known.set(offer.agentId, { hostname: offer.hostname, attributes: offer.attributes });
    for (const offer of offers) {
      const tasks = this.#tasksFor(offer, this.#known.get(offer.agentId)!, context);
      this.#session.answer(offer, tasks.length > 0 ? [{ type: 'LAUNCH', tasks }] : [], context);
    }
    this.#updateInterest(context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    if (!this.#session.observe(status, context)) return;
    const app = this.#appOfTask.get(status.taskId);
    const instance = app?.live.get(status.taskId);
    const ended = isTerminal(status.state) || status.state === 'TASK_UNKNOWN';
    // A task given up for lost that turns up running again is not wanted: its replacement runs already.
    if (app && !instance && !ended) this.#session.kill(status.taskId, status.agentId, context);
    if (!app || !instance) return;
    if (ended) {
      app.live.delete(status.taskId);
      // An end this scheduler did not ask for is a failure: the next launch waits.
      if (instance.killReason === null) this.#failed(app, context);
    } else {
      const wasUnreachable = instance.state === 'TASK_UNREACHABLE';
      instance.state = status.state;
      if (status.state === 'TASK_UNREACHABLE' && !wasUnreachable) this.#unreachable(app, instance, context);
      // Back after it was given up: its replacement runs already.
      if (status.state !== 'TASK_UNREACHABLE' && instance.killReason === 'unreachable')
        this.#session.kill(instance.taskId, instance.agentId, context);
      if (this.#host.healthFromStatus) this.#reportedHealth(app, instance, status, context);
      else if (status.state === 'TASK_RUNNING' && instance.runningAtMs === null) this.#startHealthChecks(app, instance, context);
    }
    this.#reconcile(app, context);
    this.#forgetIfGone(app);
  }

  /** An instance the master reports unreachable: the app's unreachable strategy replaces, then forgets it. */
  #unreachable(app: AppState, instance: Instance, context: SchedulerContext): void {
    if (!app.spec.unreachable) return;
    instance.unreachableSinceMs = context.nowMs;
    this.#armUnreachable(app, instance, context);
  }

  #armUnreachable(app: AppState, instance: Instance, context: SchedulerContext): void {
    armUnreachable(app, instance, app.spec.unreachable!, context, () => {
      this.#reconcile(app, context);
      this.#forgetIfGone(app);
    });
  }

  /** Health as the agent reports it: an app without checks is healthy once running; with checks, when the last report says so. */
  #reportedHealth(app: AppState, instance: Instance, status: TaskStatus, context: SchedulerContext): void {
    if (status.state !== 'TASK_RUNNING') return;
    if (instance.runningAtMs === null) instance.runningAtMs = context.nowMs;
    if (app.spec.healthCheck === null) instance.healthy = true;
    else if (status.healthy !== undefined) instance.healthy = status.healthy;
  }

  /** A removed app goes once its last instance has ended. */
  #forgetIfGone(app: AppState): void {
    if (!this.#removing.has(app) || app.live.size > 0) return;
    this.#removing.delete(app);
    this.#apps.splice(this.#apps.indexOf(app), 1);
  }

  details(): Record<string, unknown> {
    return { apps: this.#apps.map((app) => appDetails(app)) };
  }

  #startHealthChecks(app: AppState, instance: Instance, context: SchedulerContext): void {
    instance.runningAtMs = context.nowMs;
    const timeline = healthTimeline(context.nowMs, app.spec.healthCheck, instance.version);
    const stillRunning = (): boolean => app.live.get(instance.taskId) === instance && instance.killReason === null;
    if (timeline.healthyAtMs === context.nowMs) instance.healthy = true;
    else if (timeline.healthyAtMs !== null) {
      context.schedule(timeline.healthyAtMs, () => {
        if (!stillRunning()) return;
        instance.healthy = true;
        this.#reconcile(app, context);
      });
    }
    if (timeline.killAtMs !== null) {
      context.schedule(timeline.killAtMs, () => {
        if (!stillRunning()) return;
        // Failing health checks are a failure too, counted now: the replacement waits out the delay.
        instance.killReason = 'health-check';
        this.#session.kill(instance.taskId, instance.agentId, context);
        this.#failed(app, context);
        this.#reconcile(app, context);
      });
    }
  }

  #failed(app: AppState, context: SchedulerContext): void {
    const notBeforeMs = app.failed(context.nowMs);
    context.schedule(notBeforeMs, () => this.#updateInterest(context));
  }

  #reconcile(app: AppState, context: SchedulerContext): void {
    for (const instance of app.reconcile(context.nowMs)) this.#session.kill(instance.taskId, instance.agentId, context);
    this.#updateInterest(context);
  }

  /** Offers are wanted while some app has launches queued and not delayed by backoff. */
  #updateInterest(context: SchedulerContext): void {
    this.#session.want(
      this.#apps.some((app) => app.canLaunch(context.nowMs)),
      context,
    );
  }

  /** Apps in order, each placing as many queued instances as the offer and its funnel allow. */
  #tasksFor(offer: Offer, target: PlacementTarget, context: SchedulerContext): TaskSpec[] {
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    const known = [...this.#known.values()];
    for (const app of this.#apps) {
      let placedHere = 0;
      while (app.canLaunch(context.nowMs)) {
        const result = evaluateOffer(offer, available, app.spec, {
          nowMs: context.nowMs,
          layout: context.layout,
          placed: app.placements(),
          known,
          maintenance: this.#options.maintenance,
        });
        if (!result.ok) {
          if (placedHere === 0)
            app.reject({
              atMs: context.nowMs,
              agentId: offer.agentId,
              code: result.code,
              reason: result.reason,
              failures: result.failures,
            });
          break;
        }
        const instance = app.launch(offer.agentId, target, context.nowMs);
        tasks.push({ taskId: instance.taskId, name: app.spec.id, resources: result.resources, data: app.taskData });
        this.#appOfTask.set(instance.taskId, app);
        available = subtractResourceSets(available, result.resources);
        placedHere++;
      }
    }
    return tasks;
  }
}
