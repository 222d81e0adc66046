/**
 * `POST /api/v1/scheduler`, the Mesos v1 scheduler HTTP API
 * (docs/mesos-compatibility.md): SUBSCRIBE answers 200 with `Mesos-Stream-Id` and a RecordIO stream of
 * events; every other call answers 202 and must come from a subscribed
 * framework carrying its stream id. Checks run in Mesos's order: method,
 * recovery, content type, accept, body, subscription, stream id.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeSchemaError, validateSchedulerCall } from './callSchemas.js';
import { EventStream } from './eventStream.js';
import { failoverTimeoutMs, frameworkRoles, frameworkSpec, storedFrameworkInfo } from './frameworkInfo.js';
import { frameworkLimitProblem } from './frameworkLimits.js';
import type { HttpFailure } from './httpErrors.js';
import { failure, hostRefusal, negotiate, sendFailure, streamContentType } from './httpErrors.js';
import { normalizeBody } from './jsonBody.js';
import type { MasterContext } from './masterContext.js';
import { masterInfoJson, requestDeadline } from './masterContext.js';
import { NOT_DURABLE } from './masterHost.js';
import type { FrameworkRecord } from './hostRegistry.js';
import { SCHEDULER_PATHS } from './mesosPaths.js';
import { dispatchCall } from './schedulerCalls.js';
import { idValueProblem } from './taskInfo.js';

type Json = Record<string, any>;

export const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

export function registerSchedulerApi(app: FastifyInstance, context: MasterContext): void {
  for (const url of SCHEDULER_PATHS)
    app.route({ method: [...ALL_METHODS], url, handler: (request, reply) => handle(context, request, reply) });
}

/** Shared by the scheduler and agent endpoints: negotiation, recovery, null stripping, schema. */
export function readCall(
  context: MasterContext,
  request: FastifyRequest,
  validate: typeof validateSchedulerCall,
): { ok: true; call: Json } | { ok: false; problem: HttpFailure } {
  const negotiated = negotiate(request);
  if (negotiated) return { ok: false, problem: negotiated };
  // Every call here goes through the master's queue: none is taken while writes are not served.
  const unavailable = context.host.unavailable();
  if (unavailable !== null) return { ok: false, problem: failure(503, unavailable) };
  const normalized = normalizeBody(request.body);
  if (!normalized.ok) return { ok: false, problem: failure(400, normalized.message) };
  if (!validate(normalized.value)) return { ok: false, problem: failure(400, describeSchemaError(validate.errors)) };
  return { ok: true, call: normalized.value as Json };
}

