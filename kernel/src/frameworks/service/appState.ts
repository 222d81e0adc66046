/**
 * One Marathon app as its scheduler tracks it: the live instances (with
 * version, placement, launch order and health), the launch queue of the
 * current version, the launch backoff and the rolling restart in progress.
 * `reconcile` is the only place that decides kills and launches: a restart
 * follows rollingStep, scaling down removes queued launches first and then
 * the youngest instances (Marathon's YOUNGEST_FIRST kill selection).
 */
import type { PlacementTarget } from '../../sdk/constraints.js';
import type { TaskRunData } from '../../schedulers/taskRunData.js';
import type { TaskState } from '../../tasks/taskState.js';
import type { ServiceApp } from './appSpec.js';
import { LaunchBackoff } from './launchBackoff.js';
import type { FunnelFailure } from './offerFunnel.js';
import type { UpgradeBounds } from './upgradeStrategy.js';
import { restartBounds, rollingStep } from './upgradeStrategy.js';

/**
 * Why this scheduler killed an instance: `operator` is a kill asked through the API (the app replaces it);
 * `unreachable`: given up after the app's unreachable strategy (killed should it come back).
 */
export type KillReason = 'scale-down' | 'upgrade' | 'health-check' | 'operator' | 'unreachable';

/** Names a launch: `<app>.<launch number>` by default; a real cluster's host gives ids that stay unique across app re-creations. */
export type TaskIdOf = (appId: string, number: number) => string;

export interface Instance {
  readonly taskId: string;
  readonly version: string;
  readonly agentId: string;
  readonly target: PlacementTarget;
  /** Launch order within the app: the highest is the youngest. */
  readonly number: number;
  readonly launchedAtMs: number;
  state: TaskState;
  runningAtMs: number | null;
  healthy: boolean;
  /** False until the host reports a readiness check passed (apps with `readiness`); true from the start otherwise. */
  ready: boolean;
  /** Since when the master reports it unreachable (apps with an unreachable strategy only). */
  unreachableSinceMs?: number | null;
  /** Set when this scheduler asked for the kill; such an end is not a failure. */
  killReason: KillReason | null;
}

export interface Deployment {
  readonly version: string;
  /** The target the bounds were computed for: a rescale during the restart recomputes them. */
  readonly instances: number;
  readonly startedAtMs: number;
  readonly minHealthy: number;
  readonly maxCapacity: number;
  /** When every new instance was healthy and every old one gone, or a newer version took over. */
  endedAtMs: number | null;
  outcome: 'finished' | 'superseded' | null;
}

export interface Rejection {
  readonly atMs: number;
  readonly agentId: string;
  /** The first failing funnel stage (Marathon counts offers by it). */
  readonly code: string;
  readonly reason: string;
  /** Every failing requirement, the first one included (offerFunnel.ts); absent in snapshots taken before it existed. */
  readonly failures?: readonly FunnelFailure[];
}

/** Whether an instance counts as up for a restart and a deployment: healthy, and ready when the app has readiness checks. */
export function isServing(instance: Instance): boolean {
  return instance.healthy && instance.ready;
}

/** Youngest first: the latest launched leads. */
export function youngestFirst(instances: readonly Instance[]): Instance[] {
  return [...instances].sort((a, b) => b.number - a.number);
}

export class AppState {
  /** The current version's definition: new launches, placement, restart bounds and backoff follow it. */
  spec: ServiceApp;
  instances: number;
  version: string;
  /** Launches of the current version wanted and not yet made. */
  queued = 0;
  readonly live = new Map<string, Instance>();
  backoff: LaunchBackoff;
  /** What the simulated agent needs to run an instance: the same for all of them. */
  taskData: TaskRunData;
  readonly deployments: Deployment[] = [];
  #restart: Deployment | null = null;
  #nextNumber = 0;
  /** Ends this scheduler did not ask for (failed, lost, exited, killed by a health check). */
  failures = 0;
  lastRejection: Rejection | null = null;
  readonly rejections: Record<string, number> = {};

  constructor(
    spec: ServiceApp,
    readonly taskIdOf: TaskIdOf = (appId, number) => `${appId}.${number}`,
  ) {
    this.spec = spec;
    this.instances = spec.instances;
    this.version = spec.version;
    this.backoff = new LaunchBackoff(spec.backoff);
    this.taskData = Object.freeze({ durationMs: spec.durationMs });
  }

  get restart(): Deployment | null {
    return this.#restart;
  }

  /** Whether an offer could be used now. */
  canLaunch(nowMs: number): boolean {
    return this.queued > 0 && this.backoff.allows(nowMs);
  }

  /** Where live instances are, killing ones included: they hold their hosts until they end. */
  placements(): PlacementTarget[] {
    return [...this.live.values()].map((instance) => instance.target);
  }

  reject(rejection: Rejection): void {
    this.lastRejection = rejection;
    this.rejections[rejection.code] = (this.rejections[rejection.code] ?? 0) + 1;
  }

