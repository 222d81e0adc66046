/**
 * Kernel events as one line of plain English each, for the event log. Events
 * the playground does not know yet (the kernel grows) still get a line built
 * from their fields, so nothing new is ever silently hidden.
 */
import type { KernelEvent, ResourceLayout } from '@allot/kernel';
import type { EventRecord } from './frame.js';

type Loose = Record<string, unknown>;

export function eventGroup(type: string): EventRecord['group'] {
  const prefix = type.split('.')[0];
  switch (prefix) {
    case 'offer':
    case 'task':
    case 'agent':
    case 'framework':
    case 'role':
      return prefix;
    case 'allocation':
      return 'allocation';
    default:
      return 'framework';
  }
}

export function describeScalars(scalars: ArrayLike<number>, layout: ResourceLayout): string {
  const parts: string[] = [];
  for (let i = 0; i < scalars.length; i++) if (scalars[i] > 0) parts.push(`${layout.names[i]} ${formatAmount(scalars[i])}`);
  return parts.length ? parts.join(', ') : 'nothing';
}

export function formatAmount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/0+$/, '');
}

export function eventRecord(event: KernelEvent, seq: number, layout: ResourceLayout): EventRecord {
  const loose = event as unknown as Loose;
  const base = { seq, atMs: event.atMs, type: event.type, group: eventGroup(event.type) };
  switch (event.type) {
    case 'offer.made': {
      const { offer } = event;
      return {
        ...base,
        frameworkId: offer.frameworkId,
        agentId: offer.agentId,
        text: `${offer.id}: ${offer.agentId} offered to ${offer.frameworkId} (role ${offer.role}): ${describeScalars(offer.resources.scalars, layout)}`,
      };
    }
    case 'offer.declined':
      return {
        ...base,
        frameworkId: event.frameworkId,
        agentId: event.agentId,
        text: `${event.offerId}: ${event.frameworkId} declined ${event.agentId}${event.filterMs > 0 ? `, filtered for ${event.filterMs / 1000} s` : ''}`,
      };
    case 'offer.accepted':
      return {
        ...base,
        frameworkId: event.frameworkId,
        agentId: event.agentId,
        text: `${event.offerIds.join(', ')}: ${event.frameworkId} accepted ${event.agentId} and launched ${event.tasks} task${event.tasks === 1 ? '' : 's'}`,
      };
    case 'offer.rescinded':
      return {
        ...base,
        frameworkId: event.frameworkId,
        agentId: event.agentId,
        text: `${event.offerId}: rescinded from ${event.frameworkId} (${event.reason.replace(/_/g, ' ')})`,
      };
    case 'task.launched':
      return {
        ...base,
        frameworkId: event.frameworkId,
        agentId: event.agentId,
        taskId: event.taskId,
        text: `${event.taskId} launched on ${event.agentId}`,
      };
    case 'task.updated': {
      const { status } = event;
      const reason = status.reason
        ? ` (${status.reason
            .replace(/^REASON_/, '')
            .toLowerCase()
            .replace(/_/g, ' ')})`
        : '';
      return {
        ...base,
        frameworkId: status.frameworkId,
        agentId: status.agentId,
        taskId: status.taskId,
        text: `${status.taskId}: ${shortState(event.previous)} → ${shortState(status.state)}${reason}`,
      };
    }
    case 'allocation.completed':
      return {
        ...base,
        text: `allocation cycle ${event.cycle} (${event.trigger}): ${event.offers} offer${event.offers === 1 ? '' : 's'}, ${event.agentsConsidered} agents considered, ${event.agentsSkipped} skipped`,
      };
    case 'agent.added':
      return { ...base, agentId: event.agentId, text: `${event.agentId} registered` };
    case 'agent.removed':
      return { ...base, agentId: event.agentId, text: `${event.agentId} removed` };
    case 'task.acknowledged':
      return {
        ...base,
        frameworkId: event.frameworkId,
        taskId: event.taskId,
        text: `${event.taskId}: ${event.frameworkId} acknowledged the status update`,
      };
    case 'role.updated':
      return { ...base, text: `role ${event.role}: weight ${event.weight}${event.quota ? `, quota ${JSON.stringify(event.quota)}` : ''}` };
    default: {
      const frameworkId = typeof loose.frameworkId === 'string' ? loose.frameworkId : undefined;
      const agentId = typeof loose.agentId === 'string' ? loose.agentId : undefined;
      const rest = Object.entries(loose)
        .filter(([key]) => key !== 'type' && key !== 'atMs')
        .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
        .join(', ');
      return {
        ...base,
        ...(frameworkId ? { frameworkId } : {}),
        ...(agentId ? { agentId } : {}),
        text: `${event.type.replace('.', ' ')}: ${rest}`,
      };
    }
  }
}

export function shortState(state: string | null): string {
  return state === null ? 'new' : state.replace(/^TASK_/, '');
}
