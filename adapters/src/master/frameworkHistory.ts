/**
 * What `allot fork` needs of the past and GET_STATE does not keep: per
 * framework, how long its tasks ran (TASK_RUNNING to TASK_FINISHED, from the
 * status updates the master stepped) and how it declined offers (how many,
 * with which refuse_seconds). Bounded: the latest `samplesMax` durations
 * and filters per framework, at most `frameworksMax` frameworks (a removed
 * one is forgotten). In memory only. Served as `GET /fork/history`, an
 * allot addition (Mesos has no such endpoint); the kernel's forkScenario
 * turns it into the forked frameworks' task durations and filters.
 */
import type { Command, StepResult } from '@allot/kernel';
import { isTerminal } from '@allot/kernel';
import type { FastifyInstance } from 'fastify';
import { operatorReadAllowed } from './explainApi.js';
import type { MasterContext } from './masterContext.js';

export interface HistoryBounds {
  samplesMax: number;
  frameworksMax: number;
}

/** Mesos's default refuse_seconds when a decline gives no filter. */
const DEFAULT_REFUSE_SECONDS = 5;

interface Observed {
  readonly runningSinceMs: Map<string, number>;
  durationsMs: number[];
  refuseSeconds: number[];
  tasksFinished: number;
  declines: number;
}

export class FrameworkHistory {
  readonly #frameworks = new Map<string, Observed>();
  readonly #bounds: HistoryBounds;

  constructor(bounds: Partial<HistoryBounds> = {}) {
    this.#bounds = { samplesMax: bounds.samplesMax ?? 200, frameworksMax: bounds.frameworksMax ?? 1000 };
  }

  #of(frameworkId: string): Observed | null {
    let observed = this.#frameworks.get(frameworkId);
    if (!observed) {
      if (this.#frameworks.size >= this.#bounds.frameworksMax) return null;
      observed = { runningSinceMs: new Map(), durationsMs: [], refuseSeconds: [], tasksFinished: 0, declines: 0 };
      this.#frameworks.set(frameworkId, observed);
    }
    return observed;
  }

  #keep(samples: number[], value: number): number[] {
    samples.push(value);
    return samples.length > this.#bounds.samplesMax ? samples.slice(-this.#bounds.samplesMax) : samples;
  }

  /** Step listener: declines from the commands, task lifetimes from the events. */
  observe(command: Command, result: StepResult): void {
    if (command.type === 'offer.decline' && result.ok) {
      const observed = this.#of(command.frameworkId);
      if (observed) {
        observed.declines += command.offerIds.length;
        observed.refuseSeconds = this.#keep(observed.refuseSeconds, command.refuseSeconds ?? DEFAULT_REFUSE_SECONDS);
      }
    }
    for (const event of result.events) {
      if (event.type === 'framework.removed') this.#frameworks.delete(event.frameworkId);
      if (event.type !== 'task.updated') continue;
      const { status } = event;
      const observed = this.#of(status.frameworkId);
      if (!observed) continue;
      if (status.state === 'TASK_RUNNING' && !observed.runningSinceMs.has(status.taskId))
        observed.runningSinceMs.set(status.taskId, event.atMs);
      else if (isTerminal(status.state)) {
        const since = observed.runningSinceMs.get(status.taskId);
        observed.runningSinceMs.delete(status.taskId);
        // Only tasks that ended by themselves say how long they run; killed or lost ones were cut short.
        if (since !== undefined && status.state === 'TASK_FINISHED') {
          observed.tasksFinished++;
          observed.durationsMs = this.#keep(observed.durationsMs, event.atMs - since);
        }
      }
    }
  }

  /** The `GET /fork/history` answer. */
  toJson(nowMs: number): Record<string, unknown> {
    return {
      now_ms: nowMs,
      frameworks: [...this.#frameworks].map(([id, observed]) => ({
        framework_id: id,
        tasks_finished: observed.tasksFinished,
        task_duration_ms: summary(observed.durationsMs),
        running_since_ms: Object.fromEntries(observed.runningSinceMs),
        declines: observed.declines,
        refuse_seconds: summary(observed.refuseSeconds),
      })),
    };
  }
}

function summary(samples: readonly number[]): { median: number; min: number; max: number; samples: number } | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length };
}

/** `GET /fork/history`: authorized as GET_STATE, readable cross-origin (the playground's fork), like /explain. */
export function registerForkHistoryApi(app: FastifyInstance, context: MasterContext, history: FrameworkHistory): void {
  app.get('/fork/history', (request, reply) => {
    if (!operatorReadAllowed(context, request, reply)) return;
    return reply.header('Access-Control-Allow-Origin', '*').send(history.toJson(context.host.master.nowMs));
  });
}
