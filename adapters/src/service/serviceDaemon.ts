/**
 * `allot service run` assembled: the service runtime (scheduler, host,
 * store) and its HTTP API on one fastify server. It logs `service started`
 * with its URL once it listens; it stops by itself when the runtime does
 * (the master refused the framework, another scheduler wrote the store).
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { registerServiceApi } from './serviceApi.js';
import type { CorsOrigins } from './serviceCors.js';
import { DEFAULT_CORS_ORIGINS, registerServiceCors } from './serviceCors.js';
import type { ServiceRuntimeOptions } from './serviceRuntime.js';
import { ServiceRuntime, ServiceStoppedError } from './serviceRuntime.js';
import { ServiceStoreConflict } from './serviceStore.js';

export interface ServiceDaemonOptions extends ServiceRuntimeOptions {
  ip?: string;
  /** HTTP port of the API (0: any free port); default 8080. */
  port?: number;
  /** Origins whose pages may read the API (default any: reads only, see serviceCors.ts). */
  corsOrigins?: CorsOrigins;
}

export interface RunningService {
  readonly url: string;
  readonly runtime: ServiceRuntime;
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

export async function startServiceDaemon(options: ServiceDaemonOptions): Promise<RunningService> {
  const runtime = await ServiceRuntime.start(options);
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;
  await registerServiceCors(app, options.corsOrigins ?? DEFAULT_CORS_ORIGINS);
  registerServiceApi(app, runtime);
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ServiceStoreConflict || error instanceof ServiceStoppedError)
      return reply.code(503).send({ message: error.message });
    // Fastify's own client errors (a malformed body) keep their 4xx; anything else is a bug.
    const status = typeof (error as { statusCode?: number }).statusCode === 'number' ? (error as { statusCode: number }).statusCode : 500;
    if (status >= 500) options.logger.error({ err: error }, 'the service API failed');
    return reply.code(status).send({ message: (error as Error).message });
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
  options.logger.info({ url, service: options.spec.name }, 'service started');
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  return { url, runtime, stopped: runtime.stopped, close };
}
