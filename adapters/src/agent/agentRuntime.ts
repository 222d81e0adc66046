/**
 * The agent's task runtime: launches tasks as isolated processes, kills them
 * with a grace period, watches limits (OOM, disk) and health, and turns all of
 * it into reliable status updates (uuid, checkpointed, resent until
 * acknowledged, via the kernel's StatusUpdateManager). Every task record and
 * pending update is checkpointed under `<workDir>/meta/`, so a new runtime on
 * the same work dir re-adopts live tasks and reports the ones that ended while
 * it was away. Invariants: one terminal update per task, sent after its
 * container (cgroups, stray processes) is cleaned up; a record is removed only
 * when the framework has acknowledged the task's terminal update.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isTerminal } from '@allot/kernel';
import type { TaskState } from '@allot/kernel';
import type { AcknowledgeResult, StatusUpdate } from '@allot/kernel';
import { CheckpointStore } from './checkpointStore.js';
import type { TaskRecord } from './checkpointStore.js';
import { CommandCheck } from './commandCheck.js';
import { FetchError, fetchTaskUris } from './fetcher.js';
import { CommandHealthChecker } from './healthCheck.js';
import type { ContainerUsage, Isolator } from './isolation/isolator.js';
import { diskLimitation } from './isolation/isolator.js';
import { isProcessAlive, signalProcessGroup } from './isolation/procStat.js';
import { containerLimits, diskLimitMb, taskEnvironment, validateLaunchSpec } from './launchSpec.js';
import type { LaunchTaskSpec } from './launchSpec.js';
import type { AgentLogger } from './logger.js';
import { attachVolumes, volumeLimitation } from './persistentVolumes.js';
import { silentLogger } from './logger.js';
import { createSandbox, directoryUsageBytes, lookupUser, sandboxPath } from './sandbox.js';
import type { TaskUser } from './sandbox.js';
import { StatusUpdateSender } from './statusUpdateSender.js';
import { privateTmpProblem } from './privateTmp.js';
import { taskOutcome } from './taskOutcome.js';
import type { TaskMemoryPolicy } from './taskMemory.js';
import { boundedMemory, TASK_MEMORY_DEFAULT } from './taskMemory.js';
import type { UpdateDetails } from './taskOutcome.js';
import { TaskProcess } from './taskProcess.js';

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
}

export type LaunchResult =
  | { ok: true; containerId: string; sandboxDir: string }
  | { ok: false; code: 'invalid_task' | 'duplicate_task' | 'launch_failed' | 'closed'; message: string };

export type KillResult = { ok: true } | { ok: false; code: 'unknown_task'; message: string };

export interface TaskInfo {
  taskId: string;
  frameworkId: string;
  state: TaskState;
  containerId: string;
  sandboxDir: string;
  pid: number | null;
  healthy: boolean | null;
}

interface LiveTask {
  record: TaskRecord;
  process: TaskProcess | null;
  released: boolean;
  healthy: boolean | null;
  health: CommandHealthChecker | null;
  check: CommandCheck | null;
  /** The check's latest result (null: none yet); reported on every update of a task with a check. */
  checkExitCode: number | null;
  monitor: NodeJS.Timeout | null;
  monitorBusy: boolean;
  lastDiskCheckMs: number;
  lastVolumeCheckMs: number;
  killTimer: NodeJS.Timeout | null;
  ended: boolean;
  terminal: Promise<TaskState>;
  resolveTerminal: (state: TaskState) => void;
  /** Settles once `launch` is done with the task (RUNNING reported, or not), so that the terminal state comes after it. */
  launched: Promise<void>;
  resolveLaunched: () => void;
}

export class AgentRuntime {
  readonly agentId: string;
  readonly workDir: string;
  /** Things the operator should know, e.g. that limits are not enforced; also logged at start. */
  readonly warnings: string[] = [];
  readonly #options: Required<Omit<AgentRuntimeOptions, 'taskUser' | 'logger' | 'privateTmp'>>;
  readonly #privateTmp: boolean;
  readonly #isolator: Isolator;
  readonly #logger: AgentLogger;
  readonly #store: CheckpointStore;
  readonly #taskUser: TaskUser | null;
  readonly #tasks = new Map<string, LiveTask>();
  readonly #updates: StatusUpdateSender;
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

