/**
 * The master's tasks, owned in one place: every task of every framework (each
 * framework reads its own as a map by task id) and the live ones by agent.
 * Handlers add tasks and report state changes here; nothing else writes the
 * indexes. Invariant: a task is in its agent's live set exactly while its
 * state is not terminal (TASK_UNREACHABLE included).
 */
import type { AgentLedgers } from '../agents/agentLedgers.js';
import type { Task } from './task.js';
import type { HistoryEntry, TaskRecord } from './taskRecord.js';
import { HistoryEntries } from './taskRecord.js';
import type { TaskReason, TaskState } from './taskState.js';
import { isTerminal } from './taskState.js';

export class TaskRegistry {
  /** Tasks launched from offers (the master's tasksLaunched counter; adopted tasks do not count). */
  launched = 0;
  readonly #byFramework = new Map<string, Map<string, TaskRecord>>();
  readonly #liveByAgent = new Map<string, Set<TaskRecord>>();
  readonly #history = new HistoryEntries();
  readonly #ledgers: AgentLedgers | null;

  /** With `ledgers` (a checked master), the registry keeps what each agent's tasks hold there. */
  constructor(ledgers: AgentLedgers | null = null) {
    this.#ledgers = ledgers;
  }

  /** The task's resources start (sign 1) or stop (-1) being held on the agent at `agentIndex`. */
  held(task: Task, agentIndex: number, sign: 1 | -1): void {
    if (this.#ledgers) this.#ledgers.charge(this.#ledgers.used, agentIndex, task.resources, sign);
  }

  /** A history entry, shared with the other tasks that moved to the same state at the same moment. */
  historyEntry(state: TaskState, atMs: number, reason: TaskReason | undefined): HistoryEntry {
    return this.#history.entry(state, atMs, reason);
  }

  /** Appends to the task's history: the entry and the array are shared with tasks that moved alike. */
  appendHistory(task: TaskRecord, state: TaskState, atMs: number, reason: TaskReason | undefined): void {
    task.appendSharedHistory(this.#history.entry(state, atMs, reason), this.#history);
  }

  /** The framework's tasks by id, live and ended (a map the registry keeps current). */
  of(frameworkId: string): Map<string, TaskRecord> {
    let tasks = this.#byFramework.get(frameworkId);
    if (!tasks) this.#byFramework.set(frameworkId, (tasks = new Map()));
    return tasks;
  }

  get(frameworkId: string, taskId: string): TaskRecord | undefined {
    return this.#byFramework.get(frameworkId)?.get(taskId);
  }

  /** Adds a task (launched, or reported by its agent); it is live until its state says otherwise. */
  add(task: TaskRecord): void {
    this.of(task.frameworkId).set(task.id, task);
    this.stateChanged(task);
  }

  /** Keeps the live index in step with the task's state; call after every change of state. */
  stateChanged(task: TaskRecord): void {
    if (isTerminal(task.state)) {
      const set = this.#liveByAgent.get(task.agentId);
      set?.delete(task);
      if (set && set.size === 0) this.#liveByAgent.delete(task.agentId);
      return;
    }
    let set = this.#liveByAgent.get(task.agentId);
    if (!set) this.#liveByAgent.set(task.agentId, (set = new Set()));
    set.add(task);
  }

  /** Drops a removed framework's tasks (they are all terminal by then). */
  forget(frameworkId: string): void {
    this.#byFramework.delete(frameworkId);
  }

  /** Live (non-terminal) tasks on an agent, UNREACHABLE ones included, oldest first. */
  liveOn(agentId: string): TaskRecord[] {
    return [...(this.#liveByAgent.get(agentId) ?? [])];
  }

  hasLiveOn(agentId: string): boolean {
    return this.#liveByAgent.has(agentId);
  }

  /** Live tasks by agent (read only: for invariant checkers and inspection). */
  get liveByAgent(): ReadonlyMap<string, ReadonlySet<TaskRecord>> {
    return this.#liveByAgent;
  }
}
