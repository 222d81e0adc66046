/**
 * What the report says of a Marathon app: target and version, instances by
 * state and health, the launch queue and delay, the restart in progress and
 * the finished ones, and why offers were turned down (the latest reason and
 * a count per funnel stage) — the "why is my app not deploying?" answer.
 */
import type { AppState } from './appState.js';

export function appDetails(app: AppState): Record<string, unknown> {
  const instances = [...app.live.values()];
  const count = (test: (state: string) => boolean): number => instances.filter((instance) => test(instance.state)).length;
  return {
    id: app.spec.id,
    version: app.version,
    instances: app.instances,
    staging: count((state) => state === 'TASK_STAGING' || state === 'TASK_STARTING'),
    running: count((state) => state === 'TASK_RUNNING'),
    healthy: instances.filter((instance) => instance.healthy && instance.killReason === null).length,
    killing: instances.filter((instance) => instance.killReason !== null).length,
    byVersion: countBy(instances.filter((instance) => instance.killReason === null).map((instance) => instance.version)),
    queued: app.queued,
    failures: app.failures,
    launchDelayMs: app.backoff.delayMs,
    launchNotBeforeMs: app.backoff.notBeforeMs,
    restart: app.restart,
    deployments: app.deployments,
    lastRejection: app.lastRejection,
    rejections: { ...app.rejections },
  };
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of [...values].sort()) out[value] = (out[value] ?? 0) + 1;
  return out;
}
