/**
 * Scheduler calls other than SUBSCRIBE, already validated against the
 * schema, turned into kernel commands. Kernel rejections of asynchronous
 * calls (an offer that is gone, an acknowledgement of an unknown task) are
 * logged and answered 202, as Mesos does; malformed content is 400 with the
 * field named.
 */
import { randomUUID } from 'node:crypto';
import type { Command, OfferOperation, ResourceSet, StepResult } from '@allot/kernel';
import type { HttpFailure } from './httpErrors.js';
import { failure } from './httpErrors.js';
import type { MasterContext } from './masterContext.js';
import { capabilityNames, failoverTimeoutMs, frameworkRoles } from './frameworkInfo.js';
import { uuidFromBase64 } from './mesosJson.js';
import type { Converted } from './mesosResources.js';
import { toResourceSet } from './mesosResources.js';
import { toTaskSpec } from './taskInfo.js';
import type { LaunchData } from './taskInfo.js';

type Json = Record<string, any>;

export const ACCEPTED: HttpFailure = { status: 202, message: '' };

export async function dispatchCall(context: MasterContext, call: Json): Promise<HttpFailure> {
  const frameworkId: string = call.framework_id.value;
  const run = (build: (nowMs: number) => Command) =>
    context.host.run(build).then((result) => logged(context, call.type, frameworkId, result));
  switch (call.type) {
    case 'TEARDOWN':
      await run((nowMs) => ({ type: 'framework.teardown', nowMs, frameworkId }));
      return ACCEPTED;
    case 'ACCEPT':
      return accept(context, frameworkId, call.accept);
    case 'DECLINE':
      await run((nowMs) => ({
        type: 'offer.decline',
        nowMs,
        frameworkId,
        offerIds: call.decline.offer_ids.map((id: Json) => id.value),
        ...refuse(call.decline.filters),
      }));
      return ACCEPTED;
    case 'REVIVE': {
      const roles: string[] = call.revive?.roles ?? (call.revive?.role ? [call.revive.role] : []);
      await run((nowMs) => ({ type: 'framework.revive', nowMs, frameworkId, ...(roles.length > 0 ? { roles } : {}) }));
      return ACCEPTED;
    }
    case 'SUPPRESS': {
      const roles: string[] = call.suppress?.roles ?? [];
      await run((nowMs) => ({ type: 'framework.suppress', nowMs, frameworkId, ...(roles.length > 0 ? { roles } : {}) }));
      return ACCEPTED;
    }
    case 'KILL': {
      const graceNs = call.kill.kill_policy?.grace_period?.nanoseconds;
      await run((nowMs) => ({
        type: 'task.kill',
        nowMs,
        frameworkId,
        taskId: call.kill.task_id.value,
        ...(call.kill.agent_id ? { agentId: call.kill.agent_id.value } : {}),
        ...(typeof graceNs === 'number' ? { gracePeriodMs: Math.round(graceNs / 1e6) } : {}),
      }));
      return ACCEPTED;
    }
    case 'SHUTDOWN': {
      const agentId: string = call.shutdown.agent_id.value;
      const executorId: string = call.shutdown.executor_id.value;
      // The kernel kills the executor's tasks; the agent shuts the executor process itself down.
      await run((nowMs) => ({ type: 'executor.shutdown', nowMs, frameworkId, agentId, executorId }));
      if (context.executors.get(frameworkId, agentId, executorId))
        context.agents.send(agentId, {
          type: 'SHUTDOWN_EXECUTOR',
          shutdown_executor: { framework_id: frameworkId, executor_id: executorId },
        });
      return ACCEPTED;
    }
    case 'ACKNOWLEDGE': {
      const uuid = uuidFromBase64(call.acknowledge.uuid);
      if (uuid === null) return failure(400, 'acknowledge.uuid: must be base64-encoded bytes');
      await run((nowMs) => ({
        type: 'task.acknowledge',
        nowMs,
        frameworkId,
        agentId: call.acknowledge.agent_id.value,
        taskId: call.acknowledge.task_id.value,
        uuid,
      }));
      return ACCEPTED;
    }
    case 'RECONCILE': {
      const tasks = ((call.reconcile?.tasks as Json[] | undefined) ?? []).map((task) => ({
        taskId: task.task_id.value as string,
        ...(task.agent_id ? { agentId: task.agent_id.value as string } : {}),
      }));
      await run((nowMs) => ({ type: 'framework.reconcile', nowMs, frameworkId, tasks }));
      return ACCEPTED;
    }
    case 'MESSAGE': {
      const agentId: string = call.message.agent_id.value;
      const executorId: string = call.message.executor_id.value;
      // No delivery guarantee, as in Mesos: relayed to the agent's executor, dropped (and logged) when there is none.
      if (context.executors.get(frameworkId, agentId, executorId))
        context.agents.send(agentId, {
          type: 'FRAMEWORK_MESSAGE',
          framework_message: { framework_id: frameworkId, executor_id: executorId, data: call.message.data },
        });
      else context.logger.info({ frameworkId, agentId, executorId }, 'framework message dropped: no such executor');
      return ACCEPTED;
    }
    case 'ACCEPT_INVERSE_OFFERS':
      await run((nowMs) => ({
        type: 'inverseOffer.accept',
        nowMs,
        frameworkId,
        inverseOfferIds: call.accept_inverse_offers.inverse_offer_ids.map((id: Json) => id.value),
      }));
      return ACCEPTED;
    case 'DECLINE_INVERSE_OFFERS':
      await run((nowMs) => ({
        type: 'inverseOffer.decline',
        nowMs,
        frameworkId,
        inverseOfferIds: call.decline_inverse_offers.inverse_offer_ids.map((id: Json) => id.value),
        ...refuse(call.decline_inverse_offers.filters),
      }));
      return ACCEPTED;
    case 'REQUEST':
    case 'ACKNOWLEDGE_OPERATION_STATUS':
    case 'RECONCILE_OPERATIONS':
      // Reservations and volumes apply at once (no operation feedback); REQUEST is a no-op in Mesos too.
      return ACCEPTED;
    case 'UPDATE_FRAMEWORK':
      return updateFramework(context, frameworkId, call.update_framework.framework_info);
    default:
      return failure(400, `type: ${String(call.type)} is not handled here`);
  }
}

