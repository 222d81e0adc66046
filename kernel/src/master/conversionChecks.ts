/**
 * Checks of a reservation or volume operation that need the agent's state,
 * shared by frameworks' ACCEPT pipelines and operators' commands: persistence
 * ids are unique per role on an agent, and no volume is destroyed (or its
 * reservation released) under a live task.
 */
import type { Agent } from '../agents/agent.js';
import type { Conversion, ResourceOperation } from '../reservations/resourceConversion.js';
import type { TaskRegistry } from '../tasks/taskRegistry.js';
import type { Rejection } from './effects.js';

export function conversionProblem(
  tasks: TaskRegistry,
  agent: Agent,
  operation: ResourceOperation,
  conversion: Conversion,
): Rejection | null {
  if (operation.type === 'CREATE') {
    for (const part of conversion.converted.reserved) {
      const id = part.volume!.persistenceId;
      if (agent.total.reserved.some((existing) => existing.volume?.persistenceId === id && existing.role === part.role)) {
        return { code: 'volume_exists', message: `role ${part.role} already has a volume ${id} on agent ${agent.id}` };
      }
    }
  }
  if (operation.type === 'DESTROY' || operation.type === 'UNRESERVE') {
    const keys = new Set(conversion.consumed.reserved.map((part) => part.key));
    for (const task of tasks.liveOn(agent.id)) {
      const used = task.resources.reserved.find(
        (part) => keys.has(part.key) && (part.volume !== undefined || operation.type === 'UNRESERVE'),
      );
      if (used?.volume) return { code: 'volume_in_use', message: `task ${task.id} uses volume ${used.volume.persistenceId}` };
    }
  }
  return null;
}
