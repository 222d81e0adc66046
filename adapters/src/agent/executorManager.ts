/**
 * Custom executors over Mesos's v1 executor HTTP API. The first task for a
 * (framework, executor) starts the executor's command in its own sandbox
 * (`<workDir>/executors/<fw>/<executor>`) and container, with the
 * environment Mesos gives executors (MESOS_AGENT_ENDPOINT, MESOS_FRAMEWORK_ID,
 * MESOS_EXECUTOR_ID, MESOS_DIRECTORY, MESOS_SANDBOX, MESOS_CHECKPOINT, ...).
 * Tasks wait (queued) until the executor SUBSCRIBEs, then go to it as LAUNCH
 * (or, for a LAUNCH_GROUP, one LAUNCH_GROUP with the whole group). The
 * executor's UPDATEs become the tasks' reliable status updates, keeping the
 * executor's uuid; acknowledgements go back as ACKNOWLEDGED. KILL and
 * SHUTDOWN are events to the executor, with the container killed after the
 * shutdown grace period; when the executor exits, its unfinished tasks fail
 * (REASON_EXECUTOR_TERMINATED) or, when killed, end TASK_KILLED.
 * Executors survive an agent restart (executorRecovery.ts): a recovered one
 * must SUBSCRIBE again within the re-registration timeout, else it is killed
 * and its tasks fail with REASON_EXECUTOR_REREGISTRATION_TIMEOUT.
 */
import { isTerminal, TASK_STATES } from '@allot/kernel';
import type { TaskReason, TaskState } from '@allot/kernel';
import type { ExecutorRecord } from './checkpointStore.js';
import type { EventSink, Executor, ExecutorDeps } from './executorLaunch.js';
import { executorTaskRecord, startExecutor } from './executorLaunch.js';
import type { ExecutorTaskSpec } from './executorProtocol.js';
import { EXECUTOR_SHUTDOWN_GRACE_MS, uuidBase64, uuidText } from './executorProtocol.js';
import { awaitResubscription, loseUndeliveredTasks, recoverExecutors } from './executorRecovery.js';
import type { LiveTask } from './liveTask.js';
import type { TaskUser } from './sandbox.js';
import { describeExit } from './taskProcess.js';
import type { ExitStatus } from './taskProcess.js';

export type { EventSink, ExecutorDeps } from './executorLaunch.js';
export type { ExecutorTaskSpec } from './executorProtocol.js';

type Json = Record<string, any>;

export const EXECUTOR_REGISTRATION_TIMEOUT_MS = 60_000;
const AGENT_ONLY_STATES = new Set(['TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN']);

const keyOf = (frameworkId: string, executorId: string) => `${frameworkId.length}:${frameworkId}/${executorId}`;

