/**
 * `allot jobs` assembled: the jobs runtime (batch model, host, store, runs,
 * schedules) and Metronome's REST API on one server. It logs `jobs
 * listening` with its URL once it serves, and stops by itself when the
 * runtime does.
 */
import { createApiServer, listenApi } from '../scheduler/apiServer.js';
import { registerJobsApi } from './jobsApi.js';
import type { JobsRuntimeOptions } from './jobsRuntime.js';
import { JobsRuntime } from './jobsRuntime.js';

export interface JobsDaemonOptions extends JobsRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 9000. */
  port?: number;
}

export interface RunningJobs {
  readonly url: string;
  readonly runtime: JobsRuntime;
  readonly stopped: Promise<string>;
  close(): Promise<void>;
}

export async function startJobsDaemon(options: JobsDaemonOptions): Promise<RunningJobs> {
  const runtime = await JobsRuntime.start(options);
  const app = createApiServer(options.logger);
  registerJobsApi(app, runtime);
  let self: { url: string; port: number };
  try {
    self = await listenApi(app, options.ip ?? '127.0.0.1', options.port ?? 9000);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  options.logger.info({ url: self.url }, 'jobs listening');
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
