/**
 * The Node host of the scheduler contract (kernel/src/schedulers): it runs one
 * framework model against a real Mesos master through a SchedulerDriver. The
 * model hears offers, rescinds and status updates converted to kernel types;
 * its calls become scheduler calls; its clock is the wall clock and its timers
 * are real timers. Calls leave in batches, in order, and only after
 * `persist` has made the model's state durable (record, then act: a
 * scheduler killed at any point never launches a task twice). After every
 * re-subscription the model reconciles (`onMasterFailover`), and kills that
 * could not be sent while disconnected are sent again.
 */
import type { FrameworkCall, FrameworkModel, Offer, ResourceLayout, SchedulerContext } from '@allot/kernel';
import type { Logger } from 'pino';
import { offerFromJson } from './offerFromJson.js';
import type { TaskInfoRenderer } from './operationJson.js';
import { operationJson } from './operationJson.js';
import type { CallResult, SchedulerDriverOptions } from './schedulerDriver.js';
import { SchedulerDriver } from './schedulerDriver.js';
import { statusFromJson } from './statusFromJson.js';

type Json = Record<string, any>;

const TIMER_MAX_MS = 2 ** 31 - 1;
/** How long a kill the master answered with a 5xx waits before it is sent again. */
export const KILL_RETRY_MS = 1000;

type PreparedCall = () => Promise<CallResult> | null;

export interface SchedulerHostOptions {
  /** The driver's settings (masters, FrameworkInfo, the framework id of an earlier run, ...). */
  driver: Omit<SchedulerDriverOptions, 'logger'>;
  /** The layout offers are read into; it must name every scalar the model asks for. */
  layout: ResourceLayout;
  /** Renders a launched task as a Mesos TaskInfo (from its kernel TaskSpec and the model's task data). */
  taskInfo: TaskInfoRenderer;
  /** Makes the model's state durable; calls wait for it. Default: nothing to persist. */
  persist?: () => Promise<void>;
  /** The master assigned (or confirmed) the framework id: keep it for the next run. */
  frameworkIdChanged?: (frameworkId: string) => Promise<void> | void;
  /** The master refused the framework for good; the host has stopped. */
  fatal?: (message: string) => void;
  /** Sees every offer and status update as the master sent it (for a host user's own records). */
  observe?: { offers?: (offers: Json[]) => void; update?: (status: Json) => void };
  logger: Logger;
  /** Wall-clock milliseconds; default Date.now. */
  clock?: () => number;
}

export class SchedulerHost {
  readonly context: SchedulerContext;
  readonly driver: SchedulerDriver;
  readonly #options: SchedulerHostOptions;
  readonly #clock: () => number;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Offers delivered and not yet answered: their role and agent, for the operations of an ACCEPT. */
  readonly #offers = new Map<string, { role: string; agentId: string }>();
  /** Kills refused while disconnected: sent again after the next SUBSCRIBED. */
  readonly #pendingKills = new Map<string, string | undefined>();
  readonly #ignoredResources = new Set<string>();
  #outbox: FrameworkCall[] = [];
  #sending: Promise<void> = Promise.resolve();
  #model: FrameworkModel | null = null;
  #stopped = false;

