/**
 * Marathon's upgrade strategy maths. For a target of `instances`:
 * minHealthy = ceil(instances x minimumHealthCapacity) instances stay healthy
 * throughout, and at most maxCapacity = floor(instances x (1 +
 * maximumOverCapacity)) run at once, old and new together. Both are rounded
 * as exact decimals (100 x 0.07 is 7, not the float 7.000000000000001).
 */

export interface UpgradeStrategy {
  /** 0..1: the fraction of instances that must stay healthy during a restart. */
  readonly minimumHealthCapacity: number;
  /** 0..1: how far above `instances` a restart may go. */
  readonly maximumOverCapacity: number;
}

/** Marathon's defaults: keep everything healthy, double up while replacing. */
export const DEFAULT_UPGRADE_STRATEGY: UpgradeStrategy = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };

/** Tolerance for products that are whole numbers in decimal but not in binary floating point. */
const ROUNDING_EPSILON = 1e-9;

export interface UpgradeBounds {
  minHealthy: number;
  maxCapacity: number;
}

export function upgradeBounds(instances: number, strategy: UpgradeStrategy): UpgradeBounds {
  if (!Number.isSafeInteger(instances) || instances < 0) throw new Error(`instances must be an integer >= 0, got ${instances}`);
  return {
    minHealthy: Math.max(0, Math.ceil(instances * strategy.minimumHealthCapacity - ROUNDING_EPSILON)),
    maxCapacity: Math.floor(instances * (1 + strategy.maximumOverCapacity) + ROUNDING_EPSILON),
  };
}

/**
 * The bounds a restart runs with, given how many instances run when it
 * starts. As in Marathon's TaskReplaceActor: when minHealthy equals
 * maxCapacity and that many already run, nothing could ever be replaced, so
 * one instance of over-capacity is allowed.
 */
export function restartBounds(instances: number, strategy: UpgradeStrategy, runningAtStart: number): UpgradeBounds {
  const bounds = upgradeBounds(instances, strategy);
  if (bounds.minHealthy === bounds.maxCapacity && bounds.maxCapacity <= runningAtStart)
    return { ...bounds, maxCapacity: bounds.maxCapacity + 1 };
  return bounds;
}

export interface RollingState {
  /** Target instances of the new version. */
  readonly instances: number;
  /** Old-version instances still wanted (not yet being killed). */
  readonly oldActive: number;
  /** New-version instances launched or queued (not being killed). */
  readonly newStarted: number;
  /** New-version instances that are running and healthy. */
  readonly newHealthy: number;
}

/**
 * One step of a rolling restart: how many old instances to kill and how many
 * new ones to start now. Old instances go only while old + new healthy stay at
 * or above minHealthy; new ones start while old + new stay within maxCapacity.
 */
export function rollingStep(state: RollingState, bounds: UpgradeBounds): { kill: number; start: number } {
  const oldNeeded = Math.max(0, bounds.minHealthy - state.newHealthy);
  const kill = Math.max(0, state.oldActive - oldNeeded);
  const room = Math.max(0, bounds.maxCapacity - (state.oldActive - kill) - state.newStarted);
  const start = Math.min(Math.max(0, state.instances - state.newStarted), room);
  return { kill, start };
}
