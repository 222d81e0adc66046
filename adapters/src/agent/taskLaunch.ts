/**
 * The launch path of a command task: record first (checkpointed), then the
 * sandbox, the fetched URIs (fetcher.ts), the container, the wrapper process
 * (stopped before the command), its pid checkpointed, the cgroup attach,
 * and only then "go" and TASK_RUNNING. Any failure on the way cleans up and
 * ends the task with TASK_FAILED / REASON_CONTAINER_LAUNCH_FAILED (a failed
 * fetch: REASON_FETCHER_FAILED), so a refused launch always produces a
 * terminal status update.
 */
import { randomUUID } from 'node:crypto';
import type { CheckpointStore, TaskRecord } from './checkpointStore.js';
import { FetchError, fetchTaskUris } from './fetcher.js';
import type { Isolator } from './isolation/isolator.js';
import { containerLimits, diskLimitMb, taskEnvironment } from './launchSpec.js';
import type { LaunchTaskSpec } from './launchSpec.js';
import { attachVolumes } from './persistentVolumes.js';
import { createSandbox, sandboxPath } from './sandbox.js';
import type { TaskUser } from './sandbox.js';
import type { TaskSupervisor } from './taskSupervisor.js';
import { TaskProcess } from './taskProcess.js';

export interface LaunchContext {
  agentId: string;
  workDir: string;
  isolator: Isolator;
  store: CheckpointStore;
  supervisor: TaskSupervisor;
  taskEnv: Readonly<Record<string, string>>;
  defaultPidsMax: number | null;
  /** Start the task in a mount namespace with its sandbox's tmp as /tmp (privateTmp.ts). */
  privateTmp: boolean;
}

export type LaunchOutcome = { ok: true; containerId: string; sandboxDir: string } | { ok: false; code: 'launch_failed'; message: string };

/**
 * `user`: who the task runs as (null: the agent's own user), or why it cannot run (a message). `memMb`: the
 * container's memory limit, the task's mem or the agent's default (taskMemory.ts); null = unlimited.
 */
export async function launchCommandTask(
  context: LaunchContext,
  spec: LaunchTaskSpec,
  user: TaskUser | null | string,
  memMb: number | null,
): Promise<LaunchOutcome> {
  const { supervisor, store, isolator } = context;
  const nowMs = supervisor.now();
  const containerId = randomUUID();
  const sandboxDir = sandboxPath(context.workDir, spec.frameworkId, spec.taskId);
  const record: TaskRecord = {
    version: 1,
    taskId: spec.taskId,
    frameworkId: spec.frameworkId,
    agentId: context.agentId,
    containerId,
    command: spec.command,
    sandboxDir,
    user: typeof user === 'string' ? null : user,
    env: taskEnvironment(spec, {
      agentId: context.agentId,
      sandboxDir,
      base: context.taskEnv,
      userName: typeof user === 'string' ? null : (user?.name ?? null),
    }),
    limits: { ...containerLimits(spec, context.defaultPidsMax), memMb },
    diskMb: diskLimitMb(spec),
    healthCheck: spec.healthCheck ?? null,
    check: spec.check ?? null,
    volumes: spec.volumes ?? [],
    taskKillingState: spec.frameworkCapabilities?.includes('TASK_KILLING_STATE') ?? false,
    pid: null,
    startTicks: null,
    launchedAtMs: nowMs,
    state: 'TASK_STAGING',
    kill: null,
    limitation: null,
    ...(spec.executorId !== undefined ? { executorId: spec.executorId } : {}),
  };
  const task = supervisor.track(record);
  store.saveTask(record);
  supervisor.logger.info({ taskId: spec.taskId, frameworkId: spec.frameworkId, containerId, sandboxDir }, 'launching task');
  try {
    if (typeof user === 'string') throw new Error(user);
    createSandbox(sandboxDir, record.user, nowMs);
    attachVolumes(sandboxDir, record.volumes ?? [], record.user);
    await fetchTaskUris(spec.uris, sandboxDir, context.workDir, record.user);
    await isolator.prepare(containerId, record.limits);
    task.process = await TaskProcess.spawn({
      command: spec.command,
      sandboxDir,
      env: record.env,
      user: record.user,
      privateTmp: context.privateTmp,
      keptDirs: (record.volumes ?? []).map((volume) => volume.hostPath),
    });
    record.pid = task.process.pid;
    record.startTicks = task.process.startTicks;
    store.saveTask(record);
    await isolator.attach(containerId, task.process.pid);
  } catch (error) {
    const fetchFailed = error instanceof FetchError;
    const message = fetchFailed ? error.message : `launch failed: ${(error as Error).message}`;
    supervisor.logger.error({ taskId: spec.taskId, frameworkId: spec.frameworkId, containerId, err: error }, 'task launch failed');
    task.process?.signal('SIGKILL');
    await supervisor.cleanupContainer(record);
    supervisor.finish(task, 'TASK_FAILED', { reason: fetchFailed ? 'REASON_FETCHER_FAILED' : 'REASON_CONTAINER_LAUNCH_FAILED', message });
    return { ok: false, code: 'launch_failed', message };
  }
  void supervisor.watch(task);
  try {
    if (!record.kill) {
      task.process.release();
      // A kill asked for meanwhile waits (see beginKill): a signal before the command's shell runs is lost or misread.
      task.released = await task.process.started;
    }
    if (record.kill) {
      // Killed while launching: SIGKILL before (or as) the command starts.
      task.process.signal('SIGKILL');
    } else if (task.released) {
      supervisor.emit(task, record, 'TASK_RUNNING', {});
      supervisor.startMonitoring(task);
    }
  } finally {
    task.resolveLaunched();
  }
  return { ok: true, containerId, sandboxDir };
}
