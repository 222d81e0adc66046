/**
 * An app's state as plain JSON, so that a scheduler killed at any moment
 * comes back with every app, its live instances (version, placement, health,
 * kills in flight), its queue, backoff and rolling restart. Constraints are
 * kept as Marathon writes them (`[field, OPERATOR, value?]`) and parsed again
 * on restore, since their regular expressions are not JSON.
 */
import { parseConstraint } from '../../sdk/constraints.js';
import type { ServiceApp } from './appSpec.js';
import type { Deployment, Instance, Rejection, TaskIdOf } from './appState.js';
import { AppState } from './appState.js';

export type ServiceAppJson = Omit<ServiceApp, 'constraints'> & { constraints: string[][] };

export interface AppSnapshot {
  spec: ServiceAppJson;
  instances: number;
  version: string;
  queued: number;
  live: Instance[];
  nextNumber: number;
  restart: Deployment | null;
  deployments: Deployment[];
  failures: number;
  delayMs: number | null;
  notBeforeMs: number;
  lastRejection: Rejection | null;
  rejections: Record<string, number>;
}

export function appSpecJson(spec: ServiceApp): ServiceAppJson {
  const constraints = spec.constraints.map((c) => [c.field, c.operator, ...(c.value !== undefined ? [c.value] : [])]);
  return { ...spec, constraints };
}

export function appSpecFromJson(json: ServiceAppJson): ServiceApp {
  const constraints = json.constraints.map((raw) => {
    const parsed = parseConstraint(raw);
    // Every stored constraint was parsed once already: failing now is a bug (or a hand-edited store).
    if (!parsed.ok) throw new Error(`stored constraint ${JSON.stringify(raw)} of app ${json.id}: ${parsed.message}`);
    return parsed.constraint;
  });
  return { ...json, constraints };
}

export function snapshotApp(app: AppState): AppSnapshot {
  return structuredCloneJson({
    spec: appSpecJson(app.spec),
    instances: app.instances,
    version: app.version,
    queued: app.queued,
    live: [...app.live.values()],
    nextNumber: app.nextNumber,
    restart: app.restart,
    deployments: app.deployments,
    failures: app.failures,
    delayMs: app.backoff.delayMs,
    notBeforeMs: app.backoff.notBeforeMs,
    lastRejection: app.lastRejection,
    rejections: app.rejections,
  });
}

export function restoreApp(snapshot: AppSnapshot, taskIdOf?: TaskIdOf): AppState {
  const app = new AppState(appSpecFromJson(snapshot.spec), taskIdOf);
  app.instances = snapshot.instances;
  app.version = snapshot.version;
  app.queued = snapshot.queued;
  // Snapshots from before readiness checks have no `ready`: their instances were ready.
  for (const instance of snapshot.live) app.live.set(instance.taskId, { ...instance, ready: instance.ready ?? true });
  app.deployments.push(...snapshot.deployments);
  app.failures = snapshot.failures;
  app.lastRejection = snapshot.lastRejection;
  Object.assign(app.rejections, snapshot.rejections);
  app.restoreState({
    nextNumber: snapshot.nextNumber,
    restart: snapshot.restart,
    delayMs: snapshot.delayMs,
    notBeforeMs: snapshot.notBeforeMs,
  });
  return app;
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
