/**
 * A kernel offer operation as a Mesos `Offer.Operation` (JSON): RESERVE,
 * UNRESERVE, CREATE and DESTROY carry Mesos Resource lists (with
 * `allocation_info` of the offer's role, as multi-role frameworks must send
 * them); LAUNCH and LAUNCH_GROUP carry TaskInfos rendered by the model's host
 * (`taskInfo`), a group under the default executor named after its executor id.
 */
import type { OfferOperation, ResourceLayout, TaskSpec } from '@allot/kernel';
import { fromResourceSet } from '../master/mesosResources.js';

type Json = Record<string, any>;

/** Renders one task of a launch: name, ids, resources, command and whatever the model's task data says. */
export type TaskInfoRenderer = (task: TaskSpec, agentId: string, role: string) => Json;

export function operationJson(
  operation: OfferOperation,
  context: { layout: ResourceLayout; role: string; agentId: string; frameworkId: string; taskInfo: TaskInfoRenderer },
): Json {
  const { layout, role } = context;
  switch (operation.type) {
    case 'RESERVE':
      return { type: 'RESERVE', reserve: { resources: fromResourceSet(operation.resources, layout, role) } };
    case 'UNRESERVE':
      return { type: 'UNRESERVE', unreserve: { resources: fromResourceSet(operation.resources, layout, role) } };
    case 'CREATE':
      return { type: 'CREATE', create: { volumes: fromResourceSet(operation.volumes, layout, role) } };
    case 'DESTROY':
      return { type: 'DESTROY', destroy: { volumes: fromResourceSet(operation.volumes, layout, role) } };
    case 'LAUNCH':
      return { type: 'LAUNCH', launch: { task_infos: operation.tasks.map((task) => context.taskInfo(task, context.agentId, role)) } };
    case 'LAUNCH_GROUP': {
      const executorId = operation.tasks[0]?.executorId ?? operation.tasks[0]?.taskId ?? 'default';
      return {
        type: 'LAUNCH_GROUP',
        launch_group: {
          executor: {
            type: 'DEFAULT',
            executor_id: { value: executorId },
            framework_id: { value: context.frameworkId },
            resources: [],
          },
          task_group: { tasks: operation.tasks.map((task) => context.taskInfo(task, context.agentId, role)) },
        },
      };
    }
  }
}
