/**
 * Starting a custom executor: its sandbox (`<workDir>/executors/<fw>/<id>`),
 * its container sized by the first task, and its command as a process with
 * Mesos's executor environment; and the task records of an executor's tasks
 * (no process of their own: the executor reports their states). The manager
 * (executorManager.ts) keeps what this starts.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointStore, TaskRecord } from './checkpointStore.js';
import { TASK_RECORD_VERSION } from './checkpointStore.js';
import type { ExecutorTaskSpec } from './executorProtocol.js';
import {
  EXECUTOR_RECOVERY_TIMEOUT_MS,
  EXECUTOR_REREGISTRATION_TIMEOUT_MS,
  EXECUTOR_SHUTDOWN_GRACE_MS,
  executorEnvironment,
} from './executorProtocol.js';
import type { Isolator } from './isolation/isolator.js';
import { containerLimits } from './launchSpec.js';
import { createSandbox } from './sandbox.js';
import type { TaskMemoryPolicy } from './taskMemory.js';
import { boundedMemory } from './taskMemory.js';
import type { TaskUser } from './sandbox.js';
import type { ExitStatus } from './taskProcess.js';
import { TaskProcess } from './taskProcess.js';
import type { TaskSupervisor } from './taskSupervisor.js';

type Json = Record<string, any>;

/** Where an executor's events go: its subscription stream. */
export interface EventSink {
  send(event: unknown): boolean;
  close(last?: unknown): void;
  onClose(listener: () => void): void;
}

export interface ExecutorDeps {
  agentId: string;
  workDir: string;
  isolator: Isolator;
  store: CheckpointStore;
  supervisor: TaskSupervisor;
  defaultPidsMax: number | null;
  /** The container's memory limit when the first task asks for no mem (as for command tasks). */
  taskMemory: TaskMemoryPolicy;
  /** The executor (and so its tasks) gets a private /tmp in its sandbox, as command tasks do (privateTmp.ts). */
  privateTmp: boolean;
  /** `ip:port` of the agent's HTTP server (MESOS_AGENT_ENDPOINT). */
  endpoint: () => string;
  agentInfo: () => Json;
  onExited: (frameworkId: string, executorId: string, status: ExitStatus) => void;
  onMessage: (frameworkId: string, executorId: string, data: string) => void;
  registrationTimeoutMs?: number;
  shutdownGraceMs?: number;
  /** How long a recovered executor has to subscribe again after an agent restart (Mesos's --executor_reregistration_timeout). */
  reregistrationTimeoutMs?: number;
  /** How long a disconnected executor of a checkpointing framework keeps retrying (MESOS_RECOVERY_TIMEOUT). */
  recoveryTimeoutMs?: number;
}

export interface Executor {
  frameworkId: string;
  executorId: string;
  containerId: string;
  sandboxDir: string;
  info: Json;
  /** The role its resources are charged to (reported to the master when the agent registers again). */
  role: string;
  frameworkInfo: Json;
  process: TaskProcess | null;
  sink: EventSink | null;
  /** Events for the executor before it subscribed. */
  queued: Json[];
  groups: Map<string, { size: number; tasks: Json[] }>;
  tasks: Set<string>;
  timer: NodeJS.Timeout | null;
  shuttingDown: boolean;
  /** Taken back by a restarted agent and not subscribed again yet (executorRecovery.ts). */
  recovered?: boolean;
  /** Killed because it did not subscribe again in time after an agent restart. */
  reregistrationTimedOut?: boolean;
}

export function executorTaskRecord(spec: ExecutorTaskSpec, deps: ExecutorDeps, executor: Executor | undefined): TaskRecord {
  return {
    version: 1,
    taskId: spec.taskId,
    frameworkId: spec.frameworkId,
    agentId: deps.agentId,
    containerId: executor?.containerId ?? '',
    command: '',
    sandboxDir: executor?.sandboxDir ?? '',
    user: null,
    env: {},
    limits: containerLimits(spec, deps.defaultPidsMax),
    diskMb: null,
    healthCheck: null,
    taskKillingState: spec.frameworkCapabilities?.includes('TASK_KILLING_STATE') ?? false,
    pid: null,
    startTicks: null,
    launchedAtMs: deps.supervisor.now(),
    state: 'TASK_STAGING',
    kill: null,
    limitation: null,
    executorId: spec.executorId,
  };
}

/** Starts the executor's process in its sandbox and container; on failure nothing is left behind. */
export async function startExecutor(
  spec: ExecutorTaskSpec,
  user: TaskUser | null,
  deps: ExecutorDeps,
): Promise<{ ok: true; executor: Executor } | { ok: false; message: string }> {
  const { supervisor, isolator } = deps;
  const sandboxDir = join(deps.workDir, 'executors', spec.frameworkId, spec.executorId);
  const executor: Executor = {
    frameworkId: spec.frameworkId,
    executorId: spec.executorId,
    containerId: randomUUID(),
    sandboxDir,
    info: spec.executor.info,
    role: spec.executor.role ?? '*',
    frameworkInfo: { ...spec.frameworkInfo, id: { value: spec.frameworkId } },
    process: null,
    sink: null,
    queued: [],
    groups: new Map(),
    tasks: new Set(),
    timer: null,
    shuttingDown: false,
  };
  try {
    mkdirSync(join(deps.workDir, 'executors'), { recursive: true, mode: 0o755 });
    createSandbox(sandboxDir, user, supervisor.now());
    const memory = boundedMemory(spec, deps.taskMemory);
    await isolator.prepare(executor.containerId, {
      ...containerLimits(spec, deps.defaultPidsMax),
      memMb: memory.ok ? memory.memMb : null,
    });
    const env = executorEnvironment(spec, {
      agentId: deps.agentId,
      endpoint: deps.endpoint(),
      sandboxDir,
      user,
      shutdownGraceMs: deps.shutdownGraceMs ?? EXECUTOR_SHUTDOWN_GRACE_MS,
      reregistrationTimeoutMs: deps.reregistrationTimeoutMs ?? EXECUTOR_REREGISTRATION_TIMEOUT_MS,
      recoveryTimeoutMs: deps.recoveryTimeoutMs ?? EXECUTOR_RECOVERY_TIMEOUT_MS,
    });
    const limits = containerLimits(spec, deps.defaultPidsMax);
    executor.process = await TaskProcess.spawn({ command: spec.executor.command, sandboxDir, env, user, privateTmp: deps.privateTmp });
    await isolator.attach(executor.containerId, executor.process.pid);
    // Checkpointed before it runs: a restarted agent finds it (executorRecovery.ts).
    deps.store.saveExecutor({
      version: TASK_RECORD_VERSION,
      frameworkId: spec.frameworkId,
      executorId: spec.executorId,
      containerId: executor.containerId,
      sandboxDir,
      info: executor.info,
      frameworkInfo: executor.frameworkInfo,
      role: executor.role,
      limits,
      pid: executor.process.pid,
      startTicks: executor.process.startTicks,
    });
    executor.process.release();
  } catch (error) {
    executor.process?.signal('SIGKILL');
    await isolator.cleanup(executor.containerId).catch(() => undefined);
    supervisor.logger.error({ frameworkId: spec.frameworkId, executorId: spec.executorId, err: error }, 'executor launch failed');
    return { ok: false, message: `executor launch failed: ${(error as Error).message}` };
  }
  supervisor.logger.info(
    { frameworkId: spec.frameworkId, executorId: spec.executorId, pid: executor.process.pid, sandboxDir },
    'executor started',
  );
  return { ok: true, executor };
}
