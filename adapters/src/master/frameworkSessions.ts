/**
 * Frameworks' subscriptions: at most one open stream per framework (a new
 * SUBSCRIBE replaces the old one, which gets an ERROR "failed over"). When the
 * current stream closes, the kernel hears `framework.disconnect`, and the
 * framework is torn down after its failover timeout unless it comes back.
 * At most `maxDisconnected` frameworks wait so: one more, and the framework
 * that has been disconnected longest is torn down at once. Frameworks a new
 * leader recovered from the store do not count: they did not disconnect, the
 * master did, and tearing them down for it would lose them on every failover.
 */
import type { Logger } from 'pino';
import type { EventStream } from './eventStream.js';
import type { MasterHost } from './masterHost.js';

export class FrameworkSessions {
  readonly #streams = new Map<string, EventStream>();
  readonly #failoverTimers = new Map<string, NodeJS.Timeout>();
  /** Frameworks waiting since this master recovered them: outside the `maxDisconnected` cap. */
  readonly #recovered = new Set<string>();
  readonly #host: MasterHost;
  readonly #logger: Logger;
  readonly #maxDisconnected: number;

  constructor(host: MasterHost, logger: Logger, maxDisconnected = Number.POSITIVE_INFINITY) {
    this.#host = host;
    this.#logger = logger;
    this.#maxDisconnected = maxDisconnected;
  }

  current(frameworkId: string): EventStream | undefined {
    return this.#streams.get(frameworkId);
  }

  connectedIds(): string[] {
    return [...this.#streams.keys()];
  }

  attach(frameworkId: string, stream: EventStream): void {
    const previous = this.#streams.get(frameworkId);
    this.#streams.set(frameworkId, stream);
    this.cancelFailover(frameworkId);
    if (previous && previous !== stream)
      previous.close({ type: 'ERROR', error: { message: 'Framework failed over: a new subscription replaced this one' } });
    stream.onClose(() => {
      if (this.#streams.get(frameworkId) !== stream) return;
      this.#streams.delete(frameworkId);
      this.#logger.info({ frameworkId }, 'framework disconnected');
      void this.#host.run((nowMs) => ({ type: 'framework.disconnect', nowMs, frameworkId })).then(() => this.startFailover(frameworkId));
    });
  }

  send(frameworkId: string, event: unknown): boolean {
    return this.#streams.get(frameworkId)?.send(event) ?? false;
  }

  broadcast(event: unknown): void {
    for (const stream of this.#streams.values()) stream.send(event);
  }

  /** Ends the framework's stream with an ERROR event (teardown, removal). */
  close(frameworkId: string, message: string): void {
    const stream = this.#streams.get(frameworkId);
    this.#streams.delete(frameworkId);
    this.cancelFailover(frameworkId);
    stream?.close({ type: 'ERROR', error: { message } });
  }

  /**
   * Tears the framework down once its failover timeout passes (at least
   * `atLeastMs`), unless it re-subscribes first. `recovered` marks a framework
   * this master found in the store, which the disconnected cap leaves alone.
   */
  startFailover(frameworkId: string, { atLeastMs = 0, recovered = false } = {}): void {
    if (this.#streams.has(frameworkId)) return;
    const record = this.#host.registry.frameworks.get(frameworkId);
    if (!record || !this.#host.master.frameworks.has(frameworkId)) return;
    this.cancelFailover(frameworkId);
    const timeoutMs = Math.max(record.failoverTimeoutMs, atLeastMs);
    const timer = setTimeout(
      () => {
        this.cancelFailover(frameworkId);
        if (this.#streams.has(frameworkId)) return;
        this.#logger.info({ frameworkId, timeoutMs }, 'framework failover timeout passed; tearing it down');
        void this.#host.run((nowMs) => ({ type: 'framework.teardown', nowMs, frameworkId }));
      },
      Math.min(timeoutMs, 2 ** 31 - 1),
    );
    timer.unref();
    this.#failoverTimers.set(frameworkId, timer);
    if (recovered) this.#recovered.add(frameworkId);
    this.#evictBeyondCap();
  }

  /** Timers are kept in the order frameworks disconnected: the first not recovered is the one waiting longest. */
  #evictBeyondCap(): void {
    while (this.#failoverTimers.size - this.#recovered.size > this.#maxDisconnected) {
      const oldest = [...this.#failoverTimers.keys()].find((frameworkId) => !this.#recovered.has(frameworkId));
      if (oldest === undefined) throw new Error('framework sessions: more timers than recovered frameworks, yet none to evict');
      this.cancelFailover(oldest);
      this.#logger.warn({ frameworkId: oldest, max: this.#maxDisconnected }, 'too many disconnected frameworks; tearing down the oldest');
      void this.#host.run((nowMs) => ({ type: 'framework.teardown', nowMs, frameworkId: oldest }));
    }
  }

  cancelFailover(frameworkId: string): void {
    const timer = this.#failoverTimers.get(frameworkId);
    if (timer) clearTimeout(timer);
    this.#failoverTimers.delete(frameworkId);
    this.#recovered.delete(frameworkId);
  }

  closeAll(): void {
    for (const timer of this.#failoverTimers.values()) clearTimeout(timer);
    this.#failoverTimers.clear();
    this.#recovered.clear();
    const streams = [...this.#streams.values()];
    this.#streams.clear();
    for (const stream of streams) stream.close();
  }
}
