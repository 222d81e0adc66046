/**
 * The rhythm of a task's checks and health checks: the first probe after a
 * delay, then the next one an interval after the previous one ended (probes
 * never overlap), until stopped. Timers do not keep the agent alive.
 */
export class ProbeLoop {
  readonly #probe: () => Promise<void>;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  /** `probe` runs once per round; stopping the loop from inside it ends the rounds. */
  constructor(probe: () => Promise<void>, intervalMs: number) {
    if (!(intervalMs > 0)) throw new Error(`probe interval must be > 0, got ${intervalMs}`);
    this.#probe = probe;
    this.#intervalMs = intervalMs;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  start(delayMs: number): void {
    this.#schedule(delayMs);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#round(), delayMs);
    this.#timer.unref();
  }

  async #round(): Promise<void> {
    await this.#probe();
    this.#schedule(this.#intervalMs);
  }
}
