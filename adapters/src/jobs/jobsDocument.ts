/**
 * What `allot jobs` keeps in its store: the framework id, the batch model's
 * snapshot, every job spec with its schedules (and when each fires next),
 * the active runs (with the spec each started with), each job's history
 * (counts, last success and failure, the latest finished runs), and the
 * tasks of active runs. Run ids are Metronome's: the creation time
 * (yyyyMMddHHmmss, UTC) and five random letters or digits.
 */
import { randomInt } from 'node:crypto';
import type { JobsSnapshot } from '@allot/kernel';
import type { JobSpec, ScheduleSpec } from './jobSpec.js';

export type RunStatus = 'INITIAL' | 'STARTING' | 'ACTIVE' | 'SUCCESS' | 'FAILED';

export interface RunRecord {
  id: string;
  jobId: string;
  status: RunStatus;
  createdAtMs: number;
  completedAtMs: number | null;
  tasks: string[];
  /** The job spec the run started with. */
  spec: JobSpec;
}

export interface FinishedRun {
  id: string;
  createdAtMs: number;
  finishedAtMs: number;
  tasks: string[];
}

export interface JobHistory {
  successCount: number;
  failureCount: number;
  lastSuccessAtMs: number | null;
  lastFailureAtMs: number | null;
  successfulFinishedRuns: FinishedRun[];
  failedFinishedRuns: FinishedRun[];
}

export interface RunTask {
  runId: string;
  jobId: string;
  agentId: string;
  status: string;
  startedAtMs: number | null;
  completedAtMs: number | null;
}

export interface StoredJob {
  spec: JobSpec;
  schedules: Record<string, ScheduleSpec & { nextRunAtMs: number | null }>;
}

export interface JobsDocument {
  version: 1;
  frameworkId: string | null;
  model: JobsSnapshot | null;
  jobs: Record<string, StoredJob>;
  runs: Record<string, RunRecord>;
  history: Record<string, JobHistory>;
  tasks: Record<string, RunTask>;
}

/** Finished runs kept per job and outcome (Metronome's history is bounded too). */
export const HISTORY_KEPT = 25;

export function emptyHistory(): JobHistory {
  return {
    successCount: 0,
    failureCount: 0,
    lastSuccessAtMs: null,
    lastFailureAtMs: null,
    successfulFinishedRuns: [],
    failedFinishedRuns: [],
  };
}

export function recordFinished(history: JobHistory, run: RunRecord): void {
  const finished: FinishedRun = {
    id: run.id,
    createdAtMs: run.createdAtMs,
    finishedAtMs: run.completedAtMs ?? run.createdAtMs,
    tasks: run.tasks,
  };
  if (run.status === 'SUCCESS') {
    history.successCount++;
    history.lastSuccessAtMs = finished.finishedAtMs;
    history.successfulFinishedRuns = [finished, ...history.successfulFinishedRuns].slice(0, HISTORY_KEPT);
  } else {
    history.failureCount++;
    history.lastFailureAtMs = finished.finishedAtMs;
    history.failedFinishedRuns = [finished, ...history.failedFinishedRuns].slice(0, HISTORY_KEPT);
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function newRunId(nowMs: number): string {
  const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return `${stamp}${suffix}`;
}

/** Metronome's time format: `2016-07-15T13:02:59.735+0000`. */
export function metronomeTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().replace('Z', '+0000');
}
