/**
 * A simulated agent: it runs the tasks the master launches on it. A task
 * reports TASK_RUNNING at once and TASK_FINISHED after its `durationMs` (or
 * runs until killed); kills end it with TASK_KILLED; a crash ends every task
 * silently (the master learns of it from the simulator's failure detector).
 */
import type { Task } from '../tasks/task.js';
import type { SimTaskData } from './batchFramework.js';

export interface AgentCallbacks {
  /** Schedules `run` at `atMs` of simulated time. */
  schedule(atMs: number, run: () => void): void;
  /** An agent-originated status update to the master. */
  report(agentId: string, frameworkId: string, taskId: string, state: 'TASK_RUNNING' | 'TASK_FINISHED' | 'TASK_KILLED' | 'TASK_FAILED', message?: string): void;
}

export class SimulatedAgent {
  /** taskId -> framework, for the tasks running here now. */
  readonly #running = new Map<string, string>();
  #epoch = 0;
  up = true;

  constructor(
    readonly id: string,
    readonly callbacks: AgentCallbacks,
  ) {}

  get runningTasks(): ReadonlyMap<string, string> {
    return this.#running;
  }

  launch(task: Task, nowMs: number): void {
    if (!this.up) return;
    const epoch = this.#epoch;
    this.#running.set(task.id, task.frameworkId);
    this.callbacks.report(this.id, task.frameworkId, task.id, 'TASK_RUNNING');
    const durationMs = (task.data as SimTaskData | undefined)?.durationMs ?? null;
    if (durationMs === null) return;
    this.callbacks.schedule(nowMs + durationMs, () => {
      if (epoch !== this.#epoch || !this.#running.has(task.id)) return;
      this.#running.delete(task.id);
      this.callbacks.report(this.id, task.frameworkId, task.id, 'TASK_FINISHED');
    });
  }

  kill(frameworkId: string, taskId: string): void {
    if (!this.up || !this.#running.delete(taskId)) return;
    this.callbacks.report(this.id, frameworkId, taskId, 'TASK_KILLED');
  }

  /** A task fault: the process dies with a non-zero exit. */
  fail(taskId: string, message: string): boolean {
    const frameworkId = this.#running.get(taskId);
    if (!this.up || frameworkId === undefined) return false;
    this.#running.delete(taskId);
    this.callbacks.report(this.id, frameworkId, taskId, 'TASK_FAILED', message);
    return true;
  }

  crash(): void {
    this.up = false;
    this.#running.clear();
    this.#epoch++;
  }

  restart(): void {
    this.up = true;
  }
}
