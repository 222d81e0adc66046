/**
 * SDK services of a live cluster in its fork: a framework that an
 * `allot service run` scheduler runs (known by the framework id its
 * `GET /v1/state/snapshot` names) becomes a `stateful` framework with the
 * service's target spec and its scheduler's state store, so that in the
 * simulator it owns its running tasks, shows its plans as they are live, and
 * recovers and replaces pods as the live scheduler would. Times in the store
 * (failure clocks, backoff, log) are moved so that the fork starts at 0, and
 * its specs are written as a scenario writes them (serviceSpecInput.ts).
 * Pure and browser-safe.
 */
import type { ScenarioFrameworkInput } from '../scenario.js';
import { serviceSpecInput } from './serviceSpecInput.js';
import { isTerminal, type TaskState } from '../../tasks/taskState.js';

type Json = Record<string, any>;

/** What `GET /v1/state/snapshot` of `allot service run` answers, and where it came from. */
export interface ForkedServiceInput {
  /** The service API's URL, for notes. */
  url: string;
  /** The answer: `{ frameworkId, atMs, snapshot }`. */
  answer: Json;
}

const INSTANCE_CLOCKS = ['failedAtMs', 'delayedUntilMs', 'readySinceMs'] as const;

/**
 * Replaces the forked (batch) framework of each service with its stateful
 * model; `liveTaskIds` are the tasks placed in the fork, to say which of the
 * store's tasks the master no longer runs.
 */
export function forkServices(
  services: readonly ForkedServiceInput[],
  frameworks: Map<string, { spec: ScenarioFrameworkInput }>,
  liveTaskIds: ReadonlySet<string>,
  notes: string[],
): void {
  for (const { url, answer } of services) {
    const frameworkId = typeof answer?.frameworkId === 'string' ? answer.frameworkId : null;
    const snapshot = answer?.snapshot as Json | undefined;
    const forked = frameworkId ? frameworks.get(frameworkId) : undefined;
    if (!frameworkId || !snapshot || !forked) {
      notes.push(
        `service ${url}: ${frameworkId ? `its framework ${frameworkId} is not registered with the master` : 'it has no framework id yet'}; left out`,
      );
      continue;
    }
    const store = rebased(snapshot, Number(answer.atMs ?? 0));
    const target = ((store.configs ?? []) as Array<[number, Json]>).find(([id]) => id === store.targetConfigId)?.[1];
    const { tasks: _tasks, relaunch: _relaunch, keepRunning: _keep, maxTasksPerOffer: _max, ...common } = forked.spec as Json;
    forked.spec = {
      ...common,
      kind: 'stateful',
      flavor: 'generic',
      service: target,
      snapshot: store,
    } as unknown as ScenarioFrameworkInput;
    const gone = storedTaskIds(snapshot).filter((taskId) => !liveTaskIds.has(taskId));
    if (gone.length)
      notes.push(`service ${target?.name ?? url}: task(s) ${gone.join(', ')} live in its store are not running on the master now`);
    notes.push(
      `service ${target?.name ?? url}: its reservations fork as static reservations of role ${forked.spec.role} (by role, not by resource id): a pod relaunched in place waits for its own reservation; a pod replaced elsewhere reserves anew`,
    );
  }
}

/** The store with its times relative to `atMs` (the moment it was read, time 0 of the fork). */
function rebased(snapshot: Json, atMs: number): Json {
  const copy = JSON.parse(JSON.stringify(snapshot)) as Json;
  if (Array.isArray(copy.configs))
    copy.configs = (copy.configs as Array<[number, Json]>).map(([id, spec]) => [id, serviceSpecInput(spec ?? {})]);
  for (const instance of (copy.instances ?? []) as Json[])
    for (const clock of INSTANCE_CLOCKS) if (typeof instance[clock] === 'number') instance[clock] -= atMs;
  for (const entry of (copy.log ?? []) as Json[]) if (typeof entry.atMs === 'number') entry.atMs -= atMs;
  return copy;
}

/** Task ids the store believes not ended. */
function storedTaskIds(snapshot: Json): string[] {
  return ((snapshot.instances ?? []) as Json[]).flatMap((instance) =>
    Object.values((instance.tasks ?? {}) as Record<string, Json>)
      .filter((record) => typeof record.taskId === 'string' && record.state && !isTerminal(record.state as TaskState))
      .map((record) => String(record.taskId)),
  );
}
