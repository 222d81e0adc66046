/**
 * The batch kind with `jobs` (Spark-like): jobs arrive over time, their tasks
 * are served in arrival order, and the report gives job completion times.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../../kernel/src/index.js';
import { nearestRank, summarizeJobs } from '../../../kernel/src/frameworks/batch/jobStats.js';
import { detailsOf, runScenario } from './helpers.js';

/** One agent of 2 cpus; every task takes 1 cpu for `durationMs`. */
function cluster(jobs: unknown[], extra: Record<string, unknown> = {}): ScenarioInput {
  return {
    name: 'jobs',
    durationMs: 60000,
    agents: [{ id: 'agent', resources: { cpus: 2, mem: 8192 } }],
    frameworks: [{ id: 'spark', role: 'spark', kind: 'batch', jobs, maxTasksPerOffer: 2, refuseSeconds: 1, ...extra }],
  };
}

describe('batch jobs', () => {
  it('pins completion times: two slots, jobs queue behind each other in arrival order', () => {
    // Arrange: A (4 tasks of 3 s) at 0 s; B (2 tasks of 1 s) at 1 s must wait for A's first wave.
    const input = cluster([
      { id: 'A', atMs: 0, tasks: 4, resources: { cpus: 1 }, durationMs: 3000 },
      { id: 'B', atMs: 1000, tasks: 2, resources: { cpus: 1 }, durationMs: 1000 },
    ]);
    // Act
    const { report } = runScenario(input);
    // Assert: offers come every second (the allocation interval); A runs 0-3 s and 3-6 s, then B 6-7 s.
    const details = detailsOf(report, 'spark') as {
      jobs: Array<{ id: string; submittedMs: number; finishedMs: number; completionMs: number }>;
      summary: unknown;
    };
    expect(details.jobs.map(({ id, submittedMs, finishedMs, completionMs }) => ({ id, submittedMs, finishedMs, completionMs }))).toEqual([
      { id: 'A', submittedMs: 0, finishedMs: 6000, completionMs: 6000 },
      { id: 'B', submittedMs: 1000, finishedMs: 7000, completionMs: 6000 },
    ]);
    expect(details.summary).toEqual({ submitted: 2, finished: 2, meanMs: 6000, p50Ms: 6000, p95Ms: 6000 });
    expect(report.frameworks[0].tasks).toEqual({ TASK_FINISHED: 6 });
    expect(report.invariantViolations).toEqual([]);
  });

  it('keeps the plain tasks queue working next to jobs, as a job submitted at start', () => {
    const input = cluster([{ id: 'late', atMs: 5000, tasks: 1, resources: { cpus: 1 }, durationMs: 1000 }]);
    input.frameworks![0].tasks = { count: 2, resources: { cpus: 1 }, durationMs: 2000 };
    const details = detailsOf(runScenario(input).report, 'spark') as { jobs: Array<{ id: string; completionMs: number }> };
    expect(details.jobs.map((job) => [job.id, job.completionMs])).toEqual([
      ['tasks', 2000],
      ['late', 1000],
    ]);
  });

  it('a job whose task failed for good never finishes; with relaunch it does', () => {
    const jobs = [{ id: 'A', atMs: 0, tasks: 2, resources: { cpus: 1 }, durationMs: 10000 }];
    const fail = { atMs: 2000, type: 'task.fail', framework: 'spark' };
    const without = runScenario({ ...cluster(jobs), faults: [fail] as ScenarioInput['faults'] });
    expect((detailsOf(without.report, 'spark') as { jobs: Array<{ finishedMs: unknown; tasksFailed: number }> }).jobs[0]).toMatchObject({
      finishedMs: null,
      tasksFailed: 1,
    });
    // The revive brings an offer at once: the replacement runs 2 s to 12 s.
    const relaunched = runScenario({ ...cluster(jobs, { relaunch: true }), faults: [fail] as ScenarioInput['faults'] });
    expect((detailsOf(relaunched.report, 'spark') as { jobs: Array<{ finishedMs: number; tasksFailed: number }> }).jobs[0]).toMatchObject({
      finishedMs: 12000,
      tasksFailed: 0,
    });
  });

  it('summarizes with nearest-rank percentiles', () => {
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(nearestRank([], 50)).toBeNull();
    const job = (completionMs: number | null) => ({
      id: 'j',
      submittedMs: 0,
      finishedMs: completionMs,
      completionMs,
      tasks: 1,
      tasksFinished: 1,
      tasksFailed: 0,
    });
    expect(summarizeJobs([job(1000), job(3000), job(null), job(2000)])).toEqual({
      submitted: 4,
      finished: 3,
      meanMs: 2000,
      p50Ms: 2000,
      p95Ms: 3000,
    });
  });

  it('spark: every job finishes with the expected completion times', () => {
    const { report } = runScenario('spark');
    expect(report.invariantViolations).toEqual([]);
    expect(report.frameworks[0].tasks).toEqual({ TASK_FINISHED: 392 });
    const details = detailsOf(report, 'spark') as { jobs: Array<{ id: string; completionMs: number }>; summary: unknown };
    expect(details.jobs.map((job) => [job.id, job.completionMs])).toEqual([
      ['etl-1', 8000],
      ['etl-2', 8000],
      ['report', 8000],
      ['train', 35000],
      ['etl-3', 28000],
      ['adhoc-1', 6000],
      ['etl-4', 8000],
      ['adhoc-2', 2000],
    ]);
    expect(details.summary).toEqual({ submitted: 8, finished: 8, meanMs: 12875, p50Ms: 8000, p95Ms: 35000 });
  });
});
