/**
 * The running tasks of a scenario agent (a fork's) as the simulated agent
 * holds them: resources in the master's layout (out of the named static
 * reservation when the task used one) and the duration the agent runs them for.
 */
import type { ResourceLayout } from '../resources/layout.js';
import { NO_RANGES, normalizeRanges } from '../resources/ranges.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { reservedPart } from '../resources/resourceSet.js';
import type { Task } from '../tasks/task.js';
import type { TaskRunData } from '../schedulers/taskRunData.js';
import type { ScenarioAgent, ScenarioFramework } from './scenario.js';

export function agentRunningTasks(
  agent: ScenarioAgent,
  frameworks: ReadonlyMap<string, ScenarioFramework>,
  layout: ResourceLayout,
): Task[] {
  return (agent.tasks ?? []).map((spec) => {
    const role = spec.role ?? frameworks.get(spec.framework)?.role ?? '*';
    const data: TaskRunData = { durationMs: spec.durationMs };
    return {
      id: spec.id,
      name: spec.id,
      frameworkId: spec.framework,
      role,
      agentId: agent.id,
      resources: taskResources(agent, spec.resources, spec.ports, spec.reservation, layout),
      executorId: spec.id,
      data,
      state: 'TASK_RUNNING',
      unacknowledged: [],
      latest: null,
      history: [],
    };
  });
}

function taskResources(
  agent: ScenarioAgent,
  quantities: Record<string, number>,
  ports: ReadonlyArray<readonly [number, number]>,
  reservationRole: string | undefined,
  layout: ResourceLayout,
): ResourceSet {
  const scalars = layout.vector(quantities);
  const portRanges = ports.length ? normalizeRanges(ports.map(([b, e]) => [b, e] as const)) : NO_RANGES;
  if (reservationRole === undefined) return { scalars, ports: portRanges, reserved: [] };
  const reservation = agent.reservations.find((r) => r.role === reservationRole)!;
  const labels = Object.keys(reservation.labels).length ? { labels: { ...reservation.labels } } : {};
  const part = reservedPart([{ role: reservation.role, type: 'STATIC', ...labels }], scalars, portRanges);
  return { scalars: layout.zero(), ports: NO_RANGES, reserved: [part] };
}
