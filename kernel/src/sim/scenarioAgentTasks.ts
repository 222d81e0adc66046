/**
 * Tasks already running on an agent when the simulation starts (a fork of a
 * live cluster: `allot fork`): the agent reports them when it registers, as a
 * real agent does to a new master, and their frameworks own them from then on.
 * Each must fit, with the others, in its agent; one that uses a reservation
 * names the reserving role (its resources come out of that static reservation).
 */
import { SCALAR_EPSILON } from '../resources/vector.js';
import type { ResourceQuantities, ScenarioAgentTask, ScenarioReservation } from './scenario.js';
import {
  type Errors,
  Fields,
  indexPath,
  listEntries,
  nonEmptyString,
  nullable,
  positiveNumber,
  quote,
} from '../schedulers/fieldReaders.js';
import { portRanges, resourceQuantities, roleName } from '../schedulers/resourceReaders.js';

const TASK_FIELDS = ['id', 'framework', 'role', 'resources', 'ports', 'reservation', 'durationMs'] as const;

export function readAgentTasks(
  agent: Fields,
  capacity: { resources: ResourceQuantities | undefined; reservations: readonly ScenarioReservation[] },
  errors: Errors,
): ScenarioAgentTask[] | undefined {
  if (!agent.has('tasks')) return undefined;
  const path = agent.pathOf('tasks');
  const tasks: ScenarioAgentTask[] = [];
  const used: ResourceQuantities = {};
  const ids = new Set<string>();
  listEntries(agent.value('tasks'), path, errors, 'an array of running tasks').forEach((entry, index) => {
    const fields = Fields.open(entry, indexPath(path, index), errors, TASK_FIELDS);
    if (fields === undefined) return;
    const id = fields.required('id', nonEmptyString);
    const framework = fields.required('framework', nonEmptyString);
    const role = fields.maybe('role', roleName);
    const resources = fields.required('resources', resourceQuantities);
    const ports = fields.optional('ports', portRanges, []);
    const reservation = fields.maybe('reservation', roleName);
    const durationMs = fields.optional('durationMs', nullable(positiveNumber), null);
    if (id !== undefined && ids.has(id))
      errors.push({ path: fields.pathOf('id'), message: `duplicate task id ${quote(id)} on this agent` });
    if (id !== undefined) ids.add(id);
    if (reservation !== undefined && !capacity.reservations.some((r) => r.role === reservation))
      errors.push({ path: fields.pathOf('reservation'), message: `the agent has no static reservation of role ${quote(reservation)}` });
    if (resources !== undefined && capacity.resources !== undefined) {
      for (const [name, amount] of Object.entries(resources)) {
        used[name] = (used[name] ?? 0) + amount;
        if (used[name] > (capacity.resources[name] ?? 0) + SCALAR_EPSILON)
          errors.push({
            path: `${fields.pathOf('resources')}.${name}`,
            message: `the agent's running tasks would use ${used[name]} ${name}, more than its ${capacity.resources[name] ?? 0}`,
          });
      }
    }
    if (id === undefined || framework === undefined || resources === undefined) return;
    tasks.push({
      id,
      framework,
      ...(role !== undefined ? { role } : {}),
      resources,
      ports,
      ...(reservation !== undefined ? { reservation } : {}),
      durationMs,
    });
  });
  return tasks;
}
