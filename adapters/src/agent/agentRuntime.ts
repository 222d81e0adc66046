/**
 * The agent's task runtime: launches tasks as isolated processes, kills them
 * with a grace period, watches limits (OOM, disk) and health, and turns all of
 * it into reliable status updates (uuid, checkpointed, resent until
 * acknowledged, via the kernel's StatusUpdateManager). Every task record and
 * pending update is checkpointed under `<workDir>/meta/`, so a new runtime on
 * the same work dir re-adopts live tasks and reports the ones that ended while
 * it was away. Invariants: one terminal update per task, sent after its
 * container (cgroups, stray processes) is cleaned up; a record is removed only
 * when the framework has acknowledged the task's terminal update. Tasks are
 * keyed by (framework id, task id): a task id is unique only within its
 * framework. The launch path (taskLaunch.ts), recovery (taskRecovery.ts) and
 * a task's life after launch (taskSupervisor.ts) live beside this file.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AcknowledgeResult, StatusUpdate, TaskState } from '@allot/kernel';
import { CheckpointStore } from './checkpointStore.js';
import { ExecutorManager } from './executorManager.js';
import type { ExecutorDeps, ExecutorTaskSpec } from './executorManager.js';
import type { ContainerUsage, Isolator } from './isolation/isolator.js';
import { validateLaunchSpec } from './launchSpec.js';
import type { LaunchTaskSpec } from './launchSpec.js';
import type { LiveTask } from './liveTask.js';
import type { AgentLogger } from './logger.js';
import { silentLogger } from './logger.js';
import { lookupUser, untraversableDirectory } from './sandbox.js';
import type { TaskUser } from './sandbox.js';
import { StatusUpdateSender } from './statusUpdateSender.js';
import { privateTmpProblem } from './privateTmp.js';
import { launchCommandTask } from './taskLaunch.js';
import type { TaskMemoryPolicy } from './taskMemory.js';
import { boundedMemory, TASK_MEMORY_DEFAULT } from './taskMemory.js';
import { recoverWorkDir } from './taskRecovery.js';
import { TaskSupervisor } from './taskSupervisor.js';

export interface AgentRuntimeOptions {
  workDir: string;
  agentId: string;
  isolator: Isolator;
  /** Called with every update that must go to the master now (first sends and resends). */
  onStatusUpdate: (update: StatusUpdate) => void;
  logger?: AgentLogger;
  /** Timestamps and retry bookkeeping; default Date.now. */
  clock?: () => number;
  /** Resend due updates from a timer; off in tests that drive `tick()` with a fake clock. Default true. */
  autoResend?: boolean;
  /** Who tasks run as when the agent is root; default "nobody". Ignored when not root. */
  taskUser?: string;
  /** Per-container process limit unless the task sets one; null = none. Default 4096. */
  defaultPidsMax?: number | null;
  /** Grace between SIGTERM and SIGKILL when `kill` is given none; default 3000 (Mesos's kill policy default). */
  defaultKillGracePeriodMs?: number;
  /** How often limits (OOM) are polled while a task runs; default 1000. */
  monitorIntervalMs?: number;
  /** How often sandboxes are measured against the disk limit; default 15000 (Mesos's disk watch interval). */
  diskCheckIntervalMs?: number;
  /** How often an adopted (recovered) process is polled for its exit; default 250. */
  adoptedPollMs?: number;
  /** Base environment of every task (defaults: PATH, HOME = sandbox, TMPDIR = sandbox/tmp). */
  taskEnv?: Readonly<Record<string, string>>;
  /** The memory limit of tasks that ask for none (taskMemory.ts); default 256 MB. */
  taskMemory?: TaskMemoryPolicy;
  /** Give each task a private /tmp inside its sandbox (privateTmp.ts); default: when the agent can (root, util-linux). */
  privateTmp?: boolean;
  /** For custom executors: where the agent's HTTP server listens, what it says of itself, and what executors report. */
  executors?: Pick<
    ExecutorDeps,
    | 'endpoint'
    | 'agentInfo'
    | 'onExited'
    | 'onMessage'
    | 'registrationTimeoutMs'
    | 'shutdownGraceMs'
    | 'reregistrationTimeoutMs'
    | 'recoveryTimeoutMs'
  >;
}

export type LaunchResult =
  | { ok: true; containerId: string; sandboxDir: string }
  | { ok: false; code: 'invalid_task' | 'duplicate_task' | 'launch_failed' | 'closed'; message: string };

export type KillResult = { ok: true } | { ok: false; code: 'unknown_task'; message: string };

