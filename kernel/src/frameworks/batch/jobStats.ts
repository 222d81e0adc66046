/**
 * Job completion times for the batch kind's report: per job when it was
 * submitted and when its last task finished, and over the finished jobs the
 * mean, p50 and p95 (nearest rank). A job with a task that failed for good
 * never finishes, and is counted apart.
 */

export interface JobRecord {
  readonly id: string;
  readonly submittedMs: number;
  readonly tasks: number;
  finished: number;
  failed: number;
  finishedAtMs: number | null;
}

export interface JobReport {
  id: string;
  submittedMs: number;
  finishedMs: number | null;
  completionMs: number | null;
  tasks: number;
  tasksFinished: number;
  tasksFailed: number;
}

export interface JobSummary {
  submitted: number;
  finished: number;
  meanMs: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** Nearest-rank percentile of values sorted ascending: the smallest value with at least p% at or below it. */
export function nearestRank(sorted: readonly number[], percent: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((percent / 100) * sorted.length));
  return sorted[rank - 1];
}

export function jobReport(job: JobRecord): JobReport {
  return {
    id: job.id,
    submittedMs: job.submittedMs,
    finishedMs: job.finishedAtMs,
    completionMs: job.finishedAtMs === null ? null : job.finishedAtMs - job.submittedMs,
    tasks: job.tasks,
    tasksFinished: job.finished,
    tasksFailed: job.failed,
  };
}

export function summarizeJobs(jobs: readonly JobReport[]): JobSummary {
  const times = jobs.flatMap((job) => (job.completionMs === null ? [] : [job.completionMs])).sort((a, b) => a - b);
  const mean = times.length === 0 ? null : times.reduce((sum, ms) => sum + ms, 0) / times.length;
  return { submitted: jobs.length, finished: times.length, meanMs: mean, p50Ms: nearestRank(times, 50), p95Ms: nearestRank(times, 95) };
}
