/**
 * `allot master` assembled: a fastify server on one address with the
 * scheduler, agent and operator APIs, `/health`, `/metrics` and the live
 * event stream, around a MasterHost whose state lives in a StateStore. The
 * server listens first and answers 503 while the state is being recovered.
 */
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Logger } from 'pino';
import { createCallAuthorizer, registerMasterSecurity } from '../security/masterSecurity.js';
import type { SecurityConfig } from '../security/securityConfig.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import { listenProblem } from '../security/listenPolicy.js';
import { FileStore } from '../store/fileStore.js';
import { MemoryStore } from '../store/memoryStore.js';
import type { StateStore } from '../store/stateStore.js';
import { registerAgentApi } from './agentApi.js';
import type { RecorderLimits } from './commandRecorder.js';
import { CommandRecorder } from './commandRecorder.js';
import { registerClassicEndpoints } from './classicEndpoints.js';
import { CompletedHistory } from './completedHistory.js';
import type { HistoryLimits } from './completedHistory.js';
import { masterFlags } from './masterFlags.js';
import { MasterExecutors } from './masterExecutors.js';
import { AgentSessions } from './agentSessions.js';
import { announceEvents, followEvents, routeEffects } from './effectRouter.js';
import type { FrameworkLimits } from './frameworkLimits.js';
import { DISCONNECTED_FRAMEWORKS_MAX, FRAMEWORKS_PER_PRINCIPAL_MAX } from './frameworkLimits.js';
import { FrameworkSessions } from './frameworkSessions.js';
import { LiveEvents } from './liveEvents.js';
import { registerExplainApi } from './explainApi.js';
import type { MasterContext, MasterSettings } from './masterContext.js';
import { REQUEST_BUDGET_MS } from './masterContext.js';
import type { KernelOptions } from './masterHost.js';
import { registerReadOnlyCors } from './readOnlyCors.js';
import { FrameworkHistory, registerForkHistoryApi } from './frameworkHistory.js';
import { MasterHost } from './masterHost.js';
import type { ConnectionLimits } from './connectionGuard.js';
import { defaultConnectionLimits, guardConnections, serverTimeoutOptions } from './connectionGuard.js';
import { MasterMetrics } from './metrics.js';
import type { RetryDelays } from './stateWriter.js';
import { OperatorApi } from './operatorApi.js';
import { registerSchedulerApi } from './schedulerApi.js';
import { TaskContainers } from './taskContainers.js';

export const BODY_BYTES_MAX = 8 * 2 ** 20;
/** Allocation cycles whose decisions the master keeps for GET /explain (each agent's latest are kept beyond). */
export const DECISION_CYCLES_DEFAULT = 10;

export interface MasterDaemonOptions {
  ip?: string;
  port?: number;
  /** Where the file store keeps its state (`<workDir>/state`). Required for `store: 'file'`. */
  workDir?: string;
  store?: 'file' | 'memory' | StateStore;
  heartbeatMs?: number;
  snapshotMs?: number;
  agentSecret?: string | null;
  version?: string;
  logger?: Logger;
  kernel?: KernelOptions;
  /** Authentication and authorization from a security file (adapters/src/security); null = open. */
  security?: SecurityConfig | null;
  /** Listen on a non-loopback address without a security file (`--insecure-listen`); refused otherwise. */
  insecureListen?: boolean;
  /** Serve HTTPS with this certificate and key (from --tls-cert/--tls-key). */
  https?: HttpsServerOptions | null;
  /** Completed frameworks and tasks shown by the classic endpoints (Mesos's --max_completed_*). */
  history?: Partial<HistoryLimits>;
  /** Connection caps and request timeouts (defaults: connectionGuard.ts, from the descriptor limit). */
  connections?: Partial<ConnectionLimits>;
  /** Frameworks per principal and disconnected frameworks kept (defaults 1000 and 100). */
  limits?: Partial<FrameworkLimits>;
  /** How long a call may wait in the master's queue before it is dropped unrun with 503 (default 10 s). */
  requestBudgetMs?: number;
  /** Backoff between retries of a failed state write (default 100 ms doubling to 5 s). */
  storeRetryMs?: RetryDelays;
  /** Record every command stepped to this file (`--record`; commandRecorder.ts); null = off. */
  record?: { path: string; limits?: Partial<RecorderLimits> } | null;
  /** Asked before every step and before its effects leave: false stops the master acting (an HA master that lost its leadership). */
  mayAct?: () => boolean;
}

