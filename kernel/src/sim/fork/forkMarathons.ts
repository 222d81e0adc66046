/**
 * Marathon apps of a live cluster in its fork: the framework an
 * `allot marathon run` scheduler runs (known by the framework id its
 * `GET /v2/state/snapshot` names) becomes a `service` framework with its
 * apps and the model's store, so that in the simulator it owns its running
 * instances, keeps each app's instance count, deployments and backoff, and
 * replaces lost instances as the live one would. Times in the store are
 * moved so that the fork starts at 0; what only a real cluster runs
 * (readiness checks by the host, unreachable strategies) is left out and
 * said. Pure and browser-safe.
 */
import type { ScenarioFrameworkInput } from '../scenario.js';

type Json = Record<string, any>;

/** What `GET /v2/state/snapshot` of `allot marathon run` answers, and where it came from. */
export interface ForkedMarathonInput {
  url: string;
  /** The answer: `{ frameworkId, atMs, snapshot }`. */
  answer: Json;
}

const REAL_CLUSTER_ONLY = ['readiness', 'unreachable'] as const;

export function forkMarathons(
  marathons: readonly ForkedMarathonInput[],
  frameworks: Map<string, { spec: ScenarioFrameworkInput }>,
  notes: string[],
): void {
  for (const { url, answer } of marathons) {
    const frameworkId = typeof answer?.frameworkId === 'string' ? answer.frameworkId : null;
    const forked = frameworkId ? frameworks.get(frameworkId) : undefined;
    if (!frameworkId || !answer?.snapshot || !forked) {
      notes.push(
        `marathon ${url}: ${frameworkId ? `its framework ${frameworkId} is not registered with the master` : 'it has no framework id yet'}; left out`,
      );
      continue;
    }
    const store = rebased(answer.snapshot as Json, Number(answer.atMs ?? 0));
    const dropped = new Set<string>();
    for (const app of store.apps as Json[]) app.spec = appInput(app.spec, dropped);
    const { tasks: _tasks, relaunch: _relaunch, keepRunning: _keep, maxTasksPerOffer: _max, ...common } = forked.spec as Json;
    forked.spec = {
      ...common,
      kind: 'service',
      apps: JSON.parse(JSON.stringify((store.apps as Json[]).map((app) => app.spec))) as Json[],
      snapshot: store,
    } as unknown as ScenarioFrameworkInput;
    if (dropped.size)
      notes.push(`marathon ${url}: ${[...dropped].join(', ')} of its apps run on a real cluster only; the fork leaves them out`);
  }
}

/** An app spec as the `apps` field reads it: unset optional parts left out. */
function appInput(spec: Json, dropped: Set<string>): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(spec ?? {})) {
    if ((REAL_CLUSTER_ONLY as readonly string[]).includes(key)) {
      if (value) dropped.add(key);
      continue;
    }
    if (value !== null) out[key] = value;
  }
  return out;
}

/** The store with its times relative to `atMs` (the moment it was read, time 0 of the fork). */
function rebased(snapshot: Json, atMs: number): Json {
  const copy = JSON.parse(JSON.stringify(snapshot)) as Json;
  const shift = (object: Json | null | undefined, keys: readonly string[]) => {
    for (const key of keys) if (object && typeof object[key] === 'number') object[key] -= atMs;
  };
  for (const app of (copy.apps ?? []) as Json[]) {
    shift(app, ['notBeforeMs']);
    shift(app.lastRejection, ['atMs']);
    for (const deployment of [app.restart, ...((app.deployments ?? []) as Json[])]) shift(deployment, ['startedAtMs', 'endedAtMs']);
    for (const instance of (app.live ?? []) as Json[]) shift(instance, ['launchedAtMs', 'runningAtMs', 'unreachableSinceMs']);
  }
  return copy;
}