  /** Takes one queued launch; the task id is `<app>.<launch number>`. */
  launch(agentId: string, target: PlacementTarget, nowMs: number): Instance {
    if (this.queued <= 0) throw new Error(`app ${this.spec.id}: launch with an empty queue`);
    this.queued--;
    const number = this.#nextNumber++;
    const instance: Instance = {
      taskId: this.taskIdOf(this.spec.id, number),
      version: this.version,
      agentId,
      target,
      number,
      launchedAtMs: nowMs,
      state: 'TASK_STAGING',
      runningAtMs: null,
      healthy: false,
      ready: this.spec.readiness !== true,
      killReason: null,
    };
    this.live.set(instance.taskId, instance);
    return instance;
  }

  /** A scheduled change; a new version restarts the backoff, as a Marathon deployment does. */
  change(instances: number | undefined, version: string | undefined, nowMs: number): void {
    if (instances !== undefined) this.instances = instances;
    if (version !== undefined && version !== this.version) {
      this.version = version;
      this.queued = 0;
      this.backoff.reset();
      if (this.#restart) this.#endRestart(nowMs, 'superseded');
    }
  }

  /**
   * A new definition (from an operator): a new version restarts the app under the new definition's upgrade
   * strategy and backoff; the same version only rescales.
   */
  redefine(spec: ServiceApp, nowMs: number): void {
    const rolling = spec.version !== this.version;
    this.spec = spec;
    if (rolling) {
      this.backoff = new LaunchBackoff(spec.backoff);
      this.taskData = Object.freeze({ durationMs: spec.durationMs });
    }
    this.change(spec.instances, spec.version, nowMs);
  }

  /** Whether the app has reached its definition: every wanted instance of the current version runs healthy (and ready), nothing else lives. */
  settled(): boolean {
    if (this.queued > 0 || this.live.size !== this.instances) return false;
    for (const instance of this.live.values())
      if (instance.version !== this.version || instance.killReason !== null || instance.state !== 'TASK_RUNNING' || !isServing(instance))
        return false;
    return true;
  }

  /** The launch counter, for a snapshot. */
  get nextNumber(): number {
    return this.#nextNumber;
  }

  /** Brings back what a snapshot held (appSnapshot.ts). */
  restoreState(state: { nextNumber: number; restart: Deployment | null; delayMs: number | null; notBeforeMs: number }): void {
    this.#nextNumber = state.nextNumber;
    this.#restart = state.restart;
    this.backoff.restore(state.delayMs, state.notBeforeMs);
  }

  /** The instances to kill now (already marked), after queueing the launches wanted. */
  reconcile(nowMs: number): Instance[] {
    const alive = [...this.live.values()].filter((instance) => instance.killReason === null);
    const old = alive.filter((instance) => instance.version !== this.version);
    const current = alive.filter((instance) => instance.version === this.version);
    const kills: Instance[] = [];
    if (old.length > 0) {
      const restart = this.#restartFor(nowMs, alive.length);
      const healthy = current.filter(isServing).length;
      const step = rollingStep(
        { instances: this.instances, oldActive: old.length, newStarted: current.length + this.queued, newHealthy: healthy },
        restart,
      );
      kills.push(...this.#kill(youngestFirst(old).slice(0, step.kill), 'upgrade'));
      this.queued += step.start;
    } else {
      this.queued += Math.max(0, this.instances - current.length - this.queued);
      if (this.#restart && current.filter(isServing).length >= this.instances) this.#endRestart(nowMs, 'finished');
    }
    // Too many of the current version: queued launches go first, then the youngest instances.
    const excess = current.length + this.queued - this.instances;
    if (excess > 0) {
      const dequeued = Math.min(excess, this.queued);
      this.queued -= dequeued;
      kills.push(...this.#kill(youngestFirst(current).slice(0, excess - dequeued), 'scale-down'));
    }
    return kills;
  }

  #restartFor(nowMs: number, running: number): UpgradeBounds {
    if (this.#restart && this.#restart.instances === this.instances) return this.#restart;
    const bounds = restartBounds(this.instances, this.spec.upgradeStrategy, running);
    this.#restart = {
      version: this.version,
      instances: this.instances,
      startedAtMs: this.#restart?.startedAtMs ?? nowMs,
      endedAtMs: null,
      outcome: null,
      ...bounds,
    };
    return this.#restart;
  }

  #endRestart(nowMs: number, outcome: 'finished' | 'superseded'): void {
    this.deployments.push({ ...this.#restart!, endedAtMs: nowMs, outcome });
    this.#restart = null;
  }

  /** An end this scheduler did not ask for: the next launch waits; returns when it may happen. */
  failed(nowMs: number): number {
    this.failures++;
    return this.backoff.fail(nowMs);
  }

  /** The host's readiness check of an instance passed; false when the instance is not live or was ready already. */
  markReady(taskId: string): boolean {
    const instance = this.live.get(taskId);
    if (!instance || instance.ready) return false;
    instance.ready = true;
    return true;
  }

  /** An operator's kill: the instance goes and, unless the app shrinks with it, a replacement is queued. */
  killByOperator(taskId: string, scale: boolean): Instance | null {
    const instance = this.live.get(taskId);
    if (!instance || instance.killReason !== null) return null;
    instance.killReason = 'operator';
    if (scale) this.instances = Math.max(0, this.instances - 1);
    return instance;
  }

  #kill(instances: Instance[], reason: KillReason): Instance[] {
    for (const instance of instances) instance.killReason = reason;
    return instances;
  }
}
