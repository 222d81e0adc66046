/**
 * `POST /api/v1/executor`, Mesos's v1 executor HTTP API on the agent:
 * SUBSCRIBE answers 200 with a RecordIO stream (SUBSCRIBED, then LAUNCH,
 * LAUNCH_GROUP, KILL, ACKNOWLEDGED, MESSAGE, SHUTDOWN, HEARTBEAT); UPDATE and
 * MESSAGE answer 202. JSON only (protobuf bodies get 415, as on the master);
 * a call for an executor the agent does not run is 400.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentRuntime } from '../agent/agentRuntime.js';
import { EventStream } from '../master/eventStream.js';
import { failure, negotiate, sendFailure, streamContentType } from '../master/httpErrors.js';
import { normalizeBody } from '../master/jsonBody.js';

type Json = Record<string, any>;

export const EXECUTOR_HEARTBEAT_MS = 30_000;
const CALL_TYPES = ['SUBSCRIBE', 'UPDATE', 'MESSAGE'];

const idOf = (value: unknown): string | null => {
  const id = (value as Json | undefined)?.value;
  return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : null;
};

export function registerExecutorApi(app: FastifyInstance, runtime: () => AgentRuntime): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/api/v1/executor',
    handler: (request: FastifyRequest, reply: FastifyReply) => {
      const negotiated = negotiate(request);
      if (negotiated) return sendFailure(reply.header('Allow', 'POST'), negotiated);
      const normalized = normalizeBody(request.body);
      if (!normalized.ok) return sendFailure(reply, failure(400, normalized.message));
      const call = normalized.value as Json;
      if (typeof call !== 'object' || Array.isArray(call) || !CALL_TYPES.includes(call.type))
        return sendFailure(reply, failure(400, `type: must be one of ${CALL_TYPES.join(', ')}`));
      const frameworkId = idOf(call.framework_id);
      const executorId = idOf(call.executor_id);
      if (frameworkId === null) return sendFailure(reply, failure(400, 'framework_id.value: is required'));
      if (executorId === null) return sendFailure(reply, failure(400, 'executor_id.value: is required'));
      const executors = runtime().executors;
      if (call.type === 'SUBSCRIBE') {
        const unacknowledged = Array.isArray(call.subscribe?.unacknowledged_updates)
          ? call.subscribe.unacknowledged_updates.slice(0, 10_000)
          : [];
        const stream = new EventStream({
          heartbeatMs: EXECUTOR_HEARTBEAT_MS,
          heartbeat: () => ({ type: 'HEARTBEAT' }),
          contentType: streamContentType(request),
        });
        const tasks = Array.isArray(call.subscribe?.unacknowledged_tasks) ? call.subscribe.unacknowledged_tasks.slice(0, 10_000) : [];
        const subscribed = executors.subscribe(frameworkId, executorId, stream, unacknowledged, tasks);
        if (!subscribed.ok) {
          stream.close();
          return sendFailure(reply, failure(subscribed.status, subscribed.message));
        }
        reply.hijack();
        stream.open(reply.raw, undefined);
        return;
      }
      if (call.type === 'UPDATE') {
        if (typeof call.update?.status !== 'object') return sendFailure(reply, failure(400, 'update.status: is required'));
        const updated = executors.update(frameworkId, executorId, call.update.status);
        if (!updated.ok) return sendFailure(reply, failure(updated.status, updated.message));
        return reply.code(202).send();
      }
      const data = call.message?.data;
      if (typeof data !== 'string' || data.length > 1_048_576)
        return sendFailure(reply, failure(400, 'message.data: must be base64 of at most 1 MB'));
      if (!executors.message(frameworkId, executorId, data))
        return sendFailure(
          reply,
          failure(400, `no executor ${executorId.slice(0, 64)} of framework ${frameworkId.slice(0, 64)} runs on this agent`),
        );
      return reply.code(202).send();
    },
  });
}
