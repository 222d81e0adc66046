/**
 * Kernel objects in the Mesos v1 JSON shapes that framework libraries read:
 * offers (with the agent's URL), task statuses (uuid as base64 bytes,
 * timestamp in seconds), and the uuid conversions for acknowledgements.
 */
import type { Offer, ResourceLayout, TaskStatus } from '@allot/kernel';
import { attributesJson, fromResourceSet } from './mesosResources.js';
import { checkStatusToJson } from './checkStatusJson.js';

export interface AgentEndpoint {
  hostname: string;
  ip: string;
  port: number;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid as Mesos sends it: 16 raw bytes for a canonical uuid, else the text's bytes, base64. */
export function uuidToBase64(uuid: string): string {
  if (UUID_TEXT.test(uuid)) return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64');
  return Buffer.from(uuid, 'utf8').toString('base64');
}

/** The inverse of uuidToBase64, or null when `text` is not base64. */
export function uuidFromBase64(text: string): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 16) {
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  const decoded = bytes.toString('utf8');
  return decoded.length > 0 ? decoded : null;
}

export function offerJson(offer: Offer, layout: ResourceLayout, endpoint: AgentEndpoint | undefined): Record<string, unknown> {
  return {
    id: { value: offer.id },
    framework_id: { value: offer.frameworkId },
    agent_id: { value: offer.agentId },
    hostname: offer.hostname,
    url: {
      scheme: 'http',
      address: { hostname: endpoint?.hostname ?? offer.hostname, ip: endpoint?.ip ?? '127.0.0.1', port: endpoint?.port ?? 5051 },
      path: '/slave(1)',
    },
    allocation_info: { role: offer.role },
    resources: fromResourceSet(offer.resources, layout, offer.role),
    attributes: attributesJson(offer.attributes),
  };
}

/** `details`: the task's executor and the container an agent reported it in (`container_status` as Mesos fills it). */
export function statusJson(
  status: TaskStatus,
  timestampSeconds: number,
  details: { executorId?: string; containerId?: string } = {},
): Record<string, unknown> {
  return {
    task_id: { value: status.taskId },
    state: status.state,
    source: status.uuid ? 'SOURCE_EXECUTOR' : 'SOURCE_MASTER',
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.message ? { message: status.message } : {}),
    ...(status.agentId ? { agent_id: { value: status.agentId } } : {}),
    ...(details.executorId ? { executor_id: { value: details.executorId } } : {}),
    ...(details.containerId ? { container_status: { container_id: { value: details.containerId } } } : {}),
    ...(status.uuid ? { uuid: uuidToBase64(status.uuid) } : {}),
    ...(status.healthy !== undefined ? { healthy: status.healthy } : {}),
    ...(status.checkStatus ? { check_status: checkStatusToJson(status.checkStatus) } : {}),
    timestamp: timestampSeconds,
  };
}
