/**
 * Launch backoff after failures (Marathon: 1 s initial, x1.15, at most
 * 300 s). The first failure delays the next launch by `initialMs`; each
 * further failure multiplies the delay by `factor`, capped at `maxMs`. A new
 * version resets it, as Marathon resets the delay when a deployment starts.
 */

export interface BackoffSpec {
  readonly initialMs: number;
  readonly factor: number;
  readonly maxMs: number;
}

export const MARATHON_BACKOFF: BackoffSpec = { initialMs: 1000, factor: 1.15, maxMs: 300_000 };

/** The delay after one more failure, given the current delay (null: no failure since the last reset). */
export function nextDelayMs(currentMs: number | null, spec: BackoffSpec): number {
  if (currentMs === null) return Math.min(spec.initialMs, spec.maxMs);
  return Math.min(currentMs * spec.factor, spec.maxMs);
}

/** The delays after each of `failures` consecutive failures. */
export function delaySequenceMs(failures: number, spec: BackoffSpec): number[] {
  const out: number[] = [];
  let current: number | null = null;
  for (let i = 0; i < failures; i++) out.push((current = nextDelayMs(current, spec)));
  return out;
}

/** An app's launch delay: when the next launch may happen. */
export class LaunchBackoff {
  #delayMs: number | null = null;
  #notBeforeMs = 0;

  constructor(readonly spec: BackoffSpec) {}

  get delayMs(): number | null {
    return this.#delayMs;
  }

  get notBeforeMs(): number {
    return this.#notBeforeMs;
  }

  allows(nowMs: number): boolean {
    return nowMs >= this.#notBeforeMs;
  }

  /** Records a failure at `nowMs`; returns when launches may resume. */
  fail(nowMs: number): number {
    this.#delayMs = nextDelayMs(this.#delayMs, this.spec);
    this.#notBeforeMs = nowMs + this.#delayMs;
    return this.#notBeforeMs;
  }

  /** Brings back a saved delay (a scheduler restored from its store). */
  restore(delayMs: number | null, notBeforeMs: number): void {
    this.#delayMs = delayMs;
    this.#notBeforeMs = notBeforeMs;
  }

  reset(): void {
    this.#delayMs = null;
    this.#notBeforeMs = 0;
  }
}
