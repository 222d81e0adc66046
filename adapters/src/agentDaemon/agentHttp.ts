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
import { keepAliveOptions } from '../master/httpServerOptions.js';
import { registerAgentSecurity } from '../security/agentSecurity.js';
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
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    ...keepAliveOptions(),
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send(`no such endpoint: ${request.method} ${request.url.slice(0, 200)}`);
  });
  if (options.security) registerAgentSecurity(app, options.security, options.logger);
  app.get('/health', async () => ({ healthy: true, agentId: options.facts.agentId, connected: options.extras().connected }));
  for (const prefix of ['', '/slave(1)']) {
    for (const suffix of ['', '.json'])
      app.get(`${prefix}/state${suffix}`, async () => ({ ...agentStateJson(options.facts, options.view), ...options.extras() }));
    app.get(`${prefix}/flags`, async () => ({ flags: options.facts.flags }));
  }
  app.get('/version', async () => ({ version: options.facts.version, build_date: '', build_time: 0, build_user: 'allot' }));
  app.get('/metrics/snapshot', async () => agentMetrics(options));
  registerFilesEndpoints(app, options.workDir);
  registerAgentOperatorApi(app, options.facts, options.view, options.workDir);
  registerExecutorApi(app, options.runtime);
  return app;
}
