/**
 * `POST /api/v1/agent`, allot's agent protocol (documented in
 * adapters/README.md). SUBSCRIBE registers or re-registers an agent with its
 * resources, attributes, checkpointed total and tasks, and answers a RecordIO
 * stream of LAUNCH, KILL, ACKNOWLEDGE, RESOURCES, SHUTDOWN and HEARTBEAT
 * events; UPDATE carries one task status update (with its uuid). A shared
 * secret, when configured, is checked on every call.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReportedTask, ResourceSet, TaskReason, TaskState } from '@allot/kernel';
import { deserializeResourceSet, TASK_STATES } from '@allot/kernel';
import { validateAgentCall } from './callSchemas.js';
import { EventStream } from './eventStream.js';
import { failure, hostRefusal, sendFailure } from './httpErrors.js';
import type { MasterContext } from './masterContext.js';
import { requestDeadline } from './masterContext.js';
import { NOT_DURABLE } from './masterHost.js';
import { fromResourceSet, toResourceSet } from './mesosResources.js';
import { ALL_METHODS, readCall } from './schedulerApi.js';
import { checkStatusFromJson } from './checkStatusJson.js';

type Json = Record<string, any>;

export function registerAgentApi(app: FastifyInstance, context: MasterContext): void {
  app.route({ method: [...ALL_METHODS], url: '/api/v1/agent', handler: (request, reply) => handle(context, request, reply) });
}

function authorized(context: MasterContext, request: FastifyRequest): boolean {
  const secret = context.settings.agentSecret;
  if (secret === null) return true;
  const given = Buffer.from(String(request.headers.authorization ?? ''));
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handle(context: MasterContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  if (!authorized(context, request))
    return sendFailure(
      reply.header('WWW-Authenticate', 'Bearer realm="allot-agents"'),
      failure(401, 'the agent secret is missing or wrong'),
    );
  const read = readCall(context, request, validateAgentCall);
  if (!read.ok) return sendFailure(reply, read.problem);
  const call = read.call;
  if (call.type === 'SUBSCRIBE') return subscribe(context, call, request, reply);
  if (call.type === 'UPDATE') return update(context, call, request, reply);
  return executorCall(context, call, request, reply);
}

function reportedTasks(context: MasterContext, list: Json[]): { ok: true; tasks: ReportedTask[] } | { ok: false; message: string } {
  const layout = context.host.master.layout;
  const tasks: ReportedTask[] = [];
  for (const [index, task] of list.entries()) {
    const at = `subscribe.tasks[${index}]`;
    if (!(TASK_STATES as readonly string[]).includes(task.state))
      return { ok: false, message: `${at}.state: unknown task state ${String(task.state).slice(0, 64)}` };
    const resources = toResourceSet(task.resources, layout, `${at}.resources`);
    if (!resources.ok) return { ok: false, message: `${resources.field}: ${resources.message}` };
    if (typeof task.container_id === 'string') context.containers.set(task.framework_id, task.task_id, task.container_id);
    tasks.push({
      taskId: task.task_id,
      ...(typeof task.name === 'string' ? { name: task.name } : {}),
      frameworkId: task.framework_id,
      role: task.role,
      resources: resources.value,
      state: task.state as TaskState,
      ...(task.executor_id ? { executorId: task.executor_id } : {}),
    });
  }
  return { ok: true, tasks };
}

async function subscribe(context: MasterContext, call: Json, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const { host } = context;
  const agent: Json = call.subscribe.agent;
  const agentId: string = agent.id;
  if (call.agent_id !== agentId) return sendFailure(reply, failure(400, 'subscribe.agent.id: does not match agent_id'));
  const layout = host.master.layout;
  const declared = toResourceSet(agent.resources, layout, 'subscribe.agent.resources');
  if (!declared.ok) return sendFailure(reply, failure(400, `${declared.field}: ${declared.message}`));
  let checkpointed: ResourceSet | null = null;
  if (agent.checkpointed_resources) {
    const parsed = toResourceSet(agent.checkpointed_resources, layout, 'subscribe.agent.checkpointed_resources');
    if (!parsed.ok) return sendFailure(reply, failure(400, `${parsed.field}: ${parsed.message}`));
    checkpointed = parsed.value;
  }
  const tasks = reportedTasks(context, (call.subscribe.tasks as Json[] | undefined) ?? []);
  if (!tasks.ok) return sendFailure(reply, failure(400, tasks.message));
  // The master's own record wins: it was written before any reservation was announced to the agent.
  const record = host.master.recoveredAgents.get(agentId)?.record ?? host.master.unreachableAgents.get(agentId)?.record;
  const total = record ? deserializeResourceSet(record.total, layout) : (checkpointed ?? declared.value);
  const ip = (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const previousEndpoint = host.registry.agents.get(agentId);
  host.registry.agents.set(agentId, {
    id: agentId,
    hostname: agent.hostname,
    ip,
    port: agent.port,
    registeredAtMs: previousEndpoint?.registeredAtMs ?? host.nowMs(),
  });

  const stream = new EventStream({
    heartbeatMs: context.settings.heartbeatMs,
    heartbeat: () => ({ type: 'HEARTBEAT' }),
    contentType: 'application/json',
  });
  // Attached before the step so that its effects (kills of orphaned tasks) are buffered behind SUBSCRIBED.
  context.agents.attach(agentId, stream);
  const registered = host.master.agents.has(agentId);
  const spec = {
    id: agentId,
    hostname: agent.hostname as string,
    resources: {},
    attributes: (agent.attributes as Record<string, string | number> | undefined) ?? {},
    checkpointedTotal: total,
  };
  const result = await host.run(
    (nowMs) =>
      registered
        ? { type: 'agent.reregister', nowMs, agent: spec, tasks: tasks.tasks }
        : { type: 'agent.add', nowMs, agent: spec, tasks: tasks.tasks },
    requestDeadline(context),
  );
  if (result.rejection?.code === NOT_DURABLE) {
    // Registered in memory but not acknowledged: closing the attached stream queues agent.disconnect behind the store's retry.
    stream.close();
    return sendFailure(reply, failure(503, result.rejection.message));
  }
  if (!result.ok) {
    context.agents.detach(agentId, stream);
    stream.close();
    if (previousEndpoint) host.registry.agents.set(agentId, previousEndpoint);
    else if (!host.master.agents.has(agentId)) host.registry.agents.delete(agentId);
    const gone = result.rejection!.code === 'agent_gone' || result.rejection!.code === 'machine_down';
    context.logger.warn({ agentId, rejection: result.rejection }, 'agent registration refused');
    return sendFailure(reply, hostRefusal(result) ?? failure(gone ? 403 : 400, result.rejection!.message));
  }
  const kernelAgent = host.master.agents.get(agentId);
  context.logger.info(
    { agentId, hostname: agent.hostname, port: agent.port, tasks: tasks.tasks.length, reregistered: registered || record !== undefined },
    'agent subscribed',
  );
  reply.hijack();
  stream.open(
    reply.raw,
    {
      type: 'SUBSCRIBED',
      subscribed: {
        agent_id: agentId,
        master_id: host.registry.masterId,
        heartbeat_interval_seconds: context.settings.heartbeatMs / 1000,
        ...(kernelAgent ? { resources: fromResourceSet(kernelAgent.total, layout) } : {}),
      },
    },
    { 'Mesos-Stream-Id': stream.id },
  );
}

async function update(context: MasterContext, call: Json, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> {
  const agentId: string = call.agent_id;
  const stream = context.agents.current(agentId);
  if (!stream) return sendFailure(reply, failure(403, `agent ${agentId.slice(0, 200)} is not subscribed`));
  if (request.headers['mesos-stream-id'] !== stream.id)
    return sendFailure(reply, failure(400, "the 'Mesos-Stream-Id' header is missing or does not match the agent's subscription"));
  const status: Json = call.update;
  if (!(TASK_STATES as readonly string[]).includes(status.state))
    return sendFailure(reply, failure(400, `update.state: unknown task state ${String(status.state).slice(0, 64)}`));
  if (typeof status.container_id === 'string') context.containers.set(status.framework_id, status.task_id, status.container_id);
  const result = await context.host.run(
    (nowMs) => ({
      type: 'task.status',
      nowMs,
      agentId,
      frameworkId: status.framework_id,
      taskId: status.task_id,
      state: status.state as TaskState,
      uuid: status.uuid,
      ...(status.reason ? { reason: status.reason as TaskReason } : {}),
      ...(status.message ? { message: status.message } : {}),
      ...(typeof status.healthy === 'boolean' ? { healthy: status.healthy } : {}),
      ...(status.check_status ? { checkStatus: checkStatusFromJson(status.check_status) } : {}),
    }),
    requestDeadline(context),
  );
  // Not acknowledged: the agent resends the update until it is.
  const refusal = hostRefusal(result);
  if (refusal) return sendFailure(reply, refusal);
  if (!result.ok) {
    context.logger.info({ agentId, taskId: status.task_id, rejection: result.rejection }, 'status update rejected by the kernel');
    if (result.rejection!.code === 'unknown_task' && !context.host.master.frameworks.has(status.framework_id)) {
      // Nobody will ever acknowledge it (the framework is gone): acknowledge on its behalf so the agent lets go.
      context.agents.send(agentId, {
        type: 'ACKNOWLEDGE',
        acknowledge: { framework_id: status.framework_id, task_id: status.task_id, uuid: status.uuid },
      });
    }
  }
  return reply.code(202).send();
}

/** EXECUTOR_EXITED (forget the executor) and MESSAGE (an executor's message, relayed to its framework). */
function executorCall(context: MasterContext, call: Json, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const agentId: string = call.agent_id;
  const stream = context.agents.current(agentId);
  if (!stream) return sendFailure(reply, failure(403, `agent ${agentId.slice(0, 200)} is not subscribed`));
  if (request.headers['mesos-stream-id'] !== stream.id)
    return sendFailure(reply, failure(400, "the 'Mesos-Stream-Id' header is missing or does not match the agent's subscription"));
  if (call.type === 'EXECUTOR_EXITED') {
    const { framework_id: frameworkId, executor_id: executorId } = call.executor_exited;
    context.executors.remove(frameworkId, agentId, executorId);
    context.logger.info({ agentId, frameworkId, executorId, status: call.executor_exited.status }, 'executor exited');
  } else {
    const { framework_id: frameworkId, executor_id: executorId, data } = call.message;
    if (context.executors.get(frameworkId, agentId, executorId))
      context.frameworks.send(frameworkId, {
        type: 'MESSAGE',
        message: { agent_id: { value: agentId }, executor_id: { value: executorId }, data },
      });
  }
  return reply.code(202).send();
}
