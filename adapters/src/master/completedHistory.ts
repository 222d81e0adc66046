/**
 * What the classic endpoints show of the past, bounded as Mesos bounds it:
 * the last `maxCompletedFrameworks` removed frameworks (Mesos's
 * `--max_completed_frameworks`, default 50) and, per framework, the last
 * `maxCompletedTasksPerFramework` ended tasks (`--max_completed_tasks_per_framework`,
 * default 1000). Frameworks are remembered by reference when they subscribe
 * (or are restored), so that a removed one can still be shown with its tasks'
 * final states. In memory only, as in Mesos: a restarted master starts with
 * no completed frameworks.
 */
import type { Command, Master, StepResult, Task } from '@allot/kernel';
import { isTerminal } from '@allot/kernel';
import type { FrameworkRecord } from './hostRegistry.js';

export type KernelFramework = Master['frameworks'] extends Map<string, infer F> ? F : never;

export const DEFAULT_MAX_COMPLETED_FRAMEWORKS = 50;
export const DEFAULT_MAX_COMPLETED_TASKS_PER_FRAMEWORK = 1000;

export interface CompletedFramework {
  framework: KernelFramework;
  record: FrameworkRecord | undefined;
  removedAtMs: number;
}

export interface HistoryLimits {
  maxCompletedFrameworks: number;
  maxCompletedTasksPerFramework: number;
}

export class CompletedHistory {
  readonly limits: HistoryLimits;
  readonly #known = new Map<string, { framework: KernelFramework; record: FrameworkRecord | undefined }>();
  #completed: CompletedFramework[] = [];

  constructor(limits: Partial<HistoryLimits> = {}) {
    this.limits = {
      maxCompletedFrameworks: limits.maxCompletedFrameworks ?? DEFAULT_MAX_COMPLETED_FRAMEWORKS,
      maxCompletedTasksPerFramework: limits.maxCompletedTasksPerFramework ?? DEFAULT_MAX_COMPLETED_TASKS_PER_FRAMEWORK,
    };
  }

  /** Remembers every framework the master has now (after a recovery). */
  seed(master: Master, records: ReadonlyMap<string, FrameworkRecord>): void {
    for (const [id, framework] of master.frameworks) this.#known.set(id, { framework, record: records.get(id) });
  }

  /** Step listener; must run before the daemon forgets a removed framework's record. */
  observe(master: Master, records: ReadonlyMap<string, FrameworkRecord>, _command: Command, result: StepResult): void {
    for (const event of result.events) {
      if (event.type === 'framework.subscribed') {
        const framework = master.frameworks.get(event.frameworkId);
        if (framework) this.#known.set(event.frameworkId, { framework, record: records.get(event.frameworkId) });
      } else if (event.type === 'framework.removed') {
        const known = this.#known.get(event.frameworkId);
        this.#known.delete(event.frameworkId);
        if (!known) continue;
        this.#completed.push({
          framework: known.framework,
          record: records.get(event.frameworkId) ?? known.record,
          removedAtMs: event.atMs,
        });
        if (this.#completed.length > this.limits.maxCompletedFrameworks)
          this.#completed = this.#completed.slice(-this.limits.maxCompletedFrameworks);
      }
    }
  }

  /** Removed frameworks, oldest first. */
  completedFrameworks(): readonly CompletedFramework[] {
    return this.#completed;
  }

  /** A framework's ended tasks, most recent first, at most the per-framework limit. */
  completedTasks(framework: KernelFramework): Task[] {
    const ended: Task[] = [];
    for (const task of framework.tasks.values()) if (isTerminal(task.state)) ended.push(task);
    ended.sort((a, b) => (b.latest?.timestampMs ?? 0) - (a.latest?.timestampMs ?? 0));
    return ended.slice(0, this.limits.maxCompletedTasksPerFramework);
  }
}
