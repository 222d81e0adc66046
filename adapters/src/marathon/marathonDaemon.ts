/**
 * `allot marathon` assembled: the Marathon runtime (app model, host, store,
 * deployments, events) and Marathon's REST API on one fastify server. JSON
 * bodies that do not parse get Marathon's `400 {"message": "Invalid JSON"}`;
 * an empty body counts as none (clients POST restarts with a JSON content
 * type and nothing in it). It logs `marathon listening` with its URL once
 * it serves, and stops by itself when the runtime does.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SchedulerStoppedError } from '../scheduler/hostedFramework.js';
import { registerAppsRoutes } from './appsRoutes.js';
import { registerMarathonRoutes } from './marathonRoutes.js';
import type { MarathonRuntimeOptions } from './marathonRuntime.js';
import { MarathonRuntime } from './marathonRuntime.js';

export interface MarathonDaemonOptions extends MarathonRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 8080. */
  port?: number;
}

export interface RunningMarathon {
  readonly url: string;
  readonly runtime: MarathonRuntime;
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

const BODY_BYTES_MAX = 8 * 2 ** 20;

export async function startMarathonDaemon(options: MarathonDaemonOptions): Promise<RunningMarathon> {
  const runtime = await MarathonRuntime.start(options);
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    bodyLimit: BODY_BYTES_MAX,
  }) as unknown as FastifyInstance;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error((error as Error).message), { statusCode: 400, invalidJson: true }), undefined);
    }
  });
  let self = { url: '', port: 0 };
  registerAppsRoutes(app, runtime);
  registerMarathonRoutes(app, runtime, () => self);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `Unknown resource ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.setErrorHandler((error, _request, reply) => {
    const failure = error as Error & { statusCode?: number; invalidJson?: boolean; code?: string };
    if (failure.invalidJson) return reply.code(400).send({ message: 'Invalid JSON', details: [{ path: '/', errors: [failure.message] }] });
    if (error instanceof SchedulerStoppedError || failure.code === 'store_conflict')
      return reply.code(503).send({ message: failure.message });
    const status = typeof failure.statusCode === 'number' ? failure.statusCode : 500;
    if (status >= 500) options.logger.error({ err: error }, 'the Marathon API failed');
    return reply.code(status).send({ message: failure.message });
  });
  const ip = options.ip ?? '127.0.0.1';
  try {
    await app.listen({ host: ip, port: options.port ?? 8080 });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
  const url = `http://${ip}:${port}`;
  self = { url, port };
  options.logger.info({ url, framework: runtime.name }, 'marathon listening');
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      runtime.events.close();
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  return { url, runtime, stopped: runtime.framework.stopped, close };
}