export class ExecutorManager {
  readonly #deps: ExecutorDeps;
  readonly #executors = new Map<string, Executor>();
  readonly #starting = new Map<string, Promise<{ ok: true; executor: Executor } | { ok: false; message: string }>>();

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#executors.size;
  }

  /** After an agent restart: takes back the live executors of checkpointing frameworks and waits for them to subscribe. */
  async recover(records: readonly ExecutorRecord[], adoptedPollMs: number): Promise<void> {
    for (const executor of await recoverExecutors(this.#deps, records, adoptedPollMs)) {
      this.#executors.set(keyOf(executor.frameworkId, executor.executorId), executor);
      awaitResubscription(executor, this.#deps);
      void executor.process!.exited.then((status) => this.#exited(executor, status));
    }
  }

  /** A recovered task of a recovered executor: tracked again (its executor reports it). False when its executor is gone. */
  attachTask(task: LiveTask): boolean {
    const { record } = task;
    const executor = this.#executors.get(keyOf(record.frameworkId, record.executorId ?? ''));
    if (!executor?.recovered) return false;
    task.released = true;
    executor.tasks.add(record.taskId);
    return true;
  }

  containerIds(): string[] {
    return [...this.#executors.values()].map((executor) => executor.containerId);
  }

  /** The running executors with their own resources, as the agent reports them when it (re-)registers. */
  list(): Array<{ framework_id: string; executor_id: string; role: string; resources: Json[]; info: Json }> {
    return [...this.#executors.values()].map((executor) => ({
      framework_id: executor.frameworkId,
      executor_id: executor.executorId,
      role: executor.role,
      resources: Array.isArray(executor.info.resources) ? executor.info.resources : [],
      info: executor.info,
    }));
  }

  has(frameworkId: string, executorId: string): boolean {
    return this.#executors.has(keyOf(frameworkId, executorId));
  }

  /** Tracks the task, starts the executor if it is not running, and hands the task over (now or on SUBSCRIBE). */
  async launch(spec: ExecutorTaskSpec, user: TaskUser | null): Promise<{ ok: true } | { ok: false; message: string }> {
    const key = keyOf(spec.frameworkId, spec.executorId);
    const task = this.#track(spec, this.#executors.get(key));
    // Launches arrive concurrently: the first one starts the executor, the others wait for it.
    let starting = this.#starting.get(key);
    if (!this.#executors.has(key) && !starting) {
      starting = this.#start(spec, user);
      this.#starting.set(key, starting);
      void starting.finally(() => this.#starting.delete(key));
    }
    const started = starting ? await starting : { ok: true as const, executor: this.#executors.get(key)! };
    if (!started.ok) {
      this.#deps.supervisor.finish(task, 'TASK_FAILED', { reason: 'REASON_CONTAINER_LAUNCH_FAILED', message: started.message });
      return started;
    }
    const executor = started.executor;
    if (executor.shuttingDown) {
      this.#deps.supervisor.finish(task, 'TASK_DROPPED', {
        reason: 'REASON_EXECUTOR_TERMINATED',
        message: 'the executor is shutting down',
      });
      return { ok: false, message: 'the executor is shutting down' };
    }
    if (task.record.containerId !== executor.containerId) {
      task.record.containerId = executor.containerId;
      task.record.sandboxDir = executor.sandboxDir;
      this.#deps.store.saveTask(task.record);
    }
    executor.tasks.add(spec.taskId);
    const taskInfo = { ...spec.taskInfo, executor: executor.info };
    if (spec.group) {
      const group = executor.groups.get(spec.group.id) ?? { size: spec.group.size, tasks: [] };
      group.tasks.push(taskInfo);
      executor.groups.set(spec.group.id, group);
      if (group.tasks.length < group.size) return { ok: true };
      executor.groups.delete(spec.group.id);
      this.#deliver(executor, { type: 'LAUNCH_GROUP', launch_group: { task_group: { tasks: group.tasks } } });
    } else this.#deliver(executor, { type: 'LAUNCH', launch: { framework_info: executor.frameworkInfo, task: taskInfo } });
    return { ok: true };
  }

  subscribe(
    frameworkId: string,
    executorId: string,
    sink: EventSink,
    unacknowledged: Json[],
    unacknowledgedTasks: Json[] = [],
  ): { ok: true } | { ok: false; status: 400; message: string } {
    const executor = this.#executors.get(keyOf(frameworkId, executorId));
    if (!executor) return { ok: false, status: 400, message: `no executor ${executorId} of framework ${frameworkId} runs on this agent` };
    if (executor.timer && !executor.shuttingDown) clearTimeout(executor.timer);
    executor.timer = null;
    executor.sink?.close({ type: 'ERROR', error: { message: 'a newer subscription of this executor replaced this one' } });
    executor.sink = sink;
    sink.onClose(() => {
      if (executor.sink === sink) executor.sink = null;
    });
    sink.send({
      type: 'SUBSCRIBED',
      subscribed: {
        executor_info: executor.info,
        framework_info: executor.frameworkInfo,
        agent_info: this.#deps.agentInfo(),
        agent_id: { value: this.#deps.agentId },
        container_id: { value: executor.containerId },
      },
    });
    for (const event of executor.queued.splice(0)) sink.send(event);
    // Updates the executor sent while disconnected: taken as UPDATEs (a known uuid is ignored).
    for (const update of unacknowledged) if (update?.status) this.update(frameworkId, executorId, update.status);
    if (executor.recovered) loseUndeliveredTasks(executor, this.#deps, unacknowledgedTasks);
    if (executor.shuttingDown) sink.send({ type: 'SHUTDOWN' });
    return { ok: true };
  }

  /** An UPDATE call: becomes the task's next reliable status update, with the executor's uuid. */
  update(frameworkId: string, executorId: string, status: Json): { ok: true } | { ok: false; status: 400; message: string } {
    const executor = this.#executors.get(keyOf(frameworkId, executorId));
    const taskId: unknown = status?.task_id?.value;
    if (!executor || typeof taskId !== 'string' || !executor.tasks.has(taskId))
      return { ok: false, status: 400, message: `update.status.task_id: not a task of executor ${executorId}` };
    const state = status.state as TaskState;
    if (!(TASK_STATES as readonly string[]).includes(state) || AGENT_ONLY_STATES.has(state) || state === 'TASK_STAGING')
      return {
        ok: false,
        status: 400,
        message: `update.status.state: ${String(status.state).slice(0, 64)} cannot be reported by an executor`,
      };
    const uuid = uuidText(status.uuid);
    if (uuid === null) return { ok: false, status: 400, message: 'update.status.uuid: must be base64-encoded bytes' };
    const task = this.#deps.supervisor.tasks.get(frameworkId, taskId);
    if (!task || task.ended) return { ok: true }; // Already terminal: a late resend, nothing to add.
    if (this.#deps.supervisor.hasPendingUuid(frameworkId, taskId, uuid)) return { ok: true };
    if (isTerminal(state)) {
      task.ended = true;
      task.resolveTerminal(state);
    }
    this.#deps.supervisor.emit(
      task,
      task.record,
      state,
      {
        ...(typeof status.reason === 'string' ? { reason: status.reason as TaskReason } : {}),
        ...(typeof status.message === 'string' ? { message: status.message.slice(0, 4096) } : {}),
        ...(typeof status.healthy === 'boolean' ? { healthy: status.healthy } : {}),
      },
      uuid,
    );
    return { ok: true };
  }

  /** The framework acknowledged an update of an executor's task: tell the executor. */
  acknowledged(frameworkId: string, taskId: string, executorId: string, uuid: string): void {
    this.#executors.get(keyOf(frameworkId, executorId))?.sink?.send({
      type: 'ACKNOWLEDGED',
      acknowledged: { task_id: { value: taskId }, uuid: uuidBase64(uuid) },
    });
  }

  /** A MESSAGE call from the executor, for its framework. */
  message(frameworkId: string, executorId: string, data: string): boolean {
    if (!this.#executors.has(keyOf(frameworkId, executorId))) return false;
    this.#deps.onMessage(frameworkId, executorId, data);
    return true;
  }

  /** A framework's message for the executor (no delivery guarantee, as in Mesos). */
  frameworkMessage(frameworkId: string, executorId: string, data: string): boolean {
    const executor = this.#executors.get(keyOf(frameworkId, executorId));
    if (!executor) return false;
    this.#deliver(executor, { type: 'MESSAGE', message: { data } });
    return true;
  }

  /** KILL for a task of an executor: a KILL event (a task the executor never got is killed at once). */
  kill(task: LiveTask, gracePeriodMs: number): void {
    const { record } = task;
    const executor = this.#executors.get(keyOf(record.frameworkId, record.executorId ?? ''));
    if (task.ended || record.kill) return;
    record.kill = { requestedAtMs: this.#deps.supervisor.now(), gracePeriodMs, reason: 'requested' };
    this.#deps.store.saveTask(record);
    const queued = executor?.queued.some((event) => event.launch?.task?.task_id?.value === record.taskId);
    if (executor?.recovered && !queued) {
      // It has the task and will subscribe again (or be killed with it): the KILL waits in its queue.
      this.#deliver(executor, this.#killEvent(record.taskId, gracePeriodMs));
      return;
    }
    if (!executor || queued || executor.sink === null) {
      if (executor) executor.queued = executor.queued.filter((event) => event.launch?.task?.task_id?.value !== record.taskId);
      this.#deps.supervisor.finish(task, 'TASK_KILLED', { message: 'killed before the executor received the task' });
      return;
    }
    executor.sink.send(this.#killEvent(record.taskId, gracePeriodMs));
  }

  #killEvent(taskId: string, gracePeriodMs: number): Json {
    return { type: 'KILL', kill: { task_id: { value: taskId }, kill_policy: { grace_period: { nanoseconds: gracePeriodMs * 1e6 } } } };
  }

  /** SHUTDOWN: the executor is told to stop; its container is killed after the grace period. */
  shutdown(frameworkId: string, executorId: string): boolean {
    const executor = this.#executors.get(keyOf(frameworkId, executorId));
    if (!executor || executor.shuttingDown) return false;
    executor.shuttingDown = true;
    if (executor.timer) clearTimeout(executor.timer);
    const graceMs = this.#deps.shutdownGraceMs ?? EXECUTOR_SHUTDOWN_GRACE_MS;
    if (executor.sink?.send({ type: 'SHUTDOWN' })) {
      executor.timer = setTimeout(() => executor.process?.signal('SIGTERM'), graceMs);
      const kill = setTimeout(() => executor.process?.signal('SIGKILL'), graceMs * 2);
      kill.unref();
    } else executor.process?.signal('SIGKILL');
    executor.timer?.unref();
    return true;
  }

  shutdownFramework(frameworkId: string): number {
    let count = 0;
    for (const executor of this.#executors.values())
      if (executor.frameworkId === frameworkId && this.shutdown(frameworkId, executor.executorId)) count++;
    return count;
  }

  /** Lets go of executor processes without killing them (the agent is stopping; they see their subscription end). */
  close(): void {
    for (const executor of this.#executors.values()) {
      if (executor.timer) clearTimeout(executor.timer);
      executor.sink?.close();
      executor.process?.detach();
    }
  }

  #track(spec: ExecutorTaskSpec, executor: Executor | undefined): LiveTask {
    const task = this.#deps.supervisor.track(executorTaskRecord(spec, this.#deps, executor));
    task.released = true;
    this.#deps.store.saveTask(task.record);
    return task;
  }

  async #start(spec: ExecutorTaskSpec, user: TaskUser | null): Promise<{ ok: true; executor: Executor } | { ok: false; message: string }> {
    const started = await startExecutor(spec, user, this.#deps);
    if (!started.ok) return started;
    const { executor } = started;
    const { supervisor } = this.#deps;
    this.#executors.set(keyOf(spec.frameworkId, spec.executorId), executor);
    executor.timer = setTimeout(() => {
      supervisor.logger.warn(
        { frameworkId: spec.frameworkId, executorId: spec.executorId },
        'executor did not subscribe in time; killing it',
      );
      executor.process?.signal('SIGKILL');
    }, this.#deps.registrationTimeoutMs ?? EXECUTOR_REGISTRATION_TIMEOUT_MS);
    executor.timer.unref();
    void executor.process!.exited.then((status) => this.#exited(executor, status));
    return { ok: true, executor };
  }

  #deliver(executor: Executor, event: Json): void {
    if (executor.sink?.send(event)) return;
    executor.queued.push(event);
  }

  async #exited(executor: Executor, status: ExitStatus): Promise<void> {
    const { supervisor } = this.#deps;
    if (executor.timer) clearTimeout(executor.timer);
    this.#executors.delete(keyOf(executor.frameworkId, executor.executorId));
    this.#deps.store.removeExecutor(executor.frameworkId, executor.executorId);
    executor.sink?.close();
    await this.#deps.isolator.cleanup(executor.containerId).catch(() => undefined);
    executor.process?.signal('SIGKILL');
    supervisor.logger.info({ frameworkId: executor.frameworkId, executorId: executor.executorId, exit: status }, 'executor exited');
    for (const taskId of executor.tasks) {
      const task = supervisor.tasks.get(executor.frameworkId, taskId);
      if (!task || task.ended) continue;
      if (executor.reregistrationTimedOut)
        supervisor.finish(task, 'TASK_FAILED', {
          reason: 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT',
          message: 'the agent restarted and the executor did not subscribe again in time',
        });
      else if (task.record.kill || executor.shuttingDown)
        supervisor.finish(task, 'TASK_KILLED', { message: `the executor ended: ${describeExit(status)}` });
      else
        supervisor.finish(task, 'TASK_FAILED', {
          reason: 'REASON_EXECUTOR_TERMINATED',
          message: `the executor ended: ${describeExit(status)}`,
        });
    }
    this.#deps.onExited(executor.frameworkId, executor.executorId, status);
  }
}
