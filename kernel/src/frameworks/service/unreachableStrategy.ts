/**
 * Marathon's `unreachableStrategy` for a real cluster's host: an instance
 * whose agent the master reports unreachable (TASK_UNREACHABLE, sent to
 * partition-aware frameworks) becomes inactive after `inactiveAfterMs` (it
 * no longer counts, so a replacement is launched) and is expunged after
 * `expungeAfterMs` (forgotten; should it come back, it is killed). The
 * timers start at `unreachableSinceMs`, which snapshots keep, so a restarted
 * scheduler arms them again; arming twice is harmless.
 */
import type { SchedulerContext } from '../../schedulers/frameworkModel.js';
import type { AppState, Instance } from './appState.js';

export interface UnreachableStrategy {
  readonly inactiveAfterMs: number;
  /** At least inactiveAfterMs. */
  readonly expungeAfterMs: number;
}

/** Arms the instance's timers; `changed` runs after it became inactive or was expunged. */
export function armUnreachable(
  app: AppState,
  instance: Instance,
  strategy: UnreachableStrategy,
  context: SchedulerContext,
  changed: () => void,
): void {
  const since = instance.unreachableSinceMs;
  if (since === undefined || since === null) throw new Error(`instance ${instance.taskId} is not unreachable`);
  const still = (): boolean =>
    app.live.get(instance.taskId) === instance && instance.state === 'TASK_UNREACHABLE' && instance.unreachableSinceMs === since;
  context.schedule(Math.max(context.nowMs, since + strategy.inactiveAfterMs), () => {
    if (!still() || instance.killReason !== null) return;
    instance.killReason = 'unreachable';
    changed();
  });
  context.schedule(Math.max(context.nowMs, since + strategy.expungeAfterMs), () => {
    if (!still()) return;
    app.live.delete(instance.taskId);
    changed();
  });
}
