/**
 * The v1 agent API (`POST /api/v1` on the agent, Mesos's operator API for
 * agents): GET_HEALTH, GET_FLAGS, GET_VERSION, GET_STATE, GET_CONTAINERS,
 * LIST_FILES and READ_FILE, answered in the documented shapes; anything
 * else is refused with 400 naming what is supported.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readChunk, browse } from '../agent/sandboxFiles.js';
import { failure, negotiate, sendFailure } from '../master/httpErrors.js';
import { normalizeBody } from '../master/jsonBody.js';
import type { AgentAuthorizer } from '../security/agentSecurity.js';
import { refuseUnauthorized } from '../security/agentSecurity.js';
import type { AgentView } from './agentView.js';
import type { AgentFacts } from './agentStateJson.js';
import { containersJson } from './agentStateJson.js';
import { v1FileInfo } from './filesEndpoints.js';

type Json = Record<string, any>;

export const AGENT_CALL_TYPES = [
  'GET_HEALTH',
  'GET_FLAGS',
  'GET_VERSION',
  'GET_STATE',
  'GET_CONTAINERS',
  'LIST_FILES',
  'READ_FILE',
] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function getState(facts: AgentFacts, view: AgentView): Json {
  const task = (entry: ReturnType<AgentView['live']>[number]) => ({
    name: entry.checkpoint?.name ?? entry.info.taskId,
    task_id: { value: entry.info.taskId },
    framework_id: { value: entry.info.frameworkId },
    executor_id: { value: entry.info.executorId },
    agent_id: { value: facts.agentId },
    state: entry.info.state,
    resources: entry.checkpoint?.resources ?? [],
  });
  const live = view.live();
  const launched = live.filter(
    (entry) => !['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST', 'TASK_DROPPED'].includes(entry.info.state),
  );
  const ended = [...view.completed(), ...live.filter((entry) => !launched.includes(entry))];
  const frameworkInfo = (id: string) => {
    const framework = view.framework(id);
    return { framework_info: { id: { value: id }, name: framework.name, user: framework.user, roles: framework.roles } };
  };
  const ids = view.frameworkIds();
  const active = new Set(launched.map((entry) => entry.info.frameworkId));
  return {
    get_tasks: { launched_tasks: launched.map(task), queued_tasks: [], completed_tasks: ended.map(task), pending_tasks: [] },
    get_executors: {
      executors: [...new Map(launched.map((entry) => [`${entry.info.frameworkId}\n${entry.info.executorId}`, entry])).values()].map(
        (entry) => ({
          executor_info: { executor_id: { value: entry.info.executorId }, framework_id: { value: entry.info.frameworkId } },
        }),
      ),
      completed_executors: [],
    },
    get_frameworks: {
      frameworks: ids.filter((id) => active.has(id)).map(frameworkInfo),
      completed_frameworks: ids.filter((id) => !active.has(id)).map(frameworkInfo),
    },
  };
}

export function registerAgentOperatorApi(
  app: FastifyInstance,
  facts: AgentFacts,
  view: AgentView,
  workDir: string,
  authorize: AgentAuthorizer,
): void {
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/api/v1',
    handler: (request: FastifyRequest, reply: FastifyReply) => {
      const negotiated = negotiate(request);
      if (negotiated) return sendFailure(reply.header('Allow', 'POST'), negotiated);
      const normalized = normalizeBody(request.body);
      if (!normalized.ok) return sendFailure(reply, failure(400, normalized.message));
      const call = normalized.value;
      if (!isObject(call) || typeof call.type !== 'string') return sendFailure(reply, failure(400, 'type: is required'));
      // Judged on the call as it is acted on (validated, nulls dropped), as the master does.
      if (refuseUnauthorized(authorize, request, reply, call)) return reply;
      const answer = (key: string, body: unknown) =>
        reply
          .code(200)
          .type('application/json')
          .send({ type: call.type, [key]: body });
      switch (call.type) {
        case 'GET_HEALTH':
          return answer('get_health', { healthy: true });
        case 'GET_FLAGS':
          return answer('get_flags', { flags: Object.entries(facts.flags).map(([name, value]) => ({ name, value })) });
        case 'GET_VERSION':
          return answer('get_version', { version_info: { version: facts.version, build_user: 'allot' } });
        case 'GET_STATE':
          return answer('get_state', getState(facts, view));
        case 'GET_CONTAINERS':
          return answer('get_containers', containersJson(view));
        case 'LIST_FILES': {
          const path = isObject(call.list_files) ? call.list_files.path : undefined;
          if (typeof path !== 'string') return sendFailure(reply, failure(400, 'list_files.path: is required (a string)'));
          const result = browse(workDir, path);
          if (!result.ok) return sendFailure(reply, failure(result.status, result.message));
          return answer('list_files', { file_infos: result.entries.map(v1FileInfo) });
        }
        case 'READ_FILE': {
          const read = isObject(call.read_file) ? call.read_file : {};
          if (typeof read.path !== 'string') return sendFailure(reply, failure(400, 'read_file.path: is required (a string)'));
          const offset = read.offset ?? 0;
          if (!Number.isSafeInteger(offset) || offset < 0)
            return sendFailure(reply, failure(400, 'read_file.offset: must be an integer >= 0'));
          if (read.length !== undefined && (!Number.isSafeInteger(read.length) || read.length < 0))
            return sendFailure(reply, failure(400, 'read_file.length: must be an integer >= 0'));
          const result = readChunk(workDir, read.path, offset, read.length ?? null);
          if (!result.ok) return sendFailure(reply, failure(result.status, result.message));
          return answer('read_file', { size: result.size, data: result.data.toString('base64') });
        }
        default:
          return sendFailure(
            reply,
            failure(
              400,
              `type: ${String(call.type).slice(0, 64)} is not supported by allot agents (supported: ${AGENT_CALL_TYPES.join(', ')})`,
            ),
          );
      }
    },
  });
}
