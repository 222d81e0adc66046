/**
 * `allot marathon` assembled: the Marathon runtime (app model, host, store,
 * deployments, events) and Marathon's REST API on one server. It logs
 * `marathon listening` with its URL once it serves, and stops by itself
 * when the runtime does.
 */
import type { RunningDaemon } from '../scheduler/serveRuntime.js';
import { serveRuntime } from '../scheduler/serveRuntime.js';
import { registerAppsRoutes } from './appsRoutes.js';
import { registerMarathonRoutes } from './marathonRoutes.js';
import type { MarathonRuntimeOptions } from './marathonRuntime.js';
import { MarathonRuntime } from './marathonRuntime.js';

export interface MarathonDaemonOptions extends MarathonRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 8080. */
  port?: number;
}

export type RunningMarathon = RunningDaemon<MarathonRuntime>;

export async function startMarathonDaemon(options: MarathonDaemonOptions): Promise<RunningMarathon> {
  const runtime = await MarathonRuntime.start(options);
  return serveRuntime(runtime, {
    ...options,
    defaultPort: 8080,
    name: 'marathon',
    logFields: { framework: runtime.name },
    register: (app, self) => {
      registerAppsRoutes(app, runtime);
      registerMarathonRoutes(app, runtime, self);
    },
    // The event stream's open responses would hold the server open.
    beforeClose: () => runtime.events.close(),
  });
}
