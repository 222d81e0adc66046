/**
 * `allot pool` assembled: the pool runtime (Myriad model, host, store) and
 * Myriad's REST API on one server. It logs `pool listening` with its URL
 * once it serves, and stops by itself when the runtime does.
 */
import type { RunningDaemon } from '../scheduler/serveRuntime.js';
import { serveRuntime } from '../scheduler/serveRuntime.js';
import { registerPoolApi } from './poolApi.js';
import type { PoolRuntimeOptions } from './poolRuntime.js';
import { PoolRuntime } from './poolRuntime.js';

export interface PoolDaemonOptions extends PoolRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 8192, Myriad's. */
  port?: number;
}

export type RunningPool = RunningDaemon<PoolRuntime>;

export async function startPoolDaemon(options: PoolDaemonOptions): Promise<RunningPool> {
  const runtime = await PoolRuntime.start(options);
  return serveRuntime(runtime, {
    ...options,
    defaultPort: 8192,
    name: 'pool',
    logFields: { pool: options.spec.name },
    register: (app, self) => registerPoolApi(app, runtime, () => self().port),
  });
}
