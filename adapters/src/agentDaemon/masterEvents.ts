/**
 * What the agent does with each event on its master subscription: LAUNCH
 * (a command task, a DEFAULT executor's group task, or a task for a custom
 * executor), KILL, ACKNOWLEDGE, RESOURCES, SHUTDOWN, the executor messages
 * (SHUTDOWN_EXECUTOR, SHUTDOWN_FRAMEWORK, FRAMEWORK_MESSAGE); and the status
 * update call it sends back. A DEFAULT executor's group fails as a whole, as
 * Mesos's default executor does: one task failing kills its siblings.
 */
import type { StatusUpdate } from '@allot/kernel';
import type { AgentRuntime } from '../agent/agentRuntime.js';
import type { AgentLogger } from '../agent/logger.js';
import { volumesIn } from '../agent/persistentVolumes.js';
import type { AgentCheckpoint } from './agentCheckpoint.js';
import type { AgentView } from './agentView.js';
import { taskAmounts } from './resourcesJson.js';
import { checkStatusToJson } from '../master/checkStatusJson.js';

type Json = Record<string, any>;

export interface MasterEventDeps {
  agentId: string;
  runtime: () => AgentRuntime;
  checkpoint: AgentCheckpoint;
  view: AgentView;
  logger: AgentLogger;
  /** The agent's work dir: persistent volumes live under it. */
  workDir: string;
  /** Makes and removes volume directories to match the agent's checkpointed resources. */
  keepVolumes: (resources: Json[]) => void;
  forgetEnded: () => void;
  shutdown: (reason: string) => void;
}

/** The UPDATE call for one status update, with the task's executor and container when the runtime knows them. */
export function updateCall(agentId: string, runtime: AgentRuntime | null, update: StatusUpdate): Json {
  const known = runtime?.task(update.frameworkId, update.taskId) ?? null;
  return {
    type: 'UPDATE',
    agent_id: agentId,
    update: {
      task_id: update.taskId,
      framework_id: update.frameworkId,
      ...(known ? { executor_id: known.executorId, container_id: known.containerId } : {}),
      state: update.state,
      uuid: update.uuid,
      ...(update.reason ? { reason: update.reason } : {}),
      ...(update.message ? { message: update.message } : {}),
      ...(update.healthy !== undefined ? { healthy: update.healthy } : {}),
      ...(update.checkStatus ? { check_status: checkStatusToJson(update.checkStatus) } : {}),
      timestamp: update.timestampMs / 1000,
    },
  };
}

/** Mesos's default executor: a failed task of a group kills the other tasks of its executor. */
export function failGroupSiblings(runtime: AgentRuntime, update: StatusUpdate): void {
  if (update.state !== 'TASK_FAILED') return;
  const task = runtime.task(update.frameworkId, update.taskId);
  if (!task || task.executorId === task.taskId || runtime.executors.has(task.frameworkId, task.executorId)) return;
  for (const sibling of runtime.tasks())
    if (sibling.frameworkId === task.frameworkId && sibling.executorId === task.executorId && sibling.taskId !== task.taskId)
      runtime.kill(sibling.frameworkId, sibling.taskId, 0);
}

export function masterEventHandler(deps: MasterEventDeps): (event: Json) => Promise<void> {
  const { agentId, checkpoint, view, logger } = deps;
  const launch = async (task: Json): Promise<void> => {
    const runtime = deps.runtime();
    view.learnFramework(task.framework_id, task.framework_info);
    checkpoint.saveTask({
      frameworkId: task.framework_id,
      taskId: task.task_id,
      name: task.name,
      role: task.role,
      executorId: task.executor_id,
      resources: task.resources,
    });
    const spec = {
      taskId: task.task_id,
      frameworkId: task.framework_id,
      command: task.command,
      resources: taskAmounts(task.resources),
      env: task.env ?? {},
      ...(task.user !== undefined ? { user: task.user } : {}),
      ...(task.health_check ? { healthCheck: task.health_check } : {}),
      ...(task.check ? { check: task.check } : {}),
      ...(Array.isArray(task.uris) ? { uris: task.uris } : {}),
      volumes: volumesIn(task.resources ?? [], deps.workDir),
      frameworkCapabilities: task.framework_capabilities ?? [],
      ...(typeof task.executor_id === 'string' ? { executorId: task.executor_id } : {}),
    };
    const custom = typeof task.executor?.command === 'string';
    const result = custom
      ? await runtime.launchWithExecutor({
          ...spec,
          executorId: task.executor.executor_id,
          executor: { command: task.executor.command, env: task.executor.env ?? {}, info: task.executor.info ?? {} },
          taskInfo: task.task_info ?? {},
          frameworkInfo: task.framework_info ?? {},
          ...(task.group ? { group: task.group } : {}),
        })
      : await runtime.launch(spec);
    if (!result.ok && result.code === 'duplicate_task')
      logger.warn(
        { taskId: task.task_id, frameworkId: task.framework_id, message: result.message },
        'launch of a task this agent already runs',
      );
  };

  return async (event: Json): Promise<void> => {
    const runtime = deps.runtime();
    switch (event.type) {
      case 'SUBSCRIBED':
        if (Array.isArray(event.subscribed?.resources)) checkpoint.saveResources(event.subscribed.resources);
        logger.info({ agentId, masterId: event.subscribed?.master_id }, 'registered with the master');
        runtime.resendPending();
        return;
      case 'LAUNCH':
        return launch(event.launch);
      case 'KILL': {
        const result = runtime.kill(event.kill.framework_id, event.kill.task_id, event.kill.grace_period_ms);
        if (!result.ok)
          logger.warn({ taskId: event.kill.task_id, frameworkId: event.kill.framework_id }, 'kill of a task this agent does not run');
        return;
      }
      case 'ACKNOWLEDGE': {
        const { framework_id: frameworkId, task_id: taskId, uuid } = event.acknowledge;
        const remember = view.beforeForget(frameworkId, taskId);
        runtime.acknowledge(frameworkId, taskId, uuid);
        remember();
        deps.forgetEnded();
        return;
      }
      case 'RESOURCES':
        checkpoint.saveResources(event.resources.resources);
        deps.keepVolumes(event.resources.resources);
        return;
      case 'SHUTDOWN_EXECUTOR':
        runtime.executors.shutdown(event.shutdown_executor.framework_id, event.shutdown_executor.executor_id);
        return;
      case 'SHUTDOWN_FRAMEWORK':
        runtime.executors.shutdownFramework(event.shutdown_framework.framework_id);
        return;
      case 'FRAMEWORK_MESSAGE': {
        const message = event.framework_message;
        if (!runtime.executors.frameworkMessage(message.framework_id, message.executor_id, message.data))
          logger.info(
            { frameworkId: message.framework_id, executorId: message.executor_id },
            'framework message for an executor this agent does not run',
          );
        return;
      }
      case 'SHUTDOWN':
        logger.warn({ agentId, reason: event.shutdown?.reason }, 'the master shut this agent down');
        deps.shutdown(event.shutdown?.reason ?? '');
        return;
      case 'HEARTBEAT':
        return;
      case 'ERROR':
        logger.warn({ message: event.error?.message }, 'error from the master');
        return;
      default:
        logger.debug({ type: event.type }, 'unknown event from the master ignored');
    }
  };
}
