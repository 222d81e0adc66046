/**
 * A scheduler runtime served by one HTTP API: how `allot marathon`, `allot
 * jobs` and `allot pool` are assembled. The runtime starts first (it owns the
 * store and the subscription); the API listens next, and a failure to listen
 * closes the runtime again, so nothing is left half running. Closing closes
 * the API before the runtime, so no request reaches a runtime that is gone.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createApiServer, listenApi } from './apiServer.js';

/** What a daemon needs of its runtime. */
export interface ServableRuntime {
  readonly framework: { readonly stopped: Promise<string> };
  close(): Promise<void>;
}

export interface RunningDaemon<Runtime> {
  readonly url: string;
  readonly runtime: Runtime;
  /** Resolves with the reason when the scheduler stops by itself. */
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

export interface ServeOptions {
  logger: Logger;
  ip?: string;
  /** 0: any free port; undefined: `defaultPort`. */
  port?: number;
  defaultPort: number;
  /** The routes; `self` answers the API's own URL and port once it listens (for links and redirects). */
  register(app: FastifyInstance, self: () => { url: string; port: number }): void;
  /** Logged with `<name> listening` once the API serves. */
  name: string;
  logFields?: Record<string, unknown>;
  /** Runs first when the daemon closes (e.g. ending event streams, which would hold the server open). */
  beforeClose?: () => void;
}

export async function serveRuntime<Runtime extends ServableRuntime>(
  runtime: Runtime,
  options: ServeOptions,
): Promise<RunningDaemon<Runtime>> {
  const app = createApiServer(options.logger);
  let self = { url: '', port: 0 };
  options.register(app, () => self);
  try {
    self = await listenApi(app, options.ip ?? '127.0.0.1', options.port ?? options.defaultPort);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  options.logger.info({ url: self.url, ...options.logFields }, `${options.name} listening`);
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      options.beforeClose?.();
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  return { url: self.url, runtime, stopped: runtime.framework.stopped, close };
}