async function handle(context: MasterContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  if (request.method === 'POST' || request.method === 'GET') reply.header('Allow', 'POST');
  const read = readCall(context, request, validateSchedulerCall);
  if (!read.ok) return sendFailure(reply.header('Allow', 'POST'), read.problem);
  const call = read.call;
  if (call.type === 'SUBSCRIBE') return subscribe(context, call, request, reply);
  const denied = context.authorizer?.schedulerCall(request, call);
  if (denied && !denied.ok) return sendFailure(reply, failure(denied.status, denied.reason));
  const frameworkId: string = call.framework_id.value;
  const stream = context.frameworks.current(frameworkId);
  if (!stream || !context.host.master.frameworks.has(frameworkId))
    return sendFailure(reply, failure(403, `Framework ${frameworkId.slice(0, 200)} is not subscribed`));
  const streamId = request.headers['mesos-stream-id'];
  if (streamId === undefined)
    return sendFailure(reply, failure(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header"));
  if (streamId !== stream.id)
    return sendFailure(
      reply,
      failure(
        400,
        `The stream ID '${String(streamId).slice(0, 100)}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`,
      ),
    );
  // Judged now, against the offers as they are: each refused operation is kept in its place, as Mesos does.
  const refusals = call.type === 'ACCEPT' ? (context.authorizer?.acceptOperations(request, call) ?? []) : [];
  const outcome = await dispatchCall(context, call, requestDeadline(context), refusals);
  if (outcome.status >= 400) return sendFailure(reply, outcome);
  return reply.code(outcome.status).send();
}

async function subscribe(context: MasterContext, call: Json, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const { host } = context;
  if (request.headers['mesos-stream-id'] !== undefined)
    return sendFailure(reply, failure(400, "Expecting 'Mesos-Stream-Id' header to be absent for SUBSCRIBE"));
  const info: Json = call.subscribe.framework_info;
  const claimed: string | undefined = info.id?.value ?? call.framework_id?.value;
  if (info.id && call.framework_id && info.id.value !== call.framework_id.value)
    return sendFailure(reply, failure(400, "subscribe.framework_info.id: does not match the call's framework_id"));
  if (claimed !== undefined) {
    const bad = idValueProblem(claimed, 'subscribe.framework_info.id.value');
    if (bad) return sendFailure(reply, failure(400, `${bad.field}: ${bad.message}`));
  }
  const roles = frameworkRoles(info, 'subscribe.framework_info');
  if (!roles.ok) return sendFailure(reply, failure(400, `${roles.field}: ${roles.message}`));
  // Authorized on the roles the framework really gets (after null stripping and the role/roles rule), never the raw body.
  const declaredPrincipal = typeof info.principal === 'string' ? info.principal : null;
  const denied = context.authorizer?.subscribe(request, { frameworkId: claimed, roles: roles.value, declaredPrincipal });
  if (denied && !denied.ok) return sendFailure(reply, failure(denied.status, denied.reason));
  const existing = claimed !== undefined ? host.master.frameworks.get(claimed) : undefined;
  if (existing && [...existing.roles].sort().join('\n') !== [...roles.value].sort().join('\n')) {
    return sendFailure(
      reply,
      failure(
        400,
        `subscribe.framework_info.roles: framework ${claimed} is subscribed with roles ${existing.roles.join(', ')}; changing roles is not supported yet`,
      ),
    );
  }
  const limited = existing ? null : frameworkLimitProblem(context, declaredPrincipal);
  if (limited) return sendFailure(reply, limited);
  const frameworkId = claimed ?? `${host.registry.masterId}-${String(host.registry.nextFrameworkSeq).padStart(4, '0')}`;
  const stored = storedFrameworkInfo(info, frameworkId, roles.value, 'subscribe.framework_info');
  if (!stored.ok) return sendFailure(reply, failure(400, `${stored.field}: ${stored.message}`));
  if (claimed === undefined) host.registry.nextFrameworkSeq++;
  const previous = host.registry.frameworks.get(frameworkId);
  const record: FrameworkRecord = {
    id: frameworkId,
    info: stored.value,
    roles: roles.value,
    failoverTimeoutMs: failoverTimeoutMs(info),
    registeredAtMs: previous?.registeredAtMs ?? host.nowMs(),
  };
  // The record goes in first so that the subscription's own state write includes it.
  host.registry.frameworks.set(frameworkId, record);
  const result = await host.run(
    (nowMs) => ({ type: 'framework.subscribe', nowMs, framework: frameworkSpec(frameworkId, info, roles.value) }),
    requestDeadline(context),
  );
  if (result.rejection?.code === NOT_DURABLE) {
    // The kernel took the subscription but it is not acknowledged: once stored, it is a framework without a stream.
    void host
      .run((nowMs) => ({ type: 'framework.disconnect', nowMs, frameworkId }))
      .then(() => context.frameworks.startFailover(frameworkId));
    return sendFailure(reply, failure(503, result.rejection.message));
  }
  if (!result.ok) {
    if (previous) host.registry.frameworks.set(frameworkId, previous);
    else host.registry.frameworks.delete(frameworkId);
    return sendFailure(reply, hostRefusal(result) ?? failure(400, result.rejection!.message));
  }
  const heartbeatSeconds = context.settings.heartbeatMs / 1000;
  const stream = new EventStream({
    heartbeatMs: context.settings.heartbeatMs,
    heartbeat: () => ({ type: 'HEARTBEAT' }),
    contentType: streamContentType(request),
  });
  context.frameworks.attach(frameworkId, stream);
  context.logger.info(
    { frameworkId, roles: roles.value, resubscribed: existing !== undefined, streamId: stream.id },
    'framework subscribed',
  );
  reply.hijack();
  stream.open(
    reply.raw,
    {
      type: 'SUBSCRIBED',
      subscribed: {
        framework_id: { value: frameworkId },
        heartbeat_interval_seconds: heartbeatSeconds,
        master_info: masterInfoJson(context),
      },
    },
    { 'Mesos-Stream-Id': stream.id },
  );
}