  async launch(spec: LaunchTaskSpec): Promise<LaunchResult> {
    if (this.#closed) return { ok: false, code: 'closed', message: 'the runtime is closed' };
    const existing = this.#tasks.get(spec.taskId);
    if (existing)
      return {
        ok: false,
        code: 'duplicate_task',
        message: `task ${spec.taskId} is already known to this agent (${existing.record.state})`,
      };
    if (this.#updates.pending(spec.taskId).length > 0)
      return { ok: false, code: 'duplicate_task', message: `task ${spec.taskId} still has unacknowledged status updates` };
    const memory = boundedMemory(spec, this.#options.taskMemory);
    const problem = validateLaunchSpec(spec) ?? (memory.ok ? null : memory);
    if (problem) {
      this.#emit(null, { taskId: spec.taskId, frameworkId: spec.frameworkId }, 'TASK_ERROR', {
        reason: 'REASON_TASK_INVALID',
        message: problem.message,
      });
      return problem;
    }
    const nowMs = this.#now();
    const containerId = randomUUID();
    const sandboxDir = sandboxPath(this.workDir, spec.frameworkId, spec.taskId);
    const user = this.#userFor(spec);
    const record: TaskRecord = {
      version: 1,
      taskId: spec.taskId,
      frameworkId: spec.frameworkId,
      agentId: this.agentId,
      containerId,
      command: spec.command,
      sandboxDir,
      user: typeof user === 'string' ? null : user,
      env: taskEnvironment(spec, {
        agentId: this.agentId,
        sandboxDir,
        base: this.#options.taskEnv,
        userName: typeof user === 'string' ? null : (user?.name ?? null),
      }),
      limits: { ...containerLimits(spec, this.#options.defaultPidsMax), memMb: memory.ok ? memory.memMb : null },
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
    };
    const task = this.#track(record);
    this.#store.saveTask(record);
    this.#logger.info({ taskId: spec.taskId, frameworkId: spec.frameworkId, containerId, sandboxDir }, 'launching task');
    try {
      if (typeof user === 'string') throw new Error(user);
      createSandbox(sandboxDir, record.user, nowMs);
      attachVolumes(sandboxDir, record.volumes ?? [], record.user);
      await fetchTaskUris(spec.uris, sandboxDir, this.workDir, record.user);
      await this.#isolator.prepare(containerId, record.limits);
      task.process = await TaskProcess.spawn({
        command: spec.command,
        sandboxDir,
        env: record.env,
        user: record.user,
        privateTmp: this.#privateTmp,
        keptDirs: (record.volumes ?? []).map((volume) => volume.hostPath),
      });
      record.pid = task.process.pid;
      record.startTicks = task.process.startTicks;
      this.#store.saveTask(record);
      await this.#isolator.attach(containerId, task.process.pid);
    } catch (error) {
      const fetchFailed = error instanceof FetchError;
      const message = fetchFailed ? error.message : `launch failed: ${(error as Error).message}`;
      this.#logger.error({ taskId: spec.taskId, containerId, err: error }, 'task launch failed');
      task.process?.signal('SIGKILL');
      await this.#cleanupContainer(record);
      this.#finish(task, 'TASK_FAILED', { reason: fetchFailed ? 'REASON_FETCHER_FAILED' : 'REASON_CONTAINER_LAUNCH_FAILED', message });
      return { ok: false, code: 'launch_failed', message };
    }
    void this.#watch(task);
    try {
      if (!record.kill) {
        task.process.release();
        // A kill asked for meanwhile waits (see #beginKill): a signal before the command's shell runs is lost or misread.
        task.released = await task.process.started;
      }
      if (record.kill) {
        // Killed while launching: SIGKILL before (or as) the command starts.
        task.process.signal('SIGKILL');
      } else if (task.released) {
        this.#emit(task, record, 'TASK_RUNNING', {});
        this.#startMonitoring(task);
      }
    } finally {
      task.resolveLaunched();
    }
    return { ok: true, containerId, sandboxDir };
  }

  /**
   * SIGTERM to the task's process group, SIGKILL after `gracePeriodMs`;
   * TASK_KILLING first when the framework can take it, TASK_KILLED when the
   * process is gone. Killing a task that is already ending is a no-op.
   */
  kill(taskId: string, gracePeriodMs = this.#options.defaultKillGracePeriodMs): KillResult {
    const task = this.#tasks.get(taskId);
    if (!task || this.#closed) return { ok: false, code: 'unknown_task', message: `task ${taskId} is not running on this agent` };
    this.#beginKill(task, gracePeriodMs, 'requested');
    return { ok: true };
  }

  /** The framework acknowledged an update: send the task's next one, forget the task after its terminal one. */
  acknowledge(taskId: string, uuid: string): AcknowledgeResult {
    if (this.#closed) return { ok: false, code: 'unknown_task', message: 'the runtime is closed' };
    const result = this.#updates.acknowledge(taskId, uuid);
    if (!result.ok) this.#logger.debug({ taskId, uuid, code: result.code }, 'acknowledgement ignored');
    else if (result.terminal && result.next === null) this.#forget(taskId);
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
    return [...this.#tasks.values()].map(({ record, healthy }) => ({
      taskId: record.taskId,
      frameworkId: record.frameworkId,
      state: record.state,
      containerId: record.containerId,
      sandboxDir: record.sandboxDir,
      pid: record.pid,
      healthy,
    }));
  }

  async usage(taskId: string): Promise<ContainerUsage | null> {
    const task = this.#tasks.get(taskId);
    if (!task || task.ended) return null;
    return this.#isolator.usage(task.record.containerId);
  }

  /** Resolves with the task's terminal state once it is reported; null for an unknown task. */
  whenTerminal(taskId: string): Promise<TaskState> | null {
    return this.#tasks.get(taskId)?.terminal ?? null;
  }

  /** Updates queued for a task, the one in flight first. */
  pendingUpdates(taskId: string): readonly StatusUpdate[] {
    return this.#updates.pending(taskId);
  }

  /**
   * Stops timers and lets go of the processes without killing them: the tasks
   * keep running, and a new runtime on the same work dir recovers them.
   */
  close(): void {
    this.#closed = true;
    this.#updates.close();
    for (const task of this.#tasks.values()) {
      this.#stopWatching(task);
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

    for (const record of this.#store.loadTasks()) await this.#recover(record);
    const owned = new Set([...this.#tasks.values()].filter((task) => !task.ended).map((task) => task.record.containerId));
    for (const containerId of await this.#isolator.containers()) {
      if (owned.has(containerId)) continue;
      this.#logger.warn({ containerId }, 'removing a container left over by an earlier agent');
      await this.#isolator
        .cleanup(containerId)
        .catch((error) => this.#logger.error({ containerId, err: error }, 'could not remove leftover container'));
    }
    this.#logger.info(
      { agentId: this.agentId, isolator: this.#isolator.kind, tasks: this.#tasks.size, pendingUpdates: this.#updates.pendingCount },
      'agent runtime started',
    );
    this.resendPending();
  }

  async #recover(record: TaskRecord): Promise<void> {
    const task = this.#track(record);
    if (isTerminal(record.state)) {
      task.ended = true;
      task.resolveTerminal(record.state);
      if (this.#updates.pending(record.taskId).length === 0) this.#forget(record.taskId);
      return;
    }
    const alive = record.pid !== null && isProcessAlive(record.pid, record.startTicks);
    this.#logger.info({ taskId: record.taskId, containerId: record.containerId, pid: record.pid, alive }, 'recovering task');
    if (record.pid === null || record.state === 'TASK_STAGING') {
      // The agent died mid-launch: the wrapper never got "go" (or its RUNNING was never recorded); end it.
      if (alive) signalProcessGroup(record.pid!, 'SIGKILL');
      await this.#cleanupContainer(record);
      this.#finish(task, 'TASK_FAILED', {
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
        message: 'the agent restarted while the task was launching',
      });
      return;
    }
    try {
      await this.#isolator.recover(record.containerId, record.limits, record.pid);
    } catch (error) {
      this.#logger.warn(
        { taskId: record.taskId, err: error },
        'container isolation could not be recovered; limits of this task are no longer watched',
      );
    }
    task.process = TaskProcess.adopt(record.pid, record.startTicks, record.sandboxDir, this.#options.adoptedPollMs);
    task.released = true;
    task.resolveLaunched();
    void this.#watch(task);
    if (!alive) return;
    this.#startMonitoring(task);
    if (record.kill) {
      const remainingMs = Math.max(0, record.kill.requestedAtMs + record.kill.gracePeriodMs - this.#now());
      task.killTimer = setTimeout(() => task.process?.signal('SIGKILL'), remainingMs);
    }
  }

  #track(record: TaskRecord): LiveTask {
    let resolveTerminal!: (state: TaskState) => void;
    const terminal = new Promise<TaskState>((resolve) => (resolveTerminal = resolve));
    let resolveLaunched!: () => void;
    const launched = new Promise<void>((resolve) => (resolveLaunched = resolve));
    const task: LiveTask = {
      record,
      process: null,
      released: false,
      healthy: null,
      health: null,
      check: null,
      checkExitCode: null,
      monitor: null,
      monitorBusy: false,
      lastDiskCheckMs: this.#now(),
      lastVolumeCheckMs: this.#now(),
      killTimer: null,
      ended: false,
      terminal,
      resolveTerminal,
      launched,
      resolveLaunched,
    };
    this.#tasks.set(record.taskId, task);
    return task;
  }

  #userFor(spec: LaunchTaskSpec): TaskUser | null | string {
    if (this.#taskUser === null) return spec.user === undefined ? null : `cannot run as user "${spec.user}": the agent is not root`;
    if (spec.user === undefined) return this.#taskUser;
    return lookupUser(spec.user) ?? `user "${spec.user}" does not exist on this agent`;
  }

  #startMonitoring(task: LiveTask): void {
    const { record } = task;
    task.monitor = setInterval(() => void this.#checkLimits(task), this.#options.monitorIntervalMs);
    task.monitor.unref();
    if (record.healthCheck) {
      task.health = new CommandHealthChecker(
        record.healthCheck,
        { sandboxDir: record.sandboxDir, env: record.env, user: record.user },
        {
          onHealthChanged: (healthy) => {
            if (task.ended || record.kill) return;
            task.healthy = healthy;
            this.#emit(task, record, 'TASK_RUNNING', { healthy, reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED' });
          },
          onFailuresExceeded: (failures) => {
            this.#logger.warn({ taskId: record.taskId, failures }, 'health check failed too often; killing the task');
            this.#beginKill(task, this.#options.defaultKillGracePeriodMs, 'health_check');
          },
        },
      );
      task.health.start();
    }
    if (record.check) {
      task.check = new CommandCheck(record.check, { sandboxDir: record.sandboxDir, env: record.env, user: record.user }, (exitCode) => {
        if (task.ended || record.kill) return;
        task.checkExitCode = exitCode;
        this.#emit(task, record, 'TASK_RUNNING', { reason: 'REASON_TASK_CHECK_STATUS_UPDATED' });
      });
      task.check.start();
    }
  }

  /** One monitoring round: an OOM kill, or a sandbox over its disk limit, ends the whole container. */
  async #checkLimits(task: LiveTask): Promise<void> {
    if (task.monitorBusy || task.ended || task.record.limitation) return;
    task.monitorBusy = true;
    try {
      const { record } = task;
      let limitation = await this.#isolator.detectLimitation(record.containerId);
      const nowMs = this.#now();
      if (!limitation && record.diskMb !== null && nowMs - task.lastDiskCheckMs >= this.#options.diskCheckIntervalMs) {
        task.lastDiskCheckMs = nowMs;
        const usedBytes = directoryUsageBytes(record.sandboxDir);
        if (usedBytes > record.diskMb * 2 ** 20) limitation = diskLimitation(record.diskMb, usedBytes);
      }
      if (!limitation && (record.volumes?.length ?? 0) > 0 && nowMs - task.lastVolumeCheckMs >= this.#options.diskCheckIntervalMs) {
        task.lastVolumeCheckMs = nowMs;
        limitation = volumeLimitation(record.volumes!);
      }
      if (!limitation || task.ended) return;
      this.#logger.warn({ taskId: record.taskId, containerId: record.containerId, limitation }, 'container limitation; killing the task');
      record.limitation = limitation;
      this.#store.saveTask(record);
      task.process?.signal('SIGKILL');
    } catch (error) {
      this.#logger.error({ taskId: task.record.taskId, err: error }, 'limit check failed');
    } finally {
      task.monitorBusy = false;
    }
  }

  #beginKill(task: LiveTask, gracePeriodMs: number, why: 'requested' | 'health_check'): void {
    const { record } = task;
    if (task.ended || record.kill || record.limitation) return;
    record.kill = { requestedAtMs: this.#now(), gracePeriodMs, reason: why };
    this.#store.saveTask(record);
    this.#logger.info({ taskId: record.taskId, gracePeriodMs, why }, 'killing task');
    if (!task.released) return; // Still launching: `launch` SIGKILLs it once the wrapper is released or the command started.
    task.health?.stop();
    if (record.taskKillingState) this.#emit(task, record, 'TASK_KILLING', why === 'health_check' ? { healthy: false } : {});
    if (gracePeriodMs <= 0) {
      task.process?.signal('SIGKILL');
      return;
    }
    task.process?.signal('SIGTERM');
    task.killTimer = setTimeout(() => task.process?.signal('SIGKILL'), gracePeriodMs);
  }

  /** Waits for the wrapper to end (and for `launch` to have reported TASK_RUNNING), cleans up, and reports the terminal state. */
  async #watch(task: LiveTask): Promise<void> {
    const status = await task.process!.exited;
    await task.launched;
    if (this.#closed || task.ended) return;
    this.#stopWatching(task);
    const { record } = task;
    let limitation = record.limitation;
    if (!limitation && !record.kill) {
      limitation = await this.#isolator.detectLimitation(record.containerId).catch((error) => {
        this.#logger.error({ taskId: record.taskId, err: error }, 'could not read container limitation');
        return null;
      });
    }
    await this.#cleanupContainer(record);
    // Processes of the group that outlived the wrapper (posix isolation, or a failed cgroup cleanup).
    task.process!.signal('SIGKILL');
    const [state, details] = taskOutcome(record.kill, task.released, status, limitation);
    this.#logger.info({ taskId: record.taskId, state, exit: status, ...details }, 'task ended');
    this.#finish(task, state, details);
  }

  #finish(task: LiveTask, state: TaskState, details: UpdateDetails): void {
    task.ended = true;
    this.#stopWatching(task);
    this.#emit(task, task.record, state, details);
    task.resolveTerminal(state);
  }

  #stopWatching(task: LiveTask): void {
    if (task.monitor) clearInterval(task.monitor);
    if (task.killTimer) clearTimeout(task.killTimer);
    task.health?.stop();
    task.check?.stop();
    task.monitor = null;
    task.killTimer = null;
  }

  async #cleanupContainer(record: TaskRecord): Promise<void> {
    try {
      await this.#isolator.cleanup(record.containerId);
    } catch (error) {
      this.#logger.error({ taskId: record.taskId, containerId: record.containerId, err: error }, 'container cleanup failed');
    }
  }

