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
import type { ServiceOptions } from './appSpec.js';
import type { Instance } from './appState.js';
import { AppState } from './appState.js';
import { appDetails } from './appDetails.js';
import { healthTimeline } from './healthCheck.js';
import { evaluateOffer } from './offerFunnel.js';

export class MarathonFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly #options: ServiceOptions;
  readonly #session: SchedulerSession;
  readonly #apps: AppState[];
  readonly #appOfTask = new Map<string, AppState>();
  /** Every agent seen in an offer, for GROUP_BY. */
  readonly #known = new Map<string, PlacementTarget>();
  #started = false;

  constructor(readonly spec: FrameworkConfig) {
    this.id = spec.id;
    this.role = spec.role;
    this.#options = spec.options as ServiceOptions;
    this.#apps = this.#options.apps.map((app) => new AppState(app));
    const roles = [...new Set([spec.role, ...this.#options.apps.map((app) => app.role)])];
    this.#session = new SchedulerSession(spec, roles);
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
      instance.state = status.state;
      if (status.state === 'TASK_RUNNING' && instance.runningAtMs === null) this.#startHealthChecks(app, instance, context);
    }
    this.#reconcile(app, context);
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
          if (placedHere === 0) app.reject({ atMs: context.nowMs, agentId: offer.agentId, code: result.code, reason: result.reason });
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
