/**
 * The host around the kernel's Master: one queue through which every command
 * passes in order, with the clock read as the command runs (monotonic, in ms
 * since the state's clock base, so kernel times survive restarts); state
 * written to the store before the step's effects leave the process (write-
 * ahead, so nothing a framework or agent was told can be forgotten; the
 * whole contract, failures included, is in stateWriter.ts); and the tick
 * timer that `nextWakeMs` asks for. Effects and events go to listeners.
 */
import { randomUUID } from 'node:crypto';
import type { Command, Effect, KernelEvent, KernelEventType, MasterOptions, StepResult } from '@allot/kernel';
import { createPrng, Master, restoreMaster } from '@allot/kernel';
import type { Logger } from 'pino';
import type { StateStore } from '../store/stateStore.js';
import type { HostRegistry, MasterStateDocument, TaskRecord } from './masterState.js';
import { buildDocument, parseDocument, STATE_KEY } from './masterState.js';
import type { RetryDelays } from './stateWriter.js';
import { StateWriter } from './stateWriter.js';

export type KernelOptions = Omit<MasterOptions, 'prng' | 'epoch'> & { seed?: number };

export type StepListener = (command: Command, result: StepResult, durationSeconds: number) => void;

export interface RunOptions {
  /** `performance.now()` time after which the command is dropped unrun (the caller's time budget ran out while it queued). */
  deadlineMs?: number;
}

/** Rejection codes of the host itself (never the kernel's): the call was not carried out, or not acknowledged. */
export const NOT_DURABLE = 'state_not_durable';
export const DEADLINE_EXCEEDED = 'deadline_exceeded';

/** Events after which the state document must be written before anything else happens. */
const DURABLE_EVENTS: ReadonlySet<KernelEventType> = new Set<KernelEventType>([
  'agent.added',
  'agent.reregistered',
  'agent.unreachable',
  'agent.removed',
  'agent.gone',
  'agent.draining',
  'agent.drained',
  'agent.attributesUpdated',
  'resources.converted',
  'framework.subscribed',
  'framework.removed',
  'role.updated',
  'task.launched',
  'task.updated',
  'task.acknowledged',
]);

function refused(code: string, message: string, events: KernelEvent[] = []): StepResult {
  return { ok: false, rejection: { code, message }, events, effects: [] };
}

