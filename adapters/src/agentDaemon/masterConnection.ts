/**
 * The agent's link to its master: a long-lived SUBSCRIBE whose RecordIO
 * response carries the master's messages, re-opened with backoff whenever it
 * ends (master restart, network cut, missed heartbeats), and short POSTs for
 * status updates on the current stream id. Refusals that retrying cannot fix
 * (wrong secret, agent marked gone, invalid registration) are fatal.
 */
import type { AgentLogger } from '../agent/logger.js';
import { RecordIoDecoder } from '../master/recordIo.js';

type Json = Record<string, any>;

export interface MasterConnectionOptions {
  /** One master URL, or several comma-separated (HA masters): tried in turn until one (or the leader it redirects to) takes the subscription. */
  masterUrl: string;
  secret: string | null;
  logger: AgentLogger;
  /** Built afresh for every (re-)subscription: the current tasks and checkpointed total. */
  subscribeCall: () => Json;
  onEvent: (event: Json) => void;
  onFatal: (message: string) => void;
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export class MasterConnection {
  streamId: string | null = null;
  readonly #options: MasterConnectionOptions;
  #stopped = false;
  #abort: AbortController | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  #silenceMaxMs = 15_000;
  #running: Promise<void> | null = null;
  readonly #masterUrls: string[];
  #urlIndex = 0;
  /** Where the current subscription was taken (after redirects: the leader); calls go there. */
  #servingUrl: string | null = null;

  constructor(options: MasterConnectionOptions) {
    this.#options = options;
    this.#masterUrls = options.masterUrl
      .split(',')
      .map((url) => url.trim().replace(/\/+$/, ''))
      .filter((url) => url.length > 0);
    if (this.#masterUrls.length === 0) throw new Error('MasterConnection needs a master URL');
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#clearWatchdog();
    await this.#running?.catch(() => undefined);
  }

  /** Sends one call on the current subscription; false when there is none or it failed (the runtime resends). */
  async post(call: Json): Promise<boolean> {
    const streamId = this.streamId;
    if (streamId === null || this.#stopped) return false;
    try {
      const response = await fetch(`${this.#servingUrl ?? this.#masterUrls[this.#urlIndex]}/api/v1/agent`, {
        method: 'POST',
        headers: { ...this.#headers(), 'Mesos-Stream-Id': streamId },
        body: JSON.stringify(call),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      if (response.status !== 202) this.#options.logger.warn({ status: response.status, call: call.type }, 'master refused a call');
      return response.status === 202;
    } catch (error) {
      this.#options.logger.warn({ err: error, call: call.type }, 'could not reach the master');
      return false;
    }
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (this.#options.secret !== null) headers.Authorization = `Bearer ${this.#options.secret}`;
    return headers;
  }

  async #loop(): Promise<void> {
    const minMs = this.#options.backoffMinMs ?? 250;
    const maxMs = this.#options.backoffMaxMs ?? 5000;
    let backoffMs = minMs;
    while (!this.#stopped) {
      const subscribed = await this.#subscribeOnce();
      this.streamId = null;
      if (this.#stopped) return;
      if (subscribed) backoffMs = minMs;
      // With several masters, try the next one at once; back off only after a whole round failed.
      this.#urlIndex = (this.#urlIndex + 1) % this.#masterUrls.length;
      if (!subscribed && this.#urlIndex !== 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const delayMs = backoffMs * (0.5 + Math.random() / 2);
      backoffMs = Math.min(maxMs, backoffMs * 2);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }

  /** One subscription, until it ends; true when it got as far as SUBSCRIBED. */
  async #subscribeOnce(): Promise<boolean> {
    const abort = new AbortController();
    this.#abort = abort;
    let subscribed = false;
    try {
      const response = await fetch(`${this.#masterUrls[this.#urlIndex]}/api/v1/agent`, {
        method: 'POST',
        headers: this.#headers(),
        body: JSON.stringify(this.#options.subscribeCall()),
        signal: abort.signal,
      });
      if (response.status !== 200 || !response.body) {
        const text = (await response.text()).slice(0, 500);
        if (response.status === 400 || response.status === 401 || response.status === 403) {
          this.#stopped = true;
          this.#options.onFatal(`the master refused this agent (${response.status}): ${text}`);
        } else this.#options.logger.warn({ status: response.status, message: text }, 'subscription refused; retrying');
        return false;
      }
      this.streamId = response.headers.get('mesos-stream-id');
      this.#servingUrl = new URL(response.url).origin;
      const decoder = new RecordIoDecoder();
      this.#armWatchdog(abort);
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        this.#armWatchdog(abort);
        for (const record of decoder.push(chunk)) {
          const event = JSON.parse(record) as Json;
          if (event.type === 'SUBSCRIBED') {
            subscribed = true;
            const heartbeatSeconds = Number(event.subscribed?.heartbeat_interval_seconds);
            if (heartbeatSeconds > 0) this.#silenceMaxMs = Math.max(1000, heartbeatSeconds * 3000);
            this.#armWatchdog(abort);
          }
          if (event.type === 'SHUTDOWN') this.#stopped = true;
          this.#options.onEvent(event);
          // Leave the stream at once: waiting on it for its end could hang after the abort that stop() makes.
          if (this.#stopped) return subscribed;
        }
      }
      if (!this.#stopped) this.#options.logger.warn({}, 'the master closed the subscription; re-registering');
    } catch (error) {
      if (!this.#stopped) this.#options.logger.warn({ err: error }, 'lost the master; re-registering');
    } finally {
      this.#clearWatchdog();
      abort.abort();
    }
    return subscribed;
  }

  #armWatchdog(abort: AbortController): void {
    this.#clearWatchdog();
    this.#watchdog = setTimeout(() => {
      this.#options.logger.warn({ silenceMs: this.#silenceMaxMs }, 'no heartbeat from the master; reconnecting');
      abort.abort();
    }, this.#silenceMaxMs);
  }

  #clearWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }
}
