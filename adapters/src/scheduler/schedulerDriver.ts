/**
 * A Mesos v1 scheduler driver over HTTP, written to the protocol of the
 * scheduler HTTP API (docs/scheduler-http-api.md, scheduler.proto), not to any
 * one master: SUBSCRIBE opens a long-lived POST whose RecordIO response
 * carries the events; every other call is a short POST with the
 * `Mesos-Stream-Id` header to the master that took the subscription. It
 * follows `307` redirects to the leading master, tries each master it knows in
 * turn, re-subscribes with its framework id and exponential backoff when the
 * stream ends or `missedHeartbeats` heartbeats go missing, and stops for good
 * on what retrying cannot fix (a 4xx to SUBSCRIBE, an ERROR event).
 * Acknowledgements are explicit: the driver never acknowledges by itself.
 */
import type { Logger } from 'pino';
import { RecordIoDecoder } from '../master/recordIo.js';
import { postFollowingRedirects } from './redirects.js';

type Json = Record<string, any>;

export interface SchedulerDriverOptions {
  /** Masters to try, in turn (`http(s)://host:port`); followers redirect to the leader. */
  masters: readonly string[];
  /** `FrameworkInfo` as JSON (user, name, roles, capabilities, failover_timeout, principal, ...), without `id`. */
  frameworkInfo: Json;
  /** The id of an earlier run of this framework (a failover), or null for a new framework. */
  frameworkId: string | null;
  /** Extra headers on every request (e.g. Authorization). */
  headers?: Readonly<Record<string, string>>;
  logger: Logger;
  /** Re-subscription backoff: doubles from min to max (Mesos recommends up to 15 s). Defaults 250 and 15000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Heartbeats that may go missing before the stream is taken for dead (default 5, as Mesos recommends). */
  missedHeartbeats?: number;
  /** Timeout of calls other than SUBSCRIBE (default 75 s, as Mesos recommends). */
  callTimeoutMs?: number;
  /** Redirects followed for one request (default 5). */
  maxRedirects?: number;
}

/** What the driver reports; each callback runs once per event, in stream order. */
export interface SchedulerDriverEvents {
  /** SUBSCRIBED: first subscription of this process (`resubscribed` false) or again after a disconnection. */
  subscribed(info: { frameworkId: string; masterUrl: string; heartbeatIntervalSeconds: number; resubscribed: boolean }): void;
  offers(offers: Json[]): void;
  rescind(offerId: string): void;
  /** A status update (`update.status`); acknowledge it when it has a `uuid`. */
  update(status: Json): void;
  /** FAILURE: an agent (or executor) is gone. */
  failure(failure: Json): void;
  /** The stream ended; the driver is re-subscribing. */
  disconnected(reason: string): void;
  /** The master refused the framework for good (4xx to SUBSCRIBE, ERROR event): the driver has stopped. */
  error(message: string): void;
}

/**
 * `refused`: a 4xx, the call itself is wrong; `unavailable`: a 5xx, the master could not take it now (say its
 * state could not be made durable) and the same call may get through later; `unreachable`: no answer.
 */
export type CallResult =
  | { ok: true; status: number }
  | { ok: false; code: 'not_subscribed' | 'refused' | 'unavailable' | 'unreachable'; status?: number; message: string };

const SCHEDULER_PATH = '/api/v1/scheduler';

export class SchedulerDriver {
  readonly #options: Required<Omit<SchedulerDriverOptions, 'frameworkId' | 'headers'>> & { headers: Readonly<Record<string, string>> };
  readonly #events: SchedulerDriverEvents;
  #frameworkId: string | null;
  #streamId: string | null = null;
  /** The master that took the current subscription (after redirects: the leader). */
  #leaderUrl: string | null = null;
  #masterIndex = 0;
  #everSubscribed = false;
  #stopped = false;
  #abort: AbortController | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #silenceMaxMs = 75_000;
  #loop: Promise<void> | null = null;
  #wakeBackoff: (() => void) | null = null;

