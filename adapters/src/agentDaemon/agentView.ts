/**
 * What the agent knows about itself in Mesos's terms, for its /state,
 * GET_STATE, GET_CONTAINERS and metrics: frameworks (from the master's
 * LAUNCH events), tasks with their executors, containers and sandboxes, and a
 * bounded list of completed ones (their terminal update acknowledged; Mesos
 * keeps completed executors per framework the same way). In memory: after a
 * restart the completed list starts empty, though the sandboxes stay readable.
 */
import type { AgentRuntime, TaskInfo } from '../agent/agentRuntime.js';
import type { AgentCheckpoint, TaskCheckpoint } from './agentCheckpoint.js';

type Json = Record<string, any>;

export const COMPLETED_TASKS_MAX = 1000;

export interface TaskView {
  info: TaskInfo;
  checkpoint: TaskCheckpoint | null;
}

export interface FrameworkFacts {
  id: string;
  name: string;
  user: string;
  roles: string[];
  principal?: string;
  hostname: string;
  checkpoint: boolean;
  failoverTimeout: number;
}

export class AgentView {
  readonly startedAtMs = Date.now();
  readonly #runtime: () => AgentRuntime;
  readonly #checkpoint: AgentCheckpoint;
  readonly #frameworks = new Map<string, FrameworkFacts>();
  #completed: TaskView[] = [];

  constructor(runtime: () => AgentRuntime, checkpoint: AgentCheckpoint) {
    this.#runtime = runtime;
    this.#checkpoint = checkpoint;
  }

  /** The framework's info as the master sent it with a launch. */
  learnFramework(frameworkId: string, info: Json | undefined): void {
    if (!info || typeof info !== 'object') {
      if (!this.#frameworks.has(frameworkId))
        this.#frameworks.set(frameworkId, {
          id: frameworkId,
          name: '',
          user: '',
          roles: [],
          hostname: '',
          checkpoint: true,
          failoverTimeout: 0,
        });
      return;
    }
    this.#frameworks.set(frameworkId, {
      id: frameworkId,
      name: typeof info.name === 'string' ? info.name : '',
      user: typeof info.user === 'string' ? info.user : '',
      roles: Array.isArray(info.roles) ? info.roles.filter((role: unknown) => typeof role === 'string') : [],
      ...(typeof info.principal === 'string' ? { principal: info.principal } : {}),
      hostname: typeof info.hostname === 'string' ? info.hostname : '',
      checkpoint: info.checkpoint !== false,
      failoverTimeout: typeof info.failover_timeout === 'number' ? info.failover_timeout : 0,
    });
  }

  framework(frameworkId: string): FrameworkFacts {
    return (
      this.#frameworks.get(frameworkId) ?? {
        id: frameworkId,
        name: '',
        user: '',
        roles: [],
        hostname: '',
        checkpoint: true,
        failoverTimeout: 0,
      }
    );
  }

  /** Call before acknowledging: a terminal task the runtime then forgets moves to the completed list. */
  beforeForget(frameworkId: string, taskId: string): () => void {
    const info = this.#runtime().task(frameworkId, taskId);
    const checkpoint = this.#checkpoint.task(frameworkId, taskId);
    return () => {
      if (!info || this.#runtime().task(frameworkId, taskId)) return;
      this.#completed.push({ info, checkpoint });
      if (this.#completed.length > COMPLETED_TASKS_MAX) this.#completed = this.#completed.slice(-COMPLETED_TASKS_MAX);
    };
  }

  live(): TaskView[] {
    return this.#runtime()
      .tasks()
      .map((info) => ({ info, checkpoint: this.#checkpoint.task(info.frameworkId, info.taskId) }));
  }

  completed(): readonly TaskView[] {
    return this.#completed;
  }

  frameworkIds(): string[] {
    return [...new Set([...this.live(), ...this.#completed].map((task) => task.info.frameworkId))];
  }
}
