/**
 * A fork's frameworks behave as observed: from the master's `GET /fork/history`
 * answer (adapters/src/master/frameworkHistory.ts), each framework's tasks
 * run for the median duration its finished tasks ran, a task running now
 * ends when a task of that median age would (at least 1 ms on), and its
 * declines use the median refuse_seconds it declined with. A framework with
 * no finished task keeps its tasks running, one that never declined keeps
 * the simulator's 5 s filter. Pure.
 */
import type { ScenarioAgentInput, ScenarioFrameworkInput } from '../scenario.js';

type Json = Record<string, any>;

/** What the fork learnt of one framework, as `allot fork` prints it. */
export interface ObservedFramework {
  frameworkId: string;
  tasksFinished: number;
  medianTaskMs: number | null;
  declines: number;
  medianRefuseSeconds: number | null;
}

function median(summary: unknown): number | null {
  const value = (summary as Json | null)?.median;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

export function applyForkHistory(
  history: Json,
  frameworks: ReadonlyMap<string, { spec: ScenarioFrameworkInput }>,
  agents: ReadonlyMap<string, ScenarioAgentInput>,
  notes: string[],
): ObservedFramework[] {
  const nowMs = Number(history.now_ms);
  const observed: ObservedFramework[] = [];
  for (const entry of (Array.isArray(history.frameworks) ? history.frameworks : []) as Json[]) {
    const framework = frameworks.get(String(entry.framework_id));
    if (!framework) continue;
    const { spec } = framework;
    const medianTaskMs = median(entry.task_duration_ms);
    const medianRefuseSeconds = median(entry.refuse_seconds);
    const figures: ObservedFramework = {
      frameworkId: spec.id,
      tasksFinished: Number(entry.tasks_finished ?? 0),
      medianTaskMs,
      declines: Number(entry.declines ?? 0),
      medianRefuseSeconds,
    };
    observed.push(figures);
    if (medianRefuseSeconds !== null) spec.refuseSeconds = medianRefuseSeconds;
    // An SDK service's tasks run until its scheduler ends them, whatever ran and finished before.
    if (medianTaskMs !== null && spec.kind === 'batch') {
      const durationMs = Math.max(1, Math.round(medianTaskMs));
      (spec.tasks as Json).durationMs = durationMs;
      const since = (entry.running_since_ms ?? {}) as Record<string, number>;
      for (const agent of agents.values())
        for (const task of agent.tasks ?? []) {
          if (task.framework !== spec.id) continue;
          const ageMs = Number.isFinite(nowMs) && typeof since[task.id] === 'number' ? Math.max(0, nowMs - since[task.id]) : 0;
          task.durationMs = Math.max(1, durationMs - ageMs);
        }
    }
    notes.push(
      `framework ${spec.id}: ${figures.tasksFinished} task(s) finished live${medianTaskMs !== null ? `, median ${Math.round(medianTaskMs)} ms (its tasks end after that in the fork)` : ''}; ${figures.declines} decline(s)${medianRefuseSeconds !== null ? `, median filter ${medianRefuseSeconds} s (used by the fork)` : ''}`,
    );
  }
  return observed;
}