  constructor(options: SchedulerDriverOptions, events: SchedulerDriverEvents) {
    if (options.masters.length === 0) throw new Error('the scheduler driver needs at least one master URL');
    this.#options = {
      masters: options.masters,
      frameworkInfo: options.frameworkInfo,
      headers: options.headers ?? {},
      logger: options.logger,
      backoffMinMs: options.backoffMinMs ?? 250,
      backoffMaxMs: options.backoffMaxMs ?? 15_000,
      missedHeartbeats: options.missedHeartbeats ?? 5,
      callTimeoutMs: options.callTimeoutMs ?? 75_000,
      maxRedirects: options.maxRedirects ?? 5,
    };
    this.#frameworkId = options.frameworkId;
    this.#events = events;
  }

  get frameworkId(): string | null {
    return this.#frameworkId;
  }

  get subscribed(): boolean {
    return this.#streamId !== null;
  }

  get leaderUrl(): string | null {
    return this.#leaderUrl;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Closes the stream without tearing the framework down (its tasks run on; a new driver may fail over to it). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#wakeBackoff?.();
    this.#clearWatchdog();
    await this.#loop;
  }

  // Calls ------------------------------------------------------------------------

  accept(offerIds: readonly string[], operations: readonly Json[], refuseSeconds?: number): Promise<CallResult> {
    return this.call('ACCEPT', {
      accept: { offer_ids: offerIds.map((value) => ({ value })), operations, ...filters(refuseSeconds) },
    });
  }

  decline(offerIds: readonly string[], refuseSeconds?: number): Promise<CallResult> {
    return this.call('DECLINE', { decline: { offer_ids: offerIds.map((value) => ({ value })), ...filters(refuseSeconds) } });
  }

  revive(roles?: readonly string[]): Promise<CallResult> {
    return this.call('REVIVE', roles && roles.length > 0 ? { revive: { roles } } : {});
  }

  suppress(roles?: readonly string[]): Promise<CallResult> {
    return this.call('SUPPRESS', roles && roles.length > 0 ? { suppress: { roles } } : {});
  }

  kill(taskId: string, agentId?: string): Promise<CallResult> {
    return this.call('KILL', { kill: { task_id: { value: taskId }, ...(agentId ? { agent_id: { value: agentId } } : {}) } });
  }

  /** `uuid` exactly as the update carried it (base64). */
  acknowledge(agentId: string, taskId: string, uuid: string): Promise<CallResult> {
    return this.call('ACKNOWLEDGE', { acknowledge: { agent_id: { value: agentId }, task_id: { value: taskId }, uuid } });
  }

  /** Explicit reconciliation of these tasks; with none, implicit (every task the master knows of the framework). */
  reconcile(tasks: ReadonlyArray<{ taskId: string; agentId?: string }>): Promise<CallResult> {
    return this.call('RECONCILE', {
      reconcile: {
        tasks: tasks.map((task) => ({ task_id: { value: task.taskId }, ...(task.agentId ? { agent_id: { value: task.agentId } } : {}) })),
      },
    });
  }

  /** Removes the framework: the master kills its tasks. The driver stops. */
  async teardown(): Promise<CallResult> {
    const result = await this.call('TEARDOWN', {});
    if (result.ok) await this.stop();
    return result;
  }

  /** Any call of scheduler.proto: `{ type, framework_id, ...body }` to the leader with the stream id. */
  async call(type: string, body: Json): Promise<CallResult> {
    const streamId = this.#streamId;
    const leader = this.#leaderUrl;
    if (streamId === null || leader === null || this.#frameworkId === null)
      return { ok: false, code: 'not_subscribed', message: `${type}: not subscribed` };
    const call = { type, framework_id: { value: this.#frameworkId }, ...body };
    try {
      const response = await this.#post(leader, call, { 'Mesos-Stream-Id': streamId }, AbortSignal.timeout(this.#options.callTimeoutMs));
      const text = await response.response.text();
      const status = response.response.status;
      if (status >= 200 && status < 300) return { ok: true, status };
      const code = status >= 500 ? 'unavailable' : 'refused';
      this.#options.logger.warn(
        { call: type, status, message: text.slice(0, 500) },
        `the master ${code === 'refused' ? 'refused' : 'could not take'} a call`,
      );
      return { ok: false, code, status, message: text.slice(0, 500) };
    } catch (error) {
      this.#options.logger.warn({ call: type, err: error }, 'a call did not reach the master');
      return { ok: false, code: 'unreachable', message: (error as Error).message };
    }
  }

  // Subscription -----------------------------------------------------------------

  async #run(): Promise<void> {
    const { backoffMinMs, backoffMaxMs, masters } = this.#options;
    let backoffMs = backoffMinMs;
    while (!this.#stopped) {
      const subscribed = await this.#subscribeOnce();
      if (this.#stopped) return;
      if (subscribed) backoffMs = backoffMinMs;
      // With several masters, try the next one at once; back off only after a whole round failed.
      this.#masterIndex = (this.#masterIndex + 1) % masters.length;
      if (!subscribed && this.#masterIndex !== 0) continue;
      const delayMs = backoffMs * (0.5 + Math.random() / 2);
      backoffMs = Math.min(backoffMaxMs, backoffMs * 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.#wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wakeBackoff = null;
    }
  }

  /** One subscription, until its stream ends; true when it got as far as SUBSCRIBED. */
  async #subscribeOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.#abort = abort;
    let subscribed = false;
    const info = { ...this.#options.frameworkInfo, ...(this.#frameworkId ? { id: { value: this.#frameworkId } } : {}) };
    const call = {
      type: 'SUBSCRIBE',
      ...(this.#frameworkId ? { framework_id: { value: this.#frameworkId } } : {}),
      subscribe: { framework_info: info },
    };
    try {
      const { response, url } = await this.#post(this.#options.masters[this.#masterIndex], call, {}, abort.signal);
      if (response.status !== 200 || !response.body) {
        const text = (await response.text()).slice(0, 500);
        if (response.status >= 400 && response.status < 500)
          this.#fail(`the master refused the subscription (${response.status}): ${text}`);
        else this.#options.logger.warn({ status: response.status, message: text }, 'subscription not taken; retrying');
        return false;
      }
      const streamId = response.headers.get('mesos-stream-id');
      const decoder = new RecordIoDecoder();
      this.#armWatchdog(abort);
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        for (const record of decoder.push(chunk)) {
          const event = JSON.parse(record) as Json;
          if (event.type === 'SUBSCRIBED') {
            subscribed = true;
            this.#subscribed(event.subscribed, streamId, url);
          } else this.#dispatch(event);
          if (this.#stopped) return subscribed;
        }
        // Anything heard (a heartbeat included) proves the stream alive; the window is set by SUBSCRIBED.
        this.#armWatchdog(abort);
      }
      if (!this.#stopped) this.#lost('the master closed the event stream');
    } catch (error) {
      if (!this.#stopped)
        this.#lost(abort.signal.aborted ? 'no heartbeat from the master' : `lost the master: ${(error as Error).message}`);
    } finally {
      this.#streamId = null;
      this.#clearWatchdog();
      abort.abort();
    }
    return subscribed;
  }

  #subscribed(subscribed: Json, streamId: string | null, url: string): void {
    const frameworkId: string = subscribed?.framework_id?.value;
    const heartbeatIntervalSeconds =
      Number(subscribed?.heartbeat_interval_seconds) > 0 ? Number(subscribed.heartbeat_interval_seconds) : 15;
    this.#silenceMaxMs = Math.max(1000, heartbeatIntervalSeconds * 1000 * this.#options.missedHeartbeats);
    this.#frameworkId = frameworkId;
    this.#streamId = streamId;
    this.#leaderUrl = url;
    const resubscribed = this.#everSubscribed;
    this.#everSubscribed = true;
    this.#options.logger.info({ frameworkId, master: url, resubscribed }, 'subscribed');
    this.#events.subscribed({ frameworkId, masterUrl: url, heartbeatIntervalSeconds, resubscribed });
  }

  #dispatch(event: Json): void {
    switch (event.type) {
      case 'OFFERS':
        this.#events.offers(event.offers?.offers ?? []);
        return;
      case 'RESCIND':
        this.#events.rescind(event.rescind.offer_id.value);
        return;
      case 'UPDATE':
        this.#events.update(event.update.status);
        return;
      case 'FAILURE':
        this.#events.failure(event.failure ?? {});
        return;
      case 'ERROR':
        this.#fail(`the master sent ERROR: ${event.error?.message ?? event.message ?? ''}`);
        return;
      case 'HEARTBEAT':
        return;
      default:
        this.#options.logger.debug({ type: event.type }, 'event ignored');
    }
  }

  #post(baseUrl: string, body: Json, headers: Record<string, string>, signal: AbortSignal): Promise<{ response: Response; url: string }> {
    const { logger, maxRedirects } = this.#options;
    return postFollowingRedirects(SCHEDULER_PATH, {
      baseUrl,
      body,
      headers: { ...this.#options.headers, ...headers },
      signal,
      maxRedirects,
      logger,
    });
  }

  #lost(reason: string): void {
    this.#options.logger.warn({ reason }, 'disconnected from the master; re-subscribing');
    this.#events.disconnected(reason);
  }

  #fail(message: string): void {
    this.#stopped = true;
    this.#options.logger.error({ message }, 'the scheduler driver stops');
    this.#events.error(message);
  }

  #armWatchdog(abort: AbortController): void {
    this.#clearWatchdog();
    this.#watchdog = setTimeout(() => abort.abort(), this.#silenceMaxMs);
  }

  #clearWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }
}

function filters(refuseSeconds: number | undefined): Json {
  return refuseSeconds === undefined ? {} : { filters: { refuse_seconds: refuseSeconds } };
}