  constructor(options: SchedulerHostOptions) {
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    const host = this;
    this.context = {
      get nowMs() {
        return host.#clock();
      },
      layout: options.layout,
      send: (call) => this.#outbox.push(call),
      schedule: (atMs, run) => this.#schedule(atMs, run),
    };
    this.driver = new SchedulerDriver(
      { ...options.driver, logger: options.logger },
      {
        subscribed: (info) => this.#deliver(() => this.#subscribed(info.frameworkId, info.resubscribed)),
        offers: (offers) => {
          options.observe?.offers?.(offers);
          this.#deliver(() => this.#offersArrived(offers));
        },
        rescind: (offerId) =>
          this.#deliver(() => {
            this.#offers.delete(offerId);
            this.#model?.onRescind(offerId, this.context);
          }),
        update: (status) => this.#updateArrived(status),
        failure: (failure) =>
          options.logger.warn(
            { agentId: failure.agent_id?.value, executorId: failure.executor_id?.value, status: failure.status },
            failure.executor_id ? 'the master reports an executor exited' : 'the master reports an agent lost',
          ),
        disconnected: () => this.#offers.clear(),
        error: (message) => {
          this.#stopTimers();
          options.fatal?.(message);
        },
      },
    );
  }

  get model(): FrameworkModel | null {
    return this.#model;
  }

  /** Runs the model: it subscribes (the driver starts) and from then on hears the master. */
  start(model: FrameworkModel): void {
    if (this.#model) throw new Error('the host already runs a model');
    this.#model = model;
    this.#deliver(() => model.subscribe(this.context));
  }

  /** Runs `action` on the model (an operator control, say) and sends what it asked for. */
  act<T>(action: (model: FrameworkModel) => T): T {
    if (!this.#model) throw new Error('the host runs no model');
    const model = this.#model;
    let result!: T;
    this.#deliver(() => {
      result = action(model);
    });
    return result;
  }

  /** Resolves once every call asked for so far has been sent (or refused). */
  settled(): Promise<void> {
    return this.#sending;
  }

  /** Stops timers and the driver; the framework stays registered (its failover timeout runs). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopTimers();
    await this.#sending.catch(() => undefined);
    await this.driver.stop();
  }

  // Events into the model ---------------------------------------------------------

  /** Runs a model callback, then sends its calls once the state they come from is durable. */
  #deliver(run: () => void): void {
    if (this.#stopped) return;
    try {
      run();
    } catch (error) {
      // A bug in the model: stop rather than act on a state nobody can trust.
      this.#options.logger.error({ err: error }, 'the framework model failed handling an event; stopping');
      this.#outbox = [];
      void this.stop();
      this.#options.fatal?.(`internal error in the framework model: ${(error as Error).message}`);
      return;
    }
    if (this.#outbox.length === 0) return;
    // Rendered now (TaskInfos included), so that what `persist` writes next already knows them.
    const calls = this.#outbox.map((call) => ({ call, send: this.#prepare(call) }));
    this.#outbox = [];
    this.#sending = this.#sending.then(() => this.#flush(calls));
  }

  async #flush(calls: Array<{ call: FrameworkCall; send: PreparedCall }>): Promise<void> {
    try {
      await this.#options.persist?.();
    } catch (error) {
      // Nothing leaves that the store does not know: the calls are dropped, and the model recovers by reconciling.
      this.#options.logger.error({ err: error, calls: calls.length }, 'could not persist the scheduler state; calls not sent');
      return;
    }
    for (const { call, send } of calls) await this.#send(call, send);
  }

  #subscribed(frameworkId: string, resubscribed: boolean): void {
    void Promise.resolve(this.#options.frameworkIdChanged?.(frameworkId)).catch((error) =>
      this.#options.logger.error({ err: error }, 'could not keep the framework id'),
    );
    if (this.#options.driver.frameworkId !== null || resubscribed) this.#model?.onMasterFailover(this.context);
    for (const [taskId, agentId] of this.#pendingKills)
      this.context.send({ type: 'task.kill', frameworkId, taskId, ...(agentId ? { agentId } : {}) });
    this.#pendingKills.clear();
  }

  #offersArrived(json: Json[]): void {
    const offers: Offer[] = [];
    for (const entry of json) {
      const converted = offerFromJson(entry, this.#options.layout, this.#clock());
      if (!converted.ok) {
        this.#options.logger.warn({ offerId: entry.id?.value, message: converted.message }, 'offer not understood; declined');
        void this.driver.decline([entry.id.value]);
        continue;
      }
      for (const name of converted.ignored) {
        if (this.#ignoredResources.has(name)) continue;
        this.#ignoredResources.add(name);
        this.#options.logger.info({ resource: name }, 'offers hold a resource this scheduler does not use; it is left out');
      }
      this.#offers.set(converted.offer.id, { role: converted.offer.role, agentId: converted.offer.agentId });
      offers.push(converted.offer);
    }
    if (offers.length > 0) this.#model?.onOffers(offers, this.context);
  }

  #updateArrived(status: Json): void {
    this.#options.observe?.update?.(status);
    this.#deliver(() => this.#model?.onUpdate(statusFromJson(status, this.driver.frameworkId ?? '', this.#clock()), this.context));
  }

  /**
   * The tasks of an ACCEPT that did not get through end as the master would have ended them: TASK_ERROR
   * when it refused them (a 4xx: invalid, or not authorized), TASK_DROPPED when the call did not reach it or it
   * could not take it (as the Mesos scheduler driver reports launches while disconnected). Otherwise the model
   * would wait for them forever; reconciliation corrects a task that turns up after all.
   */
  #launchesUndelivered(call: Extract<FrameworkCall, { type: 'offer.accept' }>, result: { code: string; status?: number; message: string }) {
    const refused = result.code === 'refused';
    // A master that refused the whole call may still hold the offers (say, an unauthorized user): give them back.
    if (refused || result.code === 'unavailable') void this.driver.decline(call.offerIds, call.refuseSeconds);
    const reason = !refused ? 'REASON_MASTER_DISCONNECTED' : result.status === 403 ? 'REASON_TASK_UNAUTHORIZED' : 'REASON_TASK_INVALID';
    for (const operation of call.operations) {
      if (operation.type !== 'LAUNCH' && operation.type !== 'LAUNCH_GROUP') continue;
      for (const task of operation.tasks)
        this.#updateArrived({
          task_id: { value: task.taskId },
          state: refused ? 'TASK_ERROR' : 'TASK_DROPPED',
          reason,
          source: 'SOURCE_MASTER',
          message: `the master ${refused ? 'refused' : 'did not take'} the launch: ${result.message}`,
          timestamp: this.#clock() / 1000,
        });
    }
  }

  // Calls out of the model --------------------------------------------------------

  async #send(call: FrameworkCall, send: PreparedCall): Promise<void> {
    const result = await send();
    if (result === null || result.ok) return;
    // A kill must get through: one the master could not take now is sent again soon, one that never reached it after the next SUBSCRIBED.
    if (call.type === 'task.kill' && result.code === 'unavailable')
      this.#schedule(this.#clock() + KILL_RETRY_MS, () => this.context.send(call));
    else if (call.type === 'task.kill' && result.code !== 'refused') this.#pendingKills.set(call.taskId, call.agentId);
    else if (call.type === 'offer.accept') this.#launchesUndelivered(call, result);
    this.#options.logger.warn({ call: call.type, code: result.code, message: result.message }, 'call not delivered');
  }

  /** The call as a function that sends it (null: nothing to send); JSON bodies are built now. */
  #prepare(call: FrameworkCall): PreparedCall {
    const driver = this.driver;
    switch (call.type) {
      case 'framework.subscribe':
        // The driver subscribes (and re-subscribes) by itself.
        return () => {
          driver.start();
          return null;
        };
      case 'offer.accept':
        return this.#prepareAccept(call);
      case 'offer.decline':
        for (const id of call.offerIds) this.#offers.delete(id);
        return () => driver.decline(call.offerIds, call.refuseSeconds);
      case 'framework.suppress':
        return () => driver.suppress(call.roles);
      case 'framework.revive':
        return () => driver.revive(call.roles);
      case 'task.kill':
        return () => driver.kill(call.taskId, call.agentId);
      case 'task.acknowledge':
        return () => driver.acknowledge(call.agentId, call.taskId, call.uuid);
      case 'framework.reconcile':
        return () => driver.reconcile(call.tasks);
      case 'framework.teardown':
        return () => driver.teardown();
      default:
        this.#options.logger.warn({ call: call.type }, 'the Node scheduler host cannot send this call; dropped');
        return () => null;
    }
  }

  #prepareAccept(call: Extract<FrameworkCall, { type: 'offer.accept' }>): PreparedCall {
    const known = call.offerIds.map((id) => this.#offers.get(id)).find((offer) => offer !== undefined);
    for (const id of call.offerIds) this.#offers.delete(id);
    const role = known?.role ?? '*';
    const agentId = known?.agentId ?? '';
    const frameworkId = this.driver.frameworkId ?? '';
    const operations = call.operations.map((operation) => {
      // The master's record of an operation its authorizer refused; no scheduler sends one.
      if (operation.type === 'UNAUTHORIZED') throw new Error('scheduler host: a model sent an UNAUTHORIZED operation');
      return operationJson(operation, { layout: this.#options.layout, role, agentId, frameworkId, taskInfo: this.#options.taskInfo });
    });
    return () => this.driver.accept(call.offerIds, operations, call.refuseSeconds);
  }

  // Timers --------------------------------------------------------------------------

  #schedule(atMs: number, run: () => void): void {
    if (this.#stopped) return;
    // setTimeout holds at most 2^31-1 ms: a later time is reached in several waits.
    const waitMs = Math.min(TIMER_MAX_MS, Math.max(0, atMs - this.#clock()));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#clock() < atMs) this.#schedule(atMs, run);
      else this.#deliver(run);
    }, waitMs);
    timer.unref();
    this.#timers.add(timer);
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
