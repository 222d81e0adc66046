/**
 * `POST /api/v1`, the Mesos v1 operator API: queries (GET_HEALTH ... GET_ROLES)
 * answer 200 with `{type, get_x: {...}}`; changes (reservations, volumes,
 * weights, quota, drain, mark gone) go through the kernel and answer 200/202,
 * 400 for bad input (field named) and 409 when the kernel refuses for lack of
 * resources or a conflict; SUBSCRIBE streams state changes as RecordIO.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Command, ResourceSet, StepResult } from '@allot/kernel';
import { describeSchemaError } from './callSchemas.js';
import { EventStream } from './eventStream.js';
import type { HttpFailure } from './httpErrors.js';
import { failure, hostRefusal, negotiate, sendFailure, streamContentType } from './httpErrors.js';
import { normalizeBody } from './jsonBody.js';
import { changeMaintenance } from './maintenanceApi.js';
import { OPERATOR_PATHS } from './mesosPaths.js';
import type { MasterContext } from './masterContext.js';
import { requestDeadline } from './masterContext.js';
import type { MasterMetrics } from './metrics.js';
import { toResourceSet } from './mesosResources.js';
import { agentsJson, frameworksJson, rolesJson, stateJson, taskJson, tasksJson } from './operatorState.js';
import { operatorQuery } from './operatorQueries.js';
import { validateOperatorCall } from './operatorSchemas.js';
import { ALL_METHODS } from './schedulerApi.js';
import { taskStatusJson } from './taskContainers.js';

type Json = Record<string, any>;

const CONFLICT_CODES = new Set(['insufficient_resources', 'volume_in_use', 'volume_exists', 'agent_gone']);
export const OPERATOR_SUBSCRIBERS_MAX = 64;

export class OperatorApi {
  readonly #subscribers = new Set<EventStream>();
  readonly #context: MasterContext;
  readonly #metrics: MasterMetrics;

  constructor(context: MasterContext, metrics: MasterMetrics) {
    this.#context = context;
    this.#metrics = metrics;
  }

  register(app: FastifyInstance): void {
    for (const url of OPERATOR_PATHS)
      app.route({ method: [...ALL_METHODS], url, handler: (request, reply) => this.#handle(request, reply) });
  }

  /** Step listener: state changes for SUBSCRIBE'd operators. */
  publish(_command: Command, result: StepResult): void {
    if (this.#subscribers.size === 0) return;
    const context = this.#context;
    for (const event of result.events) {
      let message: unknown = null;
      switch (event.type) {
        case 'task.launched': {
          const task = context.host.master.frameworks.get(event.frameworkId)?.tasks.get(event.taskId);
          if (task) message = { type: 'TASK_ADDED', task_added: { task: taskJson(context, task) } };
          break;
        }
        case 'task.updated':
          message = {
            type: 'TASK_UPDATED',
            task_updated: {
              framework_id: { value: event.status.frameworkId },
              state: event.status.state,
              status: taskStatusJson(context, event.status),
            },
          };
          break;
        case 'agent.added':
        case 'agent.reregistered':
          message = { type: 'AGENT_ADDED', agent_added: { agent: { agent_info: { id: { value: event.agentId } } } } };
          break;
        case 'agent.removed':
        case 'agent.gone':
        case 'agent.unreachable':
          message = { type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: event.agentId } } };
          break;
        case 'framework.subscribed':
          message = {
            type: event.resubscribed ? 'FRAMEWORK_UPDATED' : 'FRAMEWORK_ADDED',
            [event.resubscribed ? 'framework_updated' : 'framework_added']: {
              framework: { framework_info: { id: { value: event.frameworkId }, roles: event.roles } },
            },
          };
          break;
        case 'framework.removed':
          message = { type: 'FRAMEWORK_REMOVED', framework_removed: { framework_info: { id: { value: event.frameworkId } } } };
          break;
        default:
          break;
      }
      if (message) for (const stream of this.#subscribers) stream.send(message);
    }
  }

  closeAll(): void {
    for (const stream of this.#subscribers) stream.close();
    this.#subscribers.clear();
  }

  async #handle(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
    const negotiated = negotiate(request);
    if (negotiated) return sendFailure(reply.header('Allow', 'POST'), negotiated);
    if (this.#context.host.recovering) return sendFailure(reply, failure(503, 'the master is recovering its state; retry shortly'));
    const normalized = normalizeBody(request.body);
    if (!normalized.ok) return sendFailure(reply, failure(400, normalized.message));
    if (!validateOperatorCall(normalized.value)) return sendFailure(reply, failure(400, describeSchemaError(validateOperatorCall.errors)));
    const call = normalized.value as Json;
    const context = this.#context;
    const denied = context.authorizer?.operatorCall(request, call);
    if (denied && !denied.ok) return sendFailure(reply, failure(denied.status, denied.reason));
    const answer = (key: string, body: unknown) =>
      reply
        .code(200)
        .type('application/json')
        .send({ type: call.type, [key]: body });
    switch (call.type) {
      case 'GET_HEALTH':
        return answer('get_health', { healthy: !context.host.fenced });
      case 'GET_VERSION':
        return answer('get_version', { version_info: { version: context.settings.version, build_user: 'allot' } });
      case 'GET_METRICS': {
        const metrics = await this.#metrics.registry.getMetricsAsJSON();
        const flat = metrics.flatMap((metric) =>
          (metric.values ?? []).map((value) => ({
            name: [metric.name, ...Object.entries(value.labels ?? {}).map(([k, v]) => `${k}=${v}`)].join('/'),
            value: value.value,
          })),
        );
        return answer('get_metrics', { metrics: flat });
      }
      case 'GET_STATE':
        return answer('get_state', stateJson(context));
      case 'GET_AGENTS':
        return answer('get_agents', agentsJson(context));
      case 'GET_FRAMEWORKS':
        return answer('get_frameworks', frameworksJson(context));
      case 'GET_TASKS':
        return answer('get_tasks', tasksJson(context));
      case 'GET_ROLES':
        return answer('get_roles', rolesJson(context));
      case 'SUBSCRIBE':
        return this.#subscribe(request, reply);
      default: {
        const query = operatorQuery(context, call);
        if (query && !query.ok) return sendFailure(reply, query.problem);
        if (query?.ok) return answer(query.key, query.body);
        const outcome = await this.#change(call);
        if (outcome.status >= 400) return sendFailure(reply, outcome);
        return reply.code(outcome.status).send();
      }
    }
  }

  async #change(call: Json): Promise<HttpFailure> {
    const { host } = this.#context;
    const layout = host.master.layout;
    const unavailable = host.unavailable();
    if (unavailable !== null) return failure(503, unavailable);
    const budget = requestDeadline(this.#context);
    const run = async (build: (nowMs: number) => Command, status = 200): Promise<HttpFailure> => {
      const result = await host.run(build, budget);
      if (result.ok) return { status, message: '' };
      const refusal = hostRefusal(result);
      if (refusal) return refusal;
      const rejection = result.rejection!;
      return failure(CONFLICT_CODES.has(rejection.code) ? 409 : 400, `${rejection.code}: ${rejection.message}`);
    };
    switch (call.type) {
      case 'RESERVE_RESOURCES':
      case 'UNRESERVE_RESOURCES':
      case 'CREATE_VOLUMES':
      case 'DESTROY_VOLUMES': {
        const key = call.type.toLowerCase() as 'reserve_resources' | 'unreserve_resources' | 'create_volumes' | 'destroy_volumes';
        const listKey = key.endsWith('volumes') ? 'volumes' : 'resources';
        const set = toResourceSet(call[key][listKey], layout, `${key}.${listKey}`);
        if (!set.ok) return failure(400, `${set.field}: ${set.message}`);
        const role = owningRole(set.value);
        if (!role.ok) return failure(400, `${key}.${listKey}: ${role.message}`);
        const agentId: string = call[key].agent_id.value;
        const type = (
          {
            reserve_resources: 'operator.reserve',
            unreserve_resources: 'operator.unreserve',
            create_volumes: 'operator.createVolumes',
            destroy_volumes: 'operator.destroyVolumes',
          } as const
        )[key];
        if (type === 'operator.reserve' || type === 'operator.unreserve')
          return run((nowMs) => ({ type, nowMs, agentId, role: role.role, resources: set.value }), 202);
        return run((nowMs) => ({ type, nowMs, agentId, role: role.role, volumes: set.value }), 202);
      }
      case 'UPDATE_WEIGHTS':
        for (const info of call.update_weights.weight_infos as Json[]) {
          const outcome = await run((nowMs) => ({ type: 'role.update', nowMs, role: info.role, weight: info.weight }));
          if (outcome.status >= 400) return outcome;
        }
        return { status: 200, message: '' };
      case 'UPDATE_QUOTA':
        for (const config of call.update_quota.quota_configs as Json[]) {
          const guarantee = plainQuantities(config.guarantees);
          const limit = plainQuantities(config.limits);
          const quota = Object.keys(guarantee).length === 0 && Object.keys(limit).length === 0 ? null : { guarantee, limit };
          const outcome = await run((nowMs) => ({ type: 'role.update', nowMs, role: config.role, quota }));
          if (outcome.status >= 400) return outcome;
        }
        return { status: 200, message: '' };
      case 'DRAIN_AGENT':
        return run((nowMs) => ({
          type: 'agent.drain',
          nowMs,
          agentId: call.drain_agent.agent_id.value,
          markGone: call.drain_agent.mark_gone === true,
        }));
      case 'UPDATE_MAINTENANCE_SCHEDULE':
      case 'START_MAINTENANCE':
      case 'STOP_MAINTENANCE':
        return changeMaintenance(this.#context, call.type, call[call.type.toLowerCase()]);
      case 'MARK_AGENT_GONE':
        return run((nowMs) => ({ type: 'agent.markGone', nowMs, agentId: call.mark_agent_gone.agent_id.value }));
      default:
        return failure(400, `type: ${String(call.type)} is not handled`);
    }
  }

  #subscribe(request: FastifyRequest, reply: FastifyReply): void | FastifyReply {
    if (this.#subscribers.size >= OPERATOR_SUBSCRIBERS_MAX)
      return sendFailure(reply, failure(503, `at most ${OPERATOR_SUBSCRIBERS_MAX} operator subscribers`));
    const stream = new EventStream({
      heartbeatMs: this.#context.settings.heartbeatMs,
      heartbeat: () => ({ type: 'HEARTBEAT' }),
      contentType: streamContentType(request),
    });
    this.#subscribers.add(stream);
    stream.onClose(() => this.#subscribers.delete(stream));
    reply.hijack();
    stream.open(reply.raw, {
      type: 'SUBSCRIBED',
      subscribed: { get_state: stateJson(this.#context), heartbeat_interval_seconds: this.#context.settings.heartbeatMs / 1000 },
    });
  }
}

/** The role an operator's reservation or volume call acts for: the owner (top of stack) of every part. */
function owningRole(set: ResourceSet): { ok: true; role: string } | { ok: false; message: string } {
  if (set.reserved.length === 0) return { ok: false, message: 'names no reserved resources (each needs a reservation with a role)' };
  const roles = new Set(set.reserved.map((part) => part.role));
  if (roles.size > 1) return { ok: false, message: `mixes roles ${[...roles].join(', ')}; one call acts for one role` };
  return { ok: true, role: set.reserved[0].role };
}

function plainQuantities(map: Record<string, { value: number }> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(map ?? {}).map(([name, { value }]) => [name, value]));
}
