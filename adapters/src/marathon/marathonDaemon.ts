/**
 * `allot marathon` assembled: the Marathon runtime (app model, host, store,
 * deployments, events) and Marathon's REST API on one server. It logs
 * `marathon listening` with its URL once it serves, and stops by itself
 * when the runtime does.
 */
import { createApiServer, listenApi } from '../scheduler/apiServer.js';
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

export async function startMarathonDaemon(options: MarathonDaemonOptions): Promise<RunningMarathon> {
  const runtime = await MarathonRuntime.start(options);
  const app = createApiServer(options.logger);
  let self = { url: '', port: 0 };
  registerAppsRoutes(app, runtime);
  registerMarathonRoutes(app, runtime, () => self);
  try {
    self = await listenApi(app, options.ip ?? '127.0.0.1', options.port ?? 8080);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  options.logger.info({ url: self.url, framework: runtime.name }, 'marathon listening');
  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      runtime.events.close();
      await app.close();
      await runtime.close();
    })();
    return closing;
  };
  return { url: self.url, runtime, stopped: runtime.framework.stopped, close };
}