export class MasterHost {
  master!: Master;
  registry!: HostRegistry;
  recovering = true;
  readonly #store: StateStore;
  readonly #writer: StateWriter;
  readonly #logger: Logger;
  readonly #options: KernelOptions;
  readonly #listeners: StepListener[] = [];
  readonly #committed: StepListener[] = [];
  readonly #effectSinks: Array<(effects: readonly Effect[]) => void> = [];
  #tail: Promise<unknown> = Promise.resolve();
  #lastNowMs = 0;
  #tickTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(store: StateStore, logger: Logger, options: KernelOptions, storeRetryMs?: RetryDelays) {
    this.#store = store;
    this.#logger = logger;
    this.#options = options;
    this.#writer = new StateWriter(store, STATE_KEY, logger, storeRetryMs);
  }

  /** Set when the store refused a write (another master owns the state): the daemon must stop. */
  get fenced(): boolean {
    return this.#writer.fenced;
  }

  /** Whether state-changing calls are served now; `unavailable()` says why not. */
  get writable(): boolean {
    return this.unavailable() === null;
  }

  /** Why the master serves no writes right now (for 503 answers and /health), or null. */
  unavailable(): string | null {
    if (this.recovering) return 'the master is recovering its state; retry shortly';
    if (this.#closed) return 'the master is shutting down';
    if (this.#writer.fenced) return 'this master no longer owns the state (another master took over)';
    const failure = this.#writer.failure;
    if (failure) return `the master could not store its state (${failure.message}); it serves no writes until its store accepts them again`;
    return null;
  }

  /** Loads the state document (or starts fresh) and builds the kernel. */
  async recover(): Promise<{ fresh: boolean }> {
    const stored = await this.#store.get(STATE_KEY);
    const { seed, ...kernelOptions } = this.#options;
    const prng = createPrng(seed ?? Date.now() % 2 ** 31);
    if (stored === null) {
      this.registry = {
        masterId: randomUUID(),
        clockBaseMs: Date.now() - 1,
        nextFrameworkSeq: 0,
        frameworks: new Map(),
        agents: new Map(),
        recoveredTasks: new Map(),
      };
      this.#lastNowMs = this.#readClock();
      this.master = new Master({ ...kernelOptions, prng });
      this.master.step({ type: 'tick', nowMs: this.#lastNowMs });
    } else {
      const document: MasterStateDocument = parseDocument(stored.value);
      this.#writer.version = stored.version;
      this.registry = {
        masterId: document.masterId,
        clockBaseMs: document.clockBaseMs,
        nextFrameworkSeq: document.nextFrameworkSeq,
        frameworks: new Map(document.frameworks.map((record) => [record.id, record])),
        agents: new Map(document.agents.map((record) => [record.id, record])),
        recoveredTasks: new Map(document.tasks.map((record: TaskRecord) => [`${record.frameworkId}/${record.taskId}`, record])),
      };
      this.#lastNowMs = Math.max(document.lastNowMs, this.#readClock());
      this.master = restoreMaster(document.kernel, { ...kernelOptions, prng }, this.#lastNowMs);
    }
    // The new epoch is stored before anything runs; if the store fails, commands wait in the queue for its retries.
    const durable = await this.#writer.write(this.#document);
    if (!durable && !this.#writer.fenced) this.#hold(this.#writer.untilDurable(this.#document));
    this.recovering = false;
    this.#scheduleTick();
    this.#logger.info(
      {
        masterId: this.registry.masterId,
        epoch: this.master.epoch,
        store: this.#store.description,
        agentsToReregister: this.master.recoveredAgents.size,
        frameworks: this.master.frameworks.size,
        tasks: this.registry.recoveredTasks.size,
      },
      stored === null ? 'master started with a fresh state' : 'master recovered its state',
    );
    return { fresh: stored === null };
  }

  /** Called after every step, before its state is written (daemon bookkeeping that the document includes). */
  onStep(listener: StepListener): void {
    this.#listeners.push(listener);
  }

  /** Called once a step's state is durable, with the effects: anything that tells the outside world. */
  onCommitted(listener: StepListener): void {
    this.#committed.push(listener);
  }

  onEffects(sink: (effects: readonly Effect[]) => void): void {
    this.#effectSinks.push(sink);
  }

  /** Kernel time now (ms since the clock base), never going backwards. */
  nowMs(): number {
    this.#lastNowMs = Math.max(this.#lastNowMs, this.#readClock());
    return this.#lastNowMs;
  }

  /** Wall-clock seconds of a kernel time, as Mesos timestamps are. */
  wallSeconds(kernelMs: number): number {
    return (this.registry.clockBaseMs + kernelMs) / 1000;
  }

  /**
   * Runs a command built at execution time (so that its `nowMs` is current),
   * after every command queued before it. Resolves once the state is stored
   * and the effects are handed to the sinks, or with a refusal: `state_not_durable`
   * (the write failed; the change is held until a retry stores it), or
   * `deadline_exceeded` (not run: it waited past `deadlineMs`).
   */
  run(build: (nowMs: number) => Command, options: RunOptions = {}): Promise<StepResult> {
    return new Promise((answer) =>
      this.#hold(
        this.#tail
          .then(() => this.#execute(build, options, answer))
          .catch((error: unknown) => {
            answer(refused('internal_error', `internal error: ${(error as Error).message}`));
            throw error;
          }),
      ),
    );
  }

  /** Writes the document through the queue (for daemon-side changes such as framework infos); true once durable. */
  persistSoon(): Promise<boolean> {
    return new Promise((answer) =>
      this.#hold(
        this.#tail.then(async () => {
          if (await this.#writer.write(this.#document)) return answer(true);
          answer(false);
          await this.#writer.untilDurable(this.#document);
        }),
      ),
    );
  }

  close(): void {
    this.#closed = true;
    this.#writer.close();
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
  }

  /** Makes `work` the tail of the queue: later commands wait for it. */
  #hold(work: Promise<unknown>): void {
    this.#tail = work.catch((error: unknown) => this.#logger.error({ err: error }, 'master queue task failed'));
  }

  readonly #document = (): string => JSON.stringify(buildDocument(this.master, this.registry));

  async #execute(build: (nowMs: number) => Command, options: RunOptions, answer: (result: StepResult) => void): Promise<void> {
    if (this.#closed) return answer(refused('master_closed', 'the master is shutting down'));
    if (options.deadlineMs !== undefined && performance.now() > options.deadlineMs)
      return answer(refused(DEADLINE_EXCEEDED, 'the master is busy: the call waited past its time budget and was not carried out'));
    const command = build(this.nowMs());
    let result: StepResult;
    const startedAt = performance.now();
    try {
      result = this.master.step(command);
    } catch (error) {
      // A kernel assertion: a bug, not the client's fault. Keep serving; say so loudly.
      this.#logger.error({ err: error, command: command.type }, 'kernel assertion failed; the command was dropped');
      return answer(refused('internal_error', `internal error: ${(error as Error).message}`));
    }
    const durationSeconds = (performance.now() - startedAt) / 1000;
    this.#notify(this.#listeners, command, result, durationSeconds);
    if (result.events.some((event: KernelEvent) => DURABLE_EVENTS.has(event.type)) && !(await this.#writer.write(this.#document))) {
      // Not acknowledged. Its outputs stay here (write-ahead) and the queue waits until a retry stores the state.
      answer(refused(NOT_DURABLE, this.unavailable() ?? 'the state could not be stored', result.events));
      if (!(await this.#writer.untilDurable(this.#document))) return;
    }
    // A master whose write was refused (it is no longer the leader) must not act on a state it could not store.
    if (this.#writer.fenced) return answer(result);
    this.#notify(this.#committed, command, result, durationSeconds);
    if (result.effects.length > 0) for (const sink of this.#effectSinks) sink(result.effects);
    answer(result);
    this.#scheduleTick();
  }

  #notify(listeners: readonly StepListener[], command: Command, result: StepResult, durationSeconds: number): void {
    for (const listener of listeners) {
      try {
        listener(command, result, durationSeconds);
      } catch (error) {
        this.#logger.error({ err: error }, 'step listener failed');
      }
    }
  }

  #scheduleTick(): void {
    if (this.#closed) return;
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    const delayMs = Math.max(0, this.master.nextWakeMs() - this.nowMs());
    this.#tickTimer = setTimeout(
      () => {
        this.#tickTimer = null;
        void this.run((nowMs) => ({ type: 'tick', nowMs }));
      },
      Math.min(delayMs, 2 ** 31 - 1),
    );
  }

  #readClock(): number {
    return Date.now() - this.registry.clockBaseMs;
  }
}
