/**
 * What the runtime checkpoints under `<workDir>/meta/` so that a new agent
 * process can pick up where a dead one stopped: one record per task
 * (`tasks/<frameworkId>/<taskId>.json`) and the status update manager's
 * pending updates (`status_updates.json`). Every write is atomic (see
 * atomicFile.ts). Records are written before the action they describe: the
 * record exists before the process is spawned, the pid before the process is
 * released, a kill before the first signal.
 */
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusUpdateManagerSnapshot, TaskState } from '@allot/kernel';
import { readJsonIfExists, removeFileDurably, writeJsonAtomic } from './atomicFile.js';
import type { TaskCheckSpec } from './taskCheck.js';
import type { HealthCheckSpec } from './healthCheck.js';
import type { ContainerLimits, Limitation } from './isolation/isolator.js';
import type { VolumeMount } from './persistentVolumes.js';
import type { TaskUser } from './sandbox.js';

export const TASK_RECORD_VERSION = 1;

export interface TaskRecord {
  version: typeof TASK_RECORD_VERSION;
  taskId: string;
  frameworkId: string;
  agentId: string;
  containerId: string;
  command: string;
  sandboxDir: string;
  user: TaskUser | null;
  env: Record<string, string>;
  limits: ContainerLimits;
  diskMb: number | null;
  healthCheck: HealthCheckSpec | null;
  /** Absent in records of older agents. */
  check?: TaskCheckSpec | null;
  volumes?: VolumeMount[];
  taskKillingState: boolean;
  /** The launcher wrapper's pid (also its process group); null until spawned. */
  pid: number | null;
  startTicks: number | null;
  launchedAtMs: number;
  /** The latest state the runtime reported. */
  state: TaskState;
  kill: { requestedAtMs: number; gracePeriodMs: number; reason: 'requested' | 'health_check' } | null;
  limitation: Limitation | null;
  /** The executor the master named for the task; absent: the task's own (command) executor, named after the task. */
  executorId?: string;
}

export class CheckpointStore {
  readonly metaDir: string;

  constructor(workDir: string) {
    this.metaDir = join(workDir, 'meta');
  }

  recordPath(frameworkId: string, taskId: string): string {
    return join(this.metaDir, 'tasks', frameworkId, `${taskId}.json`);
  }

  saveTask(record: TaskRecord): void {
    writeJsonAtomic(this.recordPath(record.frameworkId, record.taskId), record);
  }

  removeTask(frameworkId: string, taskId: string): void {
    removeFileDurably(this.recordPath(frameworkId, taskId));
    try {
      rmdirSync(join(this.metaDir, 'tasks', frameworkId));
    } catch {
      // Other tasks of the framework remain.
    }
  }

  loadTasks(): TaskRecord[] {
    const out: TaskRecord[] = [];
    const tasksDir = join(this.metaDir, 'tasks');
    for (const frameworkId of listDirectory(tasksDir)) {
      for (const file of listDirectory(join(tasksDir, frameworkId))) {
        if (!file.endsWith('.json') || file.startsWith('.')) continue;
        const record = readJsonIfExists<TaskRecord>(join(tasksDir, frameworkId, file));
        if (record === null) continue;
        if (record.version !== TASK_RECORD_VERSION)
          throw new Error(`task record ${file} has version ${record.version}; this agent reads ${TASK_RECORD_VERSION}`);
        out.push(record);
      }
    }
    return out.sort((a, b) => a.launchedAtMs - b.launchedAtMs || (a.taskId < b.taskId ? -1 : 1));
  }

  saveStatusUpdates(snapshot: StatusUpdateManagerSnapshot): void {
    writeJsonAtomic(join(this.metaDir, 'status_updates.json'), snapshot);
  }

  loadStatusUpdates(): StatusUpdateManagerSnapshot | null {
    return readJsonIfExists<StatusUpdateManagerSnapshot>(join(this.metaDir, 'status_updates.json'));
  }
}

function listDirectory(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