  /** Records the state, checkpoints, queues the update, and sends it if nothing else of the task is in flight. */
  #emit(task: LiveTask | null, ids: { taskId: string; frameworkId: string }, state: TaskState, details: UpdateDetails): void {
    const nowMs = this.#now();
    if (task) {
      task.record.state = state;
      this.#store.saveTask(task.record);
    }
    const update: StatusUpdate = {
      uuid: randomUUID(),
      taskId: ids.taskId,
      frameworkId: ids.frameworkId,
      agentId: this.agentId,
      state,
      ...(details.reason ? { reason: details.reason } : {}),
      ...(details.message ? { message: details.message } : {}),
      ...(details.healthy !== undefined ? { healthy: details.healthy } : {}),
      ...(task?.record.check ? { checkStatus: { exitCode: task.checkExitCode } } : {}),
      timestampMs: nowMs,
    };
    this.#logger.info(
      { taskId: ids.taskId, state, uuid: update.uuid, reason: details.reason, message: details.message, healthy: details.healthy },
      'status update',
    );
    this.#updates.add(update);
  }

  #forget(taskId: string): void {
    const task = this.#tasks.get(taskId);
    this.#tasks.delete(taskId);
    if (task) this.#store.removeTask(task.record.frameworkId, taskId);
  }

  #now(): number {
    return this.#options.clock();
  }
}

/** The first directory on the way to `path` that other users cannot search (no o+x), or null. */
function untraversableDirectory(path: string): string | null {
  const chain: string[] = [];
  for (let directory = path; ; directory = dirname(directory)) {
    chain.unshift(directory);
    if (dirname(directory) === directory) break;
  }
  for (const directory of chain) {
    try {
      if ((statSync(directory).mode & 0o001) === 0) return directory;
    } catch {
      return directory;
    }
  }
  return null;
}
