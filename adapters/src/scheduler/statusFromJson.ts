/**
 * A Mesos `TaskStatus` (JSON) as the kernel's TaskStatus for framework
 * models. The uuid stays exactly as the master sent it (base64): models treat
 * it as an opaque token and hand it back in their acknowledgement.
 */
import type { TaskReason, TaskState, TaskStatus } from '@allot/kernel';
import { checkStatusFromJson } from '../master/checkStatusJson.js';

type Json = Record<string, any>;

export function statusFromJson(json: Json, frameworkId: string, nowMs: number): TaskStatus {
  return {
    taskId: json.task_id.value,
    frameworkId,
    agentId: json.agent_id?.value ?? '',
    state: json.state as TaskState,
    ...(json.reason ? { reason: json.reason as TaskReason } : {}),
    ...(json.message ? { message: String(json.message) } : {}),
    ...(typeof json.uuid === 'string' && json.uuid !== '' ? { uuid: json.uuid } : {}),
    ...(typeof json.healthy === 'boolean' ? { healthy: json.healthy } : {}),
    ...(json.check_status ? { checkStatus: checkStatusFromJson(json.check_status) } : {}),
    timestampMs: typeof json.timestamp === 'number' ? Math.round(json.timestamp * 1000) : nowMs,
  };
}
