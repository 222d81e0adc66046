/**
 * `allot pool` assembled: the pool runtime (Myriad model, host, store) and
 * Myriad's REST API on one server. It logs `pool listening` with its URL
 * once it serves, and stops by itself when the runtime does.
 */
import { createApiServer, listenApi } from '../scheduler/apiServer.js';
import { registerPoolApi } from './poolApi.js';
import type { PoolRuntimeOptions } from './poolRuntime.js';
import { PoolRuntime } from './poolRuntime.js';

export interface PoolDaemonOptions extends PoolRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 8192, Myriad's. */
  port?: number;
}

export interface RunningPool {
  readonly url: string;
  readonly runtime: PoolRuntime;
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

export async function startPoolDaemon(options: PoolDaemonOptions): Promise<RunningPool> {
  const runtime = await PoolRuntime.start(options);
  const app = createApiServer(options.logger);
  let port = 0;
  registerPoolApi(app, runtime, () => port);
  let self: { url: string; port: number };
  try {
    self = await listenApi(app, options.ip ?? '127.0.0.1', options.port ?? 8192);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  port = self.port;
  options.logger.info({ url: self.url, pool: options.spec.name }, 'pool listening');
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  return { url: self.url, runtime, stopped: runtime.framework.stopped, close };
}
