/**
 * Marathon deployments: every change of apps through the API is a deployment
 * with a UUID, the version it brings, the apps it affects and its steps of
 * actions (StartApplication, ScaleApplication, RestartApplication,
 * StopApplication). Apps that depend on others (`dependencies`) start or
 * restart in a later step than those they depend on; stops come first. A
 * step's targets are given to the app model when the step starts; the step
 * is done when each of its apps has settled (every wanted instance of the
 * new version running and healthy, nothing else left) or, for a stop, is
 * gone. While a deployment runs its apps are locked: another change is
 * refused with 409 unless `force=true`, which cancels the running ones.
 */
import type { AppDefinition } from './appDefinition.js';

export type DeploymentAction = 'StartApplication' | 'StopApplication' | 'ScaleApplication' | 'RestartApplication';

export interface AppChange {
  appId: string;
  /** The definition wanted; null stops (removes) the app. */
  target: AppDefinition | null;
  /** What was there before (null: a new app), for a rollback. */
  original: AppDefinition | null;
  action: DeploymentAction;
}

export interface Deployment {
  id: string;
  version: string;
  /** Changes by step (0-based); a step's changes are applied when it starts. */
  steps: AppChange[][];
  /** The step in progress (0-based); steps.length when done. */
  current: number;
  /** Whether the current step's changes were given to the model. */
  applied: boolean;
}

export function actionFor(original: AppDefinition | null, target: AppDefinition | null): DeploymentAction {
  if (target === null) return 'StopApplication';
  if (original === null) return 'StartApplication';
  return configChanged(original, target) ? 'RestartApplication' : 'ScaleApplication';
}

/** Whether two definitions differ in more than their instance count (a restart, not a scale). */
export function configChanged(a: AppDefinition, b: AppDefinition): boolean {
  return JSON.stringify({ ...a, instances: 0 }) !== JSON.stringify({ ...b, instances: 0 });
}

/** Orders the changes into steps: stops first, then by dependency depth among the apps changed. */
export function planSteps(changes: AppChange[]): AppChange[][] {
  const stops = changes.filter((change) => change.target === null);
  const others = changes.filter((change) => change.target !== null);
  const byId = new Map(others.map((change) => [change.appId, change]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // A cycle: the validation refuses it; here it simply does not order.
    seen.add(id);
    const deps = byId.get(id)!.target!.dependencies.filter((dep) => byId.has(dep));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map((dep) => depthOf(dep, seen)));
    depth.set(id, value);
    return value;
  };
  const steps: AppChange[][] = stops.length > 0 ? [stops] : [];
  const levels: AppChange[][] = [];
  for (const change of others) (levels[depthOf(change.appId, new Set())] ??= []).push(change);
  return [...steps, ...levels.filter((level) => level !== undefined)];
}

/** The ids of apps whose dependencies form a cycle among `apps`, or []. */
export function dependencyCycle(apps: ReadonlyMap<string, AppDefinition>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] => {
    if (state.get(id) === 'done') return [];
    if (state.get(id) === 'visiting') return path.slice(path.indexOf(id));
    state.set(id, 'visiting');
    path.push(id);
    for (const dep of apps.get(id)?.dependencies ?? []) {
      if (!apps.has(dep)) continue;
      const cycle = visit(dep);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return [];
  };
  for (const id of apps.keys()) {
    const cycle = visit(id);
    if (cycle.length > 0) return cycle;
  }
  return [];
}

export function affectedApps(deployment: Deployment): string[] {
  return deployment.steps.flat().map((change) => change.appId);
}

/** Marathon's JSON of a running deployment (GET /v2/deployments); `readiness` gives an app's readinessCheckResults. */
export function deploymentJson(
  deployment: Deployment,
  readiness: (appId: string) => Record<string, unknown>[] = () => [],
): Record<string, unknown> {
  const steps = deployment.steps.map((step) => ({ actions: step.map((change) => ({ action: change.action, app: change.appId })) }));
  const current = deployment.steps[deployment.current] ?? [];
  return {
    id: deployment.id,
    version: deployment.version,
    affectedApps: affectedApps(deployment),
    affectedPods: [],
    steps,
    currentActions: current.map((change) => ({ action: change.action, app: change.appId, readinessCheckResults: readiness(change.appId) })),
    currentStep: Math.min(deployment.current + 1, deployment.steps.length),
    totalSteps: deployment.steps.length,
  };
}
