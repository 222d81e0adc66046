/**
 * `allot jobs` assembled: the jobs runtime (batch model, host, store, runs,
 * schedules) and Metronome's REST API on one server. It logs `jobs
 * listening` with its URL once it serves, and stops by itself when the
 * runtime does.
 */
import type { RunningDaemon } from '../scheduler/serveRuntime.js';
import { serveRuntime } from '../scheduler/serveRuntime.js';
import { registerJobsApi } from './jobsApi.js';
import type { JobsRuntimeOptions } from './jobsRuntime.js';
import { JobsRuntime } from './jobsRuntime.js';

export interface JobsDaemonOptions extends JobsRuntimeOptions {
  ip?: string;
  /** HTTP port (0: any free port); default 9000. */
  port?: number;
}

export type RunningJobs = RunningDaemon<JobsRuntime>;

export async function startJobsDaemon(options: JobsDaemonOptions): Promise<RunningJobs> {
  const runtime = await JobsRuntime.start(options);
  return serveRuntime(runtime, {
    ...options,
    defaultPort: 9000,
    name: 'jobs',
    register: (app) => registerJobsApi(app, runtime),
  });
}
