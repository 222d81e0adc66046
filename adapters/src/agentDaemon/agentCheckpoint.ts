/**
 * What the agent daemon keeps beside the runtime's own checkpoints, under
 * `<workDir>/daemon/`: its agent id (so that it re-registers as itself), the
 * total the master last told it to checkpoint (reservations and volumes
 * included), and per task what the master needs to hear on re-registration
 * (role, resources in Mesos JSON). Atomic writes, as everywhere.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonIfExists, removeFileDurably, writeJsonAtomic } from '../agent/atomicFile.js';

export interface TaskCheckpoint {
  frameworkId: string;
  taskId: string;
  name: string;
  role: string;
  executorId: string;
  resources: unknown[];
  /** The ExecutorInfo of a DEFAULT executor the task runs under (the agent runs it; reported on re-registration). */
  defaultExecutor?: Record<string, unknown>;
}

export class AgentCheckpoint {
  readonly #dir: string;

  constructor(workDir: string) {
    this.#dir = join(workDir, 'daemon');
  }

  /** The agent's id: read back after a restart, created on the first start. */
  agentId(): string {
    const path = join(this.#dir, 'agent.json');
    const stored = readJsonIfExists<{ agentId: string }>(path);
    if (stored?.agentId) return stored.agentId;
    const agentId = randomUUID();
    writeJsonAtomic(path, { agentId });
    return agentId;
  }

  resources(): unknown[] | null {
    return readJsonIfExists<{ resources: unknown[] }>(join(this.#dir, 'resources.json'))?.resources ?? null;
  }

  saveResources(resources: unknown[]): void {
    writeJsonAtomic(join(this.#dir, 'resources.json'), { resources });
  }

  saveTask(task: TaskCheckpoint): void {
    writeJsonAtomic(this.#taskPath(task.frameworkId, task.taskId), task);
  }

  task(frameworkId: string, taskId: string): TaskCheckpoint | null {
    return readJsonIfExists<TaskCheckpoint>(this.#taskPath(frameworkId, taskId));
  }

  removeTask(frameworkId: string, taskId: string): void {
    removeFileDurably(this.#taskPath(frameworkId, taskId));
    try {
      rmdirSync(join(this.#dir, 'tasks', frameworkId));
    } catch {
      // Other tasks of the framework remain.
    }
  }

  /** Every task checkpoint, as [frameworkId, taskId] pairs. */
  taskKeys(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const frameworkId of list(join(this.#dir, 'tasks'))) {
      for (const file of list(join(this.#dir, 'tasks', frameworkId)))
        if (file.endsWith('.json') && !file.startsWith('.')) out.push([frameworkId, file.slice(0, -5)]);
    }
    return out;
  }

  #taskPath(frameworkId: string, taskId: string): string {
    return join(this.#dir, 'tasks', frameworkId, `${taskId}.json`);
  }
}

function list(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
