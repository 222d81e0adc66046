/**
 * What `allot marathon`, `allot jobs` and `allot pool` share around the
 * scheduler host: the framework id kept in the scheduler's own document
 * (so a restart fails over to the same framework), a `stopped` promise that
 * settles once with the reason when the scheduler cannot go on (the master
 * refused it, another scheduler wrote its store, a bug in the model), and
 * controls that are refused after that.
 */
import type { Logger } from 'pino';
import type { TaskInfoRenderer } from './operationJson.js';
import type { SchedulerDriverOptions } from './schedulerDriver.js';
import { SchedulerHost } from './schedulerHost.js';
import type { ResourceLayout } from '@allot/kernel';

type Json = Record<string, any>;

/** A control asked of a scheduler that has stopped. */
export class SchedulerStoppedError extends Error {
  readonly code = 'scheduler_stopped';
}

export interface HostedFrameworkOptions {
  masters: readonly string[];
  frameworkInfo: Json;
  /** The id of an earlier run (from the scheduler's document), or null for a first start. */
  frameworkId: string | null;
  layout: ResourceLayout;
  taskInfo: TaskInfoRenderer;
  /** Writes the scheduler's document; calls wait for it. */
  persist: () => Promise<void>;
  observe?: { offers?: (offers: Json[]) => void; update?: (status: Json) => void };
  headers?: Readonly<Record<string, string>>;
  backoffMaxMs?: number;
  logger: Logger;
}

export class HostedFramework {
  readonly host: SchedulerHost;
  readonly stopped: Promise<string>;
  #frameworkId: string | null;
  #stoppedReason: string | null = null;
  #resolveStopped!: (reason: string) => void;
  readonly #logger: Logger;

  constructor(options: HostedFrameworkOptions) {
    this.#logger = options.logger;
    this.#frameworkId = options.frameworkId;
    this.stopped = new Promise((resolve) => (this.#resolveStopped = resolve));
    const driver: Omit<SchedulerDriverOptions, 'logger'> = {
      masters: options.masters,
      frameworkInfo: options.frameworkInfo,
      frameworkId: options.frameworkId,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.backoffMaxMs ? { backoffMaxMs: options.backoffMaxMs } : {}),
    };
    this.host = new SchedulerHost({
      driver,
      layout: options.layout,
      taskInfo: options.taskInfo,
      persist: options.persist,
      frameworkIdChanged: (frameworkId) => {
        if (frameworkId === this.#frameworkId) return;
        this.#frameworkId = frameworkId;
        return options.persist();
      },
      fatal: (message) => this.stop(message),
      ...(options.observe ? { observe: options.observe } : {}),
      logger: options.logger,
    });
  }

  get frameworkId(): string | null {
    return this.#frameworkId;
  }

  get stoppedReason(): string | null {
    return this.#stoppedReason;
  }

  /** Throws SchedulerStoppedError once the scheduler has stopped. */
  assertRunning(): void {
    if (this.#stoppedReason !== null) throw new SchedulerStoppedError(`the scheduler has stopped: ${this.#stoppedReason}`);
  }

  /** Stops for good with a reason (once): no more calls, controls refused. */
  stop(reason: string): void {
    if (this.#stoppedReason !== null) return;
    this.#stoppedReason = reason;
    this.#logger.error({ reason }, 'the scheduler stops');
    void this.host.stop();
    this.#resolveStopped(reason);
  }
}