export interface RunningMaster {
  readonly url: string;
  readonly port: number;
  readonly host: MasterHost;
  readonly app: FastifyInstance;
  /** Resolves once the state is recovered (the server answers 503 until then). */
  readonly recovered: Promise<void>;
  close(): Promise<void>;
}

/** Why these options would run an unsafe master, or null: the same rules the CLI applies (masterListen.ts). */
function securityProblem(options: MasterDaemonOptions): string | null {
  if (options.security && !(options.agentSecret ?? options.security.agentSecret))
    return 'a master with a security file needs an agent secret (agentSecret in the file, or --secret): agents must authenticate';
  return listenProblem(options.ip ?? '127.0.0.1', Boolean(options.security), options.insecureListen === true);
}

function storeFor(options: MasterDaemonOptions): StateStore {
  const store = options.store ?? 'file';
  if (typeof store !== 'string') return store;
  if (store === 'memory') return new MemoryStore();
  if (!options.workDir) throw new Error('the file store needs a work dir (--work-dir)');
  return new FileStore(join(options.workDir, 'state'));
}

export async function startMaster(options: MasterDaemonOptions = {}): Promise<RunningMaster> {
  const logger = options.logger ?? pino({ name: 'allot-master' });
  const unsafe = securityProblem(options);
  if (unsafe) throw new Error(unsafe);
  const store = storeFor(options);
  // The decision log is on by default: GET /explain answers from it.
  const kernelOptions = { ...options.kernel, decisionCycles: options.kernel?.decisionCycles ?? DECISION_CYCLES_DEFAULT };
  const host = new MasterHost(store, logger, kernelOptions, options.storeRetryMs, options.mayAct);
  if (options.record) host.record(new CommandRecorder(options.record.path, logger, options.record.limits));
  const settings: MasterSettings = {
    ip: options.ip ?? '127.0.0.1',
    port: options.port ?? 5050,
    hostname: osHostname(),
    version: options.version ?? '0.1.0',
    heartbeatMs: options.heartbeatMs ?? 5000,
    agentSecret: options.agentSecret ?? options.security?.agentSecret ?? null,
    startedAtMs: Date.now(),
    flags: {},
    requestBudgetMs: options.requestBudgetMs ?? REQUEST_BUDGET_MS,
    limits: {
      frameworksPerPrincipal: options.limits?.frameworksPerPrincipal ?? FRAMEWORKS_PER_PRINCIPAL_MAX,
      disconnectedFrameworks: options.limits?.disconnectedFrameworks ?? DISCONNECTED_FRAMEWORKS_MAX,
    },
  };
  const history = new CompletedHistory(options.history ?? {});
  const context: MasterContext = {
    host,
    authorizer: null,
    frameworks: new FrameworkSessions(host, logger, settings.limits.disconnectedFrameworks),
    agents: new AgentSessions(host, logger),
    containers: new TaskContainers(),
    executors: new MasterExecutors(),
    history,
    logger,
    settings,
  };
  const metrics = new MasterMetrics(host);
  const live = new LiveEvents(context, options.snapshotMs ?? 1000);
  const operator = new OperatorApi(context, metrics);

  const connections: ConnectionLimits = { ...defaultConnectionLimits(), ...options.connections };
  const timeouts = serverTimeoutOptions(connections);
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: BODY_BYTES_MAX,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    keepAliveTimeout: timeouts.keepAliveTimeout,
    requestTimeout: timeouts.requestTimeout,
    http: timeouts.http,
    ...(options.https ? { https: { ...options.https, ...timeouts.http } } : {}),
  }) as unknown as FastifyInstance;
  guardConnections(app.server, connections, logger);
  // Every body reaches the handlers, which answer 405/415/406 in Mesos's order.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: { statusCode?: number; message: string; code?: string }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    void reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'internal error' : `body: ${error.message}`);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('text/plain; charset=utf-8')
      .send(`no such endpoint: ${request.method} ${request.url.slice(0, 200)}`);
  });
  // Authentication hooks go first so that they run before every route below; handlers authorize their calls.
  context.authorizer = options.security
    ? registerMasterSecurity(app, context, options.security)
    : createCallAuthorizer(context, null, () => null);
  registerSchedulerApi(app, context);
  registerAgentApi(app, context);
  // CORS for the playground: read-only operator calls from any origin (readOnlyCors.ts).
  registerReadOnlyCors(app);
  operator.register(app);
  live.register(app);
  registerExplainApi(app, context);
  // Task lifetimes and declines per framework, for `allot fork` (frameworkHistory.ts).
  const forkHistory = new FrameworkHistory();
  registerForkHistoryApi(app, context, forkHistory);
  registerClassicEndpoints(app, context);
  app.get('/health', (_request, reply) => {
    // Unhealthy whenever writes are not served: recovering, fenced, or the store failing (with the reason).
    const reason = host.unavailable();
    void reply
      .code(reason === null ? 200 : 503)
      .send({ healthy: reason === null, recovering: host.recovering, writable: reason === null, ...(reason ? { message: reason } : {}) });
  });
  app.get('/metrics', async (request, reply) => {
    const denied = context.authorizer?.read(request, 'GET_METRICS');
    if (denied && !denied.ok) return reply.code(denied.status).type('text/plain; charset=utf-8').send(denied.reason);
    if (host.recovering) return reply.code(503).type('text/plain').send('the master is recovering its state');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  host.onStep((command, result, durationSeconds) => {
    // Before followEvents: a removed framework's record is still there to remember.
    history.observe(host.master, host.registry.frameworks, command, result);
    metrics.observe(command, result, durationSeconds);
    forkHistory.observe(command, result);
    followEvents(context, command, result);
  });
  // What tells the outside world waits until the step's state is durable.
  host.onCommitted((command, result) => {
    announceEvents(context, command, result);
    live.publish(command, result);
    operator.publish(command, result);
  });
  host.onEffects((effects) => routeEffects(context, effects));

  await app.listen({ host: settings.ip, port: settings.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  settings.port = port;
  settings.flags = masterFlags({
    ip: settings.ip,
    port,
    hostname: settings.hostname,
    workDir: options.workDir ?? null,
    store: typeof options.store === 'object' ? options.store.description : (options.store ?? 'file'),
    allocationIntervalMs: options.kernel?.allocationIntervalMs ?? 1000,
    agentUnreachableTimeoutMs: options.kernel?.agentUnreachableTimeoutMs ?? 75_000,
    agentReregisterTimeoutMs: options.kernel?.agentReregisterTimeoutMs ?? 600_000,
    offerTimeoutMs: options.kernel?.offerTimeoutMs ?? null,
    heartbeatMs: settings.heartbeatMs,
    authenticated: options.security != null,
    history: history.limits,
  });
  const url = `${options.https ? 'https' : 'http'}://${settings.ip}:${port}`;
  logger.info({ url, store: store.description, connections }, 'master listening');
  if (!options.security)
    logger.warn(
      { url },
      `no security file: no authentication or authorization; anyone who can reach ${url} can run tasks on the agents (see the README's "Security")`,
    );

  const recovered = host.recover().then(() => {
    history.seed(host.master, host.registry.frameworks);
    // Frameworks known from before the restart get a chance to come back before they are torn down.
    const graceMs = host.master.agentReregisterTimeoutMs;
    for (const frameworkId of host.master.frameworks.keys())
      context.frameworks.startFailover(frameworkId, { atLeastMs: graceMs, recovered: true });
  });
  recovered.catch((error) => logger.fatal({ err: error }, 'state recovery failed'));

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    host,
    app,
    recovered,
    close() {
      closing ??= (async () => {
        host.close();
        live.close();
        operator.closeAll();
        context.frameworks.closeAll();
        context.agents.closeAll();
        await app.close();
        await store.close();
      })();
      return closing;
    },
  };
}
