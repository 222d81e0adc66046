/**
 * Scheduler calls other than SUBSCRIBE, already validated against the
 * schema, turned into kernel commands. Kernel rejections of asynchronous
 * calls (an offer that is gone, an acknowledgement of an unknown task) are
 * logged and answered 202, as Mesos does; malformed content is 400 with the
 * field named.
 */
import { randomUUID } from 'node:crypto';
import type { AcceptOperation, Command, OfferOperation, ResourceSet, StepResult } from '@allot/kernel';
import type { HttpFailure } from './httpErrors.js';
import { failure, hostRefusal } from './httpErrors.js';
import type { Decision, MasterContext } from './masterContext.js';
import type { RunOptions } from './masterHost.js';
import { capabilityNames, failoverTimeoutMs, frameworkRoles, storedFrameworkInfo } from './frameworkInfo.js';
import { uuidFromBase64 } from './mesosJson.js';
import { frameworkKey } from './stateKeys.js';
import type { Converted } from './mesosResources.js';
import { toResourceSet } from './mesosResources.js';
import { toTaskSpec } from './taskInfo.js';
import type { LaunchData } from './taskInfo.js';

type Json = Record<string, any>;

export const ACCEPTED: HttpFailure = { status: 202, message: '' };

/** `refusals`: the authorizer's answer for each operation of an ACCEPT (none: all allowed). */
export async function dispatchCall(
  context: MasterContext,
  call: Json,
  budget: RunOptions = {},
  refusals: readonly Decision[] = [],
): Promise<HttpFailure> {
  const frameworkId: string = call.framework_id.value;
  // Kernel rejections are logged and answered 202 (as Mesos); the host's own refusals are 503.
  const run = (build: (nowMs: number) => Command): Promise<HttpFailure> =>
    context.host.run(build, budget).then((result) => hostRefusal(logged(context, call.type, frameworkId, result)) ?? ACCEPTED);
  switch (call.type) {
    case 'TEARDOWN':
      return run((nowMs) => ({ type: 'framework.teardown', nowMs, frameworkId }));
    case 'ACCEPT':
      return accept(context, frameworkId, call.accept, budget, refusals);
    case 'DECLINE':
      return run((nowMs) => ({
        type: 'offer.decline',
        nowMs,
        frameworkId,
        offerIds: call.decline.offer_ids.map((id: Json) => id.value),
        ...refuse(call.decline.filters),
      }));
    case 'REVIVE': {
      const roles: string[] = call.revive?.roles ?? (call.revive?.role ? [call.revive.role] : []);
      return run((nowMs) => ({ type: 'framework.revive', nowMs, frameworkId, ...(roles.length > 0 ? { roles } : {}) }));
    }
    case 'SUPPRESS': {
      const roles: string[] = call.suppress?.roles ?? [];
      return run((nowMs) => ({ type: 'framework.suppress', nowMs, frameworkId, ...(roles.length > 0 ? { roles } : {}) }));
    }
    case 'KILL': {
      const graceNs = call.kill.kill_policy?.grace_period?.nanoseconds;
      return run((nowMs) => ({
        type: 'task.kill',
        nowMs,
        frameworkId,
        taskId: call.kill.task_id.value,
        ...(call.kill.agent_id ? { agentId: call.kill.agent_id.value } : {}),
        ...(typeof graceNs === 'number' ? { gracePeriodMs: Math.round(graceNs / 1e6) } : {}),
      }));
    }
    case 'SHUTDOWN': {
      const agentId: string = call.shutdown.agent_id.value;
      const executorId: string = call.shutdown.executor_id.value;
      // The kernel kills the executor's tasks; the agent shuts the executor process itself down (once that is stored).
      const outcome = await run((nowMs) => ({ type: 'executor.shutdown', nowMs, frameworkId, agentId, executorId }));
      if (outcome.status >= 400) return outcome;
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
      return run((nowMs) => ({
        type: 'task.acknowledge',
        nowMs,
        frameworkId,
        agentId: call.acknowledge.agent_id.value,
        taskId: call.acknowledge.task_id.value,
        uuid,
      }));
    }
    case 'RECONCILE': {
      const tasks = ((call.reconcile?.tasks as Json[] | undefined) ?? []).map((task) => ({
        taskId: task.task_id.value as string,
        ...(task.agent_id ? { agentId: task.agent_id.value as string } : {}),
      }));
      return run((nowMs) => ({ type: 'framework.reconcile', nowMs, frameworkId, tasks }));
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
      return run((nowMs) => ({
        type: 'inverseOffer.accept',
        nowMs,
        frameworkId,
        inverseOfferIds: call.accept_inverse_offers.inverse_offer_ids.map((id: Json) => id.value),
      }));
    case 'DECLINE_INVERSE_OFFERS':
      return run((nowMs) => ({
        type: 'inverseOffer.decline',
        nowMs,
        frameworkId,
        inverseOfferIds: call.decline_inverse_offers.inverse_offer_ids.map((id: Json) => id.value),
        ...refuse(call.decline_inverse_offers.filters),
      }));
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

async function accept(
  context: MasterContext,
  frameworkId: string,
  body: Json,
  budget: RunOptions,
  refusals: readonly Decision[],
): Promise<HttpFailure> {
  const offerIds: string[] = body.offer_ids.map((id: Json) => id.value);
  const operations: AcceptOperation[] = [];
  const { layout, offers } = context.host.master;
  const offerRoles = new Set(offerIds.flatMap((id) => offers.get(id)?.role ?? []));
  for (const [index, operation] of ((body.operations as Json[] | undefined) ?? []).entries()) {
    const at = `accept.operations[${index}]`;
    const mismatch = allocationRoleProblem(operation, offerRoles, at);
    const converted = mismatch ?? toOperation(operation, layout, at);
    if (!converted.ok) {
      // The offers are used up either way (as in Mesos), so they go back with no filter.
      await context.host.run((nowMs) => ({ type: 'offer.decline', nowMs, frameworkId, offerIds, refuseSeconds: 0 }));
      return failure(400, `${converted.field}: ${converted.message}`);
    }
    const refusal = refusals[index];
    if (refusal && !refusal.ok) {
      const refused = converted.value;
      const tasks = refused.type === 'LAUNCH' || refused.type === 'LAUNCH_GROUP' ? refused.tasks : [];
      context.logger.warn({ frameworkId, operation: refused.type, reason: refusal.reason }, 'unauthorized offer operation dropped');
      operations.push({ type: 'UNAUTHORIZED', operation: refused.type, tasks, message: refusal.reason });
    } else operations.push(converted.value);
  }
  const result = await context.host.run(
    (nowMs) => ({ type: 'offer.accept', nowMs, frameworkId, offerIds, operations, ...refuse(body.filters) }),
    budget,
  );
  return hostRefusal(logged(context, 'ACCEPT', frameworkId, result)) ?? ACCEPTED;
}

/** A task launches in its offers' role (Mesos refuses resources whose allocation_info names another). */
function allocationRoleProblem(operation: Json, offerRoles: ReadonlySet<string>, at: string): Converted<OfferOperation> | null {
  if (offerRoles.size === 0) return null;
  const tasks: Json[] =
    operation.type === 'LAUNCH'
      ? operation.launch.task_infos
      : operation.type === 'LAUNCH_GROUP'
        ? operation.launch_group.task_group.tasks
        : [];
  const path = operation.type === 'LAUNCH' ? `${at}.launch.task_infos` : `${at}.launch_group.task_group.tasks`;
  for (const [taskIndex, task] of tasks.entries()) {
    for (const [index, resource] of ((task.resources as unknown[]) ?? []).entries()) {
      const role = (resource as Json | null)?.allocation_info?.role;
      if (typeof role === 'string' && !offerRoles.has(role))
        return {
          ok: false,
          field: `${path}[${taskIndex}].resources[${index}].allocation_info.role`,
          message: `"${role.slice(0, 64)}" is not the role of the offers (${[...offerRoles].join(', ')})`,
        };
    }
  }
  return null;
}

function toOperation(operation: Json, layout: Parameters<typeof toResourceSet>[1], at: string): Converted<OfferOperation> {
  // An id asks for operation feedback (UPDATE_OPERATION_STATUS), which nothing here sends: say so rather than leave the client waiting.
  if (operation.id !== undefined)
    return {
      ok: false,
      field: `${at}.id`,
      message: 'operation feedback is not supported: send the operation without an id (reservations and volumes apply at once)',
    };
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
  if ((info.principal ?? null) !== (record.info.principal ?? null))
    return failure(400, 'update_framework.framework_info.principal: changing the principal is not supported');
  const stored = storedFrameworkInfo(info, frameworkId, record.roles, 'update_framework.framework_info');
  if (!stored.ok) return failure(400, `${stored.field}: ${stored.message}`);
  record.info = stored.value;
  record.failoverTimeoutMs = failoverTimeoutMs(info);
  if (!(await context.host.persistSoon([frameworkKey(frameworkId)])))
    return failure(503, context.host.unavailable() ?? 'the state could not be stored');
  return { status: 200, message: '' };
}