function refuse(filters: Json | undefined): { refuseSeconds?: number } {
  return typeof filters?.refuse_seconds === 'number' ? { refuseSeconds: filters.refuse_seconds } : {};
}

function logged(context: MasterContext, callType: string, frameworkId: string, result: StepResult): StepResult {
  if (!result.ok) context.logger.info({ frameworkId, call: callType, rejection: result.rejection }, 'call rejected by the kernel');
  return result;
}

async function accept(context: MasterContext, frameworkId: string, body: Json): Promise<HttpFailure> {
  const offerIds: string[] = body.offer_ids.map((id: Json) => id.value);
  const operations: OfferOperation[] = [];
  const layout = context.host.master.layout;
  for (const [index, operation] of ((body.operations as Json[] | undefined) ?? []).entries()) {
    const converted = toOperation(operation, layout, `accept.operations[${index}]`);
    if (!converted.ok) {
      // The offers are used up either way (as in Mesos), so they go back with no filter.
      await context.host.run((nowMs) => ({ type: 'offer.decline', nowMs, frameworkId, offerIds, refuseSeconds: 0 }));
      return failure(400, `${converted.field}: ${converted.message}`);
    }
    operations.push(converted.value);
  }
  const result = await context.host.run((nowMs) => ({
    type: 'offer.accept',
    nowMs,
    frameworkId,
    offerIds,
    operations,
    ...refuse(body.filters),
  }));
  logged(context, 'ACCEPT', frameworkId, result);
  return ACCEPTED;
}

function toOperation(operation: Json, layout: Parameters<typeof toResourceSet>[1], at: string): Converted<OfferOperation> {
  switch (operation.type) {
    case 'LAUNCH':
    case 'LAUNCH_GROUP': {
      const group = operation.type === 'LAUNCH_GROUP';
      const infos: Json[] = group ? operation.launch_group.task_group.tasks : operation.launch.task_infos;
      const path = group ? `${at}.launch_group.task_group.tasks` : `${at}.launch.task_infos`;
      if (group && operation.launch_group.executor === undefined)
        return { ok: false, field: `${at}.launch_group.executor`, message: 'is required (the executor that runs the group)' };
      const groupInfo = group ? { id: randomUUID(), size: infos.length } : null;
      const tasks = [];
      for (const [index, info] of infos.entries()) {
        // A group's tasks all run in the group's executor, as Mesos's default executor runs them.
        const spec = toTaskSpec(group ? { ...info, executor: operation.launch_group.executor } : info, layout, `${path}[${index}]`);
        if (!spec.ok)
          return group && spec.field.endsWith('.executor.command.value')
            ? { ...spec, field: `${at}.launch_group.executor.command.value` }
            : spec;
        if (groupInfo) (spec.value.data as LaunchData).group = groupInfo;
        tasks.push(spec.value);
      }
      return { ok: true, value: { type: operation.type, tasks } };
    }
    case 'RESERVE':
    case 'UNRESERVE': {
      const key = operation.type === 'RESERVE' ? 'reserve' : 'unreserve';
      const resources = toResourceSet(operation[key].resources, layout, `${at}.${key}.resources`);
      return resources.ok ? { ok: true, value: { type: operation.type, resources: resources.value } } : resources;
    }
    case 'CREATE':
    case 'DESTROY': {
      const key = operation.type === 'CREATE' ? 'create' : 'destroy';
      const volumes: Converted<ResourceSet> = toResourceSet(operation[key].volumes, layout, `${at}.${key}.volumes`);
      return volumes.ok ? { ok: true, value: { type: operation.type, volumes: volumes.value } } : volumes;
    }
    default:
      return { ok: false, field: `${at}.type`, message: `${String(operation.type)} is not supported` };
  }
}

/** Name, failover timeout and labels may change; roles and capabilities cannot yet (the kernel fixes them at subscription). */
async function updateFramework(context: MasterContext, frameworkId: string, info: Json): Promise<HttpFailure> {
  const record = context.host.registry.frameworks.get(frameworkId);
  if (!record) return failure(403, `framework ${frameworkId} is not subscribed`);
  if (info.id && info.id.value !== frameworkId) return failure(400, 'update_framework.framework_info.id: does not match framework_id');
  const roles = frameworkRoles(info, 'update_framework.framework_info');
  if (!roles.ok) return failure(400, `${roles.field}: ${roles.message}`);
  if ([...roles.value].sort().join('\n') !== [...record.roles].sort().join('\n'))
    return failure(
      400,
      'update_framework.framework_info.roles: changing roles is not supported yet; tear the framework down and subscribe again',
    );
  const before = capabilityNames(record.info).sort().join(',');
  if (capabilityNames(info).sort().join(',') !== before)
    return failure(400, 'update_framework.framework_info.capabilities: changing capabilities is not supported yet');
  record.info = { ...info, id: { value: frameworkId } };
  record.failoverTimeoutMs = failoverTimeoutMs(info);
  await context.host.persistSoon();
  return { status: 200, message: '' };
}
