/**
 * The memory limit of a task: what it asked for (`mem`), else the agent's
 * default, so that no task runs in an unlimited cgroup by omission. An
 * agent may instead refuse tasks that ask for no memory
 * (`--require-task-mem`); a default of null lets them run unlimited.
 */
import type { LaunchTaskSpec, SpecProblem } from './launchSpec.js';

/** Mesos gives a command task's executor 32 MB on top of the task; a shell and a small program fit in this. */
export const DEFAULT_TASK_MEM_MB = 256;

export interface TaskMemoryPolicy {
  /** The limit of a task that asks for no mem; null = unlimited. */
  defaultMemMb: number | null;
  /** Refuse (TASK_ERROR) a task that asks for no mem instead of giving it the default. */
  requireMem: boolean;
}

export const TASK_MEMORY_DEFAULT: TaskMemoryPolicy = { defaultMemMb: DEFAULT_TASK_MEM_MB, requireMem: false };

export function boundedMemory(spec: LaunchTaskSpec, policy: TaskMemoryPolicy): { ok: true; memMb: number | null } | SpecProblem {
  const asked = spec.resources?.mem;
  if (asked !== undefined && asked > 0) return { ok: true, memMb: asked };
  if (policy.requireMem)
    return {
      ok: false,
      code: 'invalid_task',
      message: 'the task asks for no mem, and this agent runs no task without a memory limit (--require-task-mem)',
    };
  return { ok: true, memMb: policy.defaultMemMb };
}
