/**
 * The agent's HTTP server: `/health`, Mesos's `/state` (and
 * `/slave(1)/state`), `/flags`, `/version`, `/metrics/snapshot`, the files
 * endpoints over sandboxes, the v1 agent API (`POST /api/v1`) and the v1
 * executor API (`POST /api/v1/executor`), with the security file's
 * authentication and authorization when one is given.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentRuntime } from '../agent/agentRuntime.js';
import { defaultConnectionLimits, guardConnections, serverTimeoutOptions } from '../master/connectionGuard.js';
import type { AgentAuthorizer } from '../security/agentSecurity.js';
import { OPEN_AGENT, refuseUnauthorized, registerAgentSecurity } from '../security/agentSecurity.js';
import type { SecurityConfig } from '../security/securityConfig.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import { registerAgentOperatorApi } from './agentOperatorApi.js';
import type { AgentFacts } from './agentStateJson.js';
import { agentStateJson, resourcesModel } from './agentStateJson.js';
import type { AgentView } from './agentView.js';
import { registerExecutorApi } from './executorApi.js';
import { registerFilesEndpoints } from './filesEndpoints.js';

export interface AgentHttpOptions {
  logger: Logger;
  https: HttpsServerOptions | null;
  security: SecurityConfig | null;
  workDir: string;
  facts: AgentFacts;
  view: AgentView;
  runtime: () => AgentRuntime;
  /** allot's own fields kept on /state beside Mesos's (agentId, connected, isolation, warnings, tasks). */
  extras: () => Record<string, unknown>;
}

function agentMetrics(options: AgentHttpOptions): Record<string, number> {
  const tasks = options.runtime().tasks();
  const count = (state: string) => tasks.filter((task) => task.state === state).length;
  const total = resourcesModel(options.facts.resources);
  const used = resourcesModel(
    options.view.live().flatMap((task) => (task.checkpoint?.resources as Record<string, any>[] | undefined) ?? []),
  );
  const out: Record<string, number> = {
    'slave/registered': options.extras().connected ? 1 : 0,
    'slave/uptime_secs': (Date.now() - options.view.startedAtMs) / 1000,
    'slave/tasks_staging': count('TASK_STAGING'),
    'slave/tasks_starting': count('TASK_STARTING'),
    'slave/tasks_running': count('TASK_RUNNING'),
    'slave/tasks_killing': count('TASK_KILLING'),
    'slave/tasks_finished': count('TASK_FINISHED') + options.view.completed().filter((task) => task.info.state === 'TASK_FINISHED').length,
    'slave/tasks_failed': count('TASK_FAILED') + options.view.completed().filter((task) => task.info.state === 'TASK_FAILED').length,
    'slave/tasks_killed': count('TASK_KILLED') + options.view.completed().filter((task) => task.info.state === 'TASK_KILLED').length,
    'slave/tasks_lost': 0,
    'slave/executors_running': new Set(
      tasks.filter((task) => task.state === 'TASK_RUNNING').map((task) => `${task.frameworkId}/${task.executorId}`),
    ).size,
    'system/cpus_total': (total.cpus as number) ?? 0,
  };
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    out[`slave/${name}_total`] = (total[name] as number) ?? 0;
    out[`slave/${name}_used`] = (used[name] as number) ?? 0;
    out[`slave/${name}_percent`] = out[`slave/${name}_total`] > 0 ? out[`slave/${name}_used`] / out[`slave/${name}_total`] : 0;
  }
  return out;
}

export function buildAgentHttp(options: AgentHttpOptions): FastifyInstance {
  // The master's connection rules (connectionGuard.ts): caps, deadlines for half-sent requests, idle keep-alive.
  const connections = defaultConnectionLimits();
  const timeouts = serverTimeoutOptions(connections);
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    requestTimeout: timeouts.requestTimeout,
    http: timeouts.http,
    ...(options.https ? { https: { ...options.https, ...timeouts.http } } : {}),
  }) as unknown as FastifyInstance;
  guardConnections(app.server, connections, options.logger);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send(`no such endpoint: ${request.method} ${request.url.slice(0, 200)}`);
  });
  const authorize: AgentAuthorizer = options.security ? registerAgentSecurity(app, options.security, options.logger) : OPEN_AGENT;
  // A read, authorized as the operator call that reads the same thing.
  const read = (url: string, call: string, body: () => unknown) =>
    app.get(url, (request, reply) => {
      if (refuseUnauthorized(authorize, request, reply, { type: call })) return reply;
      return reply.send(body());
    });
  app.get('/health', async () => ({ healthy: true, agentId: options.facts.agentId, connected: options.extras().connected }));
  for (const prefix of ['', '/slave(1)']) {
    for (const suffix of ['', '.json'])
      read(`${prefix}/state${suffix}`, 'GET_STATE', () => ({ ...agentStateJson(options.facts, options.view), ...options.extras() }));
    read(`${prefix}/flags`, 'GET_FLAGS', () => ({ flags: options.facts.flags }));
  }
  read('/version', 'GET_VERSION', () => ({ version: options.facts.version, build_date: '', build_time: 0, build_user: 'allot' }));
  read('/metrics/snapshot', 'GET_METRICS', () => agentMetrics(options));
  registerFilesEndpoints(app, options.workDir, authorize);
  registerAgentOperatorApi(app, options.facts, options.view, options.workDir, authorize);
  registerExecutorApi(app, options.runtime);
  return app;
}