export interface TaskInfo {
  taskId: string;
  frameworkId: string;
  executorId: string;
  state: TaskState;
  containerId: string;
  sandboxDir: string;
  pid: number | null;
  healthy: boolean | null;
}

export class AgentRuntime {
  readonly agentId: string;
  readonly workDir: string;
  /** Things the operator should know, e.g. that limits are not enforced; also logged at start. */
  readonly warnings: string[] = [];
  readonly #options: Required<Omit<AgentRuntimeOptions, 'taskUser' | 'logger' | 'executors' | 'privateTmp'>>;
  readonly #privateTmp: boolean;
  readonly #isolator: Isolator;
  readonly #logger: AgentLogger;
  readonly #store: CheckpointStore;
  readonly #taskUser: TaskUser | null;
  readonly #updates: StatusUpdateSender;
  readonly #supervisor: TaskSupervisor;
  readonly #executors: ExecutorManager;
  #closed = false;

  private constructor(options: AgentRuntimeOptions) {
    this.agentId = options.agentId;
    this.workDir = options.workDir;
    this.#isolator = options.isolator;
    this.#logger = options.logger ?? silentLogger;
    this.#store = new CheckpointStore(options.workDir);
    this.#options = {
      workDir: options.workDir,
      agentId: options.agentId,
      isolator: options.isolator,
      onStatusUpdate: options.onStatusUpdate,
      clock: options.clock ?? Date.now,
      autoResend: options.autoResend ?? true,
      defaultPidsMax: options.defaultPidsMax === undefined ? 4096 : options.defaultPidsMax,
      defaultKillGracePeriodMs: options.defaultKillGracePeriodMs ?? 3000,
      monitorIntervalMs: options.monitorIntervalMs ?? 1000,
      diskCheckIntervalMs: options.diskCheckIntervalMs ?? 15_000,
      adoptedPollMs: options.adoptedPollMs ?? 250,
      taskEnv: options.taskEnv ?? {},
      taskMemory: options.taskMemory ?? TASK_MEMORY_DEFAULT,
    };
    this.#privateTmp = options.privateTmp ?? privateTmpProblem() === null;
    this.#updates = new StatusUpdateSender({
      store: this.#store,
      clock: this.#options.clock,
      autoResend: this.#options.autoResend,
      send: options.onStatusUpdate,
      logger: this.#logger,
    });
    this.#supervisor = new TaskSupervisor({
      agentId: options.agentId,
      isolator: options.isolator,
      store: this.#store,
      updates: this.#updates,
      logger: this.#logger,
      clock: this.#options.clock,
      defaultKillGracePeriodMs: this.#options.defaultKillGracePeriodMs,
      monitorIntervalMs: this.#options.monitorIntervalMs,
      diskCheckIntervalMs: this.#options.diskCheckIntervalMs,
      isClosed: () => this.#closed,
    });
    this.#executors = new ExecutorManager({
      agentId: options.agentId,
      workDir: options.workDir,
      isolator: options.isolator,
      store: this.#store,
      supervisor: this.#supervisor,
      defaultPidsMax: this.#options.defaultPidsMax,
      taskMemory: this.#options.taskMemory,
      privateTmp: this.#privateTmp,
      endpoint: () => '127.0.0.1:5051',
      agentInfo: () => ({ id: { value: options.agentId } }),
      onExited: () => undefined,
      onMessage: () => undefined,
      ...options.executors,
    });
    const root = process.getuid?.() === 0;
    const userName = options.taskUser ?? 'nobody';
    this.#taskUser = root ? lookupUser(userName) : null;
    if (root && this.#taskUser === null) throw new Error(`task user "${userName}" does not exist`);
  }

  /**
   * Opens the work dir, recovers checkpointed tasks (re-adopting live
   * processes, reporting ended ones), removes containers nobody owns, and
   * resends every pending status update.
   */
  static async create(options: AgentRuntimeOptions): Promise<AgentRuntime> {
    const runtime = new AgentRuntime(options);
    await runtime.#start();
    return runtime;
  }

  /**
   * Launches a command task. A (framework, task) pair the agent still runs is
   * refused as a repeat (its own updates report it); one that ended with its
   * terminal update unacknowledged is superseded: the master launched it
   * again, so the old updates are moot. Every other refusal ends the task with
   * a terminal update (TASK_ERROR for an invalid spec, TASK_FAILED when the
   * launch fails).
   */
  async launch(spec: LaunchTaskSpec): Promise<LaunchResult> {
    if (this.#closed) return { ok: false, code: 'closed', message: 'the runtime is closed' };
    const existing = this.#supervisor.tasks.get(spec.frameworkId, spec.taskId);
    if (existing && !existing.ended)
      return {
        ok: false,
        code: 'duplicate_task',
        message: `task ${spec.taskId} of framework ${spec.frameworkId} is already running on this agent (${existing.record.state})`,
      };
    const superseded = this.#updates.discard(spec.frameworkId, spec.taskId);
    if (existing || superseded > 0) {
      this.#logger.warn({ taskId: spec.taskId, frameworkId: spec.frameworkId, superseded }, 'a relaunch supersedes an ended task');
      this.#supervisor.forget(spec.frameworkId, spec.taskId);
    }
    const memory = boundedMemory(spec, this.#options.taskMemory);
    const problem = validateLaunchSpec(spec) ?? (memory.ok ? null : memory);
    if (problem) {
      this.#supervisor.emit(null, spec, 'TASK_ERROR', { reason: 'REASON_TASK_INVALID', message: problem.message });
      return problem;
    }
    return launchCommandTask(
      {
        agentId: this.agentId,
        workDir: this.workDir,
        isolator: this.#isolator,
        store: this.#store,
        supervisor: this.#supervisor,
        taskEnv: this.#options.taskEnv,
        defaultPidsMax: this.#options.defaultPidsMax,
        privateTmp: this.#privateTmp,
      },
      spec,
      this.#userFor(spec),
      memory.ok ? memory.memMb : null,
    );
  }

  /** Launches a task run by a custom executor (started first if it is not running); see executorManager.ts. */
  async launchWithExecutor(spec: ExecutorTaskSpec): Promise<LaunchResult> {
    if (this.#closed) return { ok: false, code: 'closed', message: 'the runtime is closed' };
    const existing = this.#supervisor.tasks.get(spec.frameworkId, spec.taskId);
    if (existing && !existing.ended)
      return {
        ok: false,
        code: 'duplicate_task',
        message: `task ${spec.taskId} of framework ${spec.frameworkId} is already running on this agent`,
      };
    if (existing || this.#updates.discard(spec.frameworkId, spec.taskId) > 0) this.#supervisor.forget(spec.frameworkId, spec.taskId);
    const memory = boundedMemory(spec, this.#options.taskMemory);
    const problem = validateLaunchSpec({ ...spec, command: spec.command || 'executor' }) ?? (memory.ok ? null : memory);
    if (problem) {
      this.#supervisor.emit(null, spec, 'TASK_ERROR', { reason: 'REASON_TASK_INVALID', message: problem.message });
      return problem;
    }
    const user = this.#userFor(spec);
    if (typeof user === 'string') {
      this.#supervisor.emit(null, spec, 'TASK_FAILED', { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: user });
      return { ok: false, code: 'launch_failed', message: user };
    }
    const launched = await this.#executors.launch(spec, user);
    if (!launched.ok) return { ok: false, code: 'launch_failed', message: launched.message };
    const task = this.#supervisor.tasks.get(spec.frameworkId, spec.taskId)!;
    return { ok: true, containerId: task.record.containerId, sandboxDir: task.record.sandboxDir };
  }

  /** The v1 executor API's side (SUBSCRIBE, UPDATE, MESSAGE) and the master's executor messages. */
  get executors(): ExecutorManager {
    return this.#executors;
  }

  /**
   * SIGTERM to the task's process group, SIGKILL after `gracePeriodMs`;
   * TASK_KILLING first when the framework can take it, TASK_KILLED when the
   * process is gone. Killing a task that is already ending is a no-op.
   */
  kill(frameworkId: string, taskId: string, gracePeriodMs = this.#options.defaultKillGracePeriodMs): KillResult {
    const task = this.#supervisor.tasks.get(frameworkId, taskId);
    if (!task || this.#closed)
      return { ok: false, code: 'unknown_task', message: `task ${taskId} of framework ${frameworkId} is not running on this agent` };
    if (task.record.executorId !== undefined && task.record.pid === null) this.#executors.kill(task, gracePeriodMs);
    else this.#supervisor.beginKill(task, gracePeriodMs, 'requested');
    return { ok: true };
  }

  /** The framework acknowledged an update: send the task's next one, forget the task after its terminal one. */
  acknowledge(frameworkId: string, taskId: string, uuid: string): AcknowledgeResult {
    if (this.#closed) return { ok: false, code: 'unknown_task', message: 'the runtime is closed' };
    const record = this.#supervisor.tasks.get(frameworkId, taskId)?.record;
    const result = this.#updates.acknowledge(frameworkId, taskId, uuid);
    if (result.ok && record?.executorId !== undefined && record.pid === null)
      this.#executors.acknowledged(frameworkId, taskId, record.executorId, uuid);
    if (!result.ok) this.#logger.debug({ frameworkId, taskId, uuid, code: result.code }, 'acknowledgement ignored');
    else if (result.terminal && result.next === null) this.#supervisor.forget(frameworkId, taskId);
    return result;
  }

  /** Resends the updates whose retry time has come (driven by a timer unless `autoResend` is off). Returns how many. */
  tick(): number {
    return this.#updates.tick();
  }

  /** Sends every update in flight again, e.g. after (re-)registering with a master. */
  resendPending(): number {
    return this.#updates.resendInFlight();
  }

  tasks(): TaskInfo[] {
    return [...this.#supervisor.tasks.values()].map(taskInfo);
  }

  /** One task, or null when the agent does not know it (any more). */
  task(frameworkId: string, taskId: string): TaskInfo | null {
    const live = this.#supervisor.tasks.get(frameworkId, taskId);
    return live ? taskInfo(live) : null;
  }

  async usage(frameworkId: string, taskId: string): Promise<ContainerUsage | null> {
    const task = this.#supervisor.tasks.get(frameworkId, taskId);
    if (!task || task.ended) return null;
    return this.#isolator.usage(task.record.containerId);
  }

  /** Resolves with the task's terminal state once it is reported; null for an unknown task. */
  whenTerminal(frameworkId: string, taskId: string): Promise<TaskState> | null {
    return this.#supervisor.tasks.get(frameworkId, taskId)?.terminal ?? null;
  }

  /** Updates queued for a task, the one in flight first. */
  pendingUpdates(frameworkId: string, taskId: string): readonly StatusUpdate[] {
    return this.#updates.pending(frameworkId, taskId);
  }

  /**
   * Stops timers and lets go of the processes without killing them: the tasks
   * keep running, and a new runtime on the same work dir recovers them.
   */
  close(): void {
    this.#closed = true;
    this.#updates.close();
    this.#executors.close();
    for (const task of this.#supervisor.tasks.values()) {
      this.#supervisor.stopWatching(task);
      task.process?.detach();
    }
  }

  async #start(): Promise<void> {
    mkdirSync(join(this.workDir, 'meta'), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.workDir, 'sandboxes'), { recursive: true, mode: 0o755 });
    chmodSync(join(this.workDir, 'sandboxes'), 0o755);
    if (this.#isolator.warning) this.warnings.push(this.#isolator.warning);
    if (this.#taskUser && !this.#privateTmp)
      this.warnings.push(
        `tasks share the host's /tmp (${privateTmpProblem() ?? 'turned off'}): what they write there escapes their disk quota`,
      );
    const blocked = this.#taskUser ? untraversableDirectory(join(this.workDir, 'sandboxes')) : null;
    if (blocked)
      this.warnings.push(
        `${blocked} is not searchable by other users: tasks running as ${this.#taskUser!.name} cannot reach their sandbox by absolute path`,
      );
    for (const warning of this.warnings) this.#logger.warn({ agentId: this.agentId }, warning);

    // Executors first: their recovered tasks go back to them.
    await this.#executors.recover(this.#store.loadExecutors(), this.#options.adoptedPollMs);
    const tasks = this.#store.loadTasks();
    await recoverWorkDir(this.#supervisor, this.#isolator, this.#updates, tasks, this.#options.adoptedPollMs, this.#executors);
    this.#logger.info(
      {
        agentId: this.agentId,
        isolator: this.#isolator.kind,
        tasks: this.#supervisor.tasks.size,
        executors: this.#executors.size,
        pendingUpdates: this.#updates.pendingCount,
      },
      'agent runtime started',
    );
    this.resendPending();
  }

  #userFor(spec: LaunchTaskSpec): TaskUser | null | string {
    if (this.#taskUser === null) return spec.user === undefined ? null : `cannot run as user "${spec.user}": the agent is not root`;
    if (spec.user === undefined) return this.#taskUser;
    return lookupUser(spec.user) ?? `user "${spec.user}" does not exist on this agent`;
  }
}

function taskInfo({ record, healthy }: LiveTask): TaskInfo {
  return {
    taskId: record.taskId,
    frameworkId: record.frameworkId,
    executorId: record.executorId ?? record.taskId,
    state: record.state,
    containerId: record.containerId,
    sandboxDir: record.sandboxDir,
    pid: record.pid,
    healthy,
  };
}
