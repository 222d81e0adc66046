/**
 * The host around the kernel's Master: one queue through which every command
 * passes in order, with the clock read as the command runs (monotonic, in ms
 * since the state's clock base, so kernel times survive restarts); the
 * objects a step changed (agents, their reservations, frameworks, roles: one
 * store key each, see stateKeys.ts) written in one commit before the step's
 * effects leave the process (write-ahead, so nothing a framework or agent was
 * told can be forgotten; the whole contract, failures included, is in
 * stateWriter.ts); and the tick timer that `nextWakeMs` asks for. Tasks are
 * not written: agents report them when they re-register, as in Mesos.
 * Effects and events go to listeners.
 */
import { randomUUID } from 'node:crypto';
import type { Command, Effect, KernelEvent, MasterOptions, StepResult } from '@allot/kernel';
import { createPrng, Master, restoreMaster } from '@allot/kernel';
import type { Logger } from 'pino';
import type { StateStore } from '../store/stateStore.js';
import type { CommandRecorder } from './commandRecorder.js';
import type { HostRegistry } from './hostRegistry.js';
import type { StoreWriteStats } from './stateChanges.js';
import { StateChanges } from './stateChanges.js';
import { agentKey, frameworkKey, LEGACY_DOCUMENT_KEY, MAINTENANCE_KEY, META_KEY, resourcesKey, roleKey } from './stateKeys.js';
import type { LoadedState } from './stateLoader.js';
import { loadState } from './stateLoader.js';
import type { DurableState, RetryDelays } from './stateWriter.js';
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
  readonly #mayAct: () => boolean;
  readonly #listeners: StepListener[] = [];
  readonly #committed: StepListener[] = [];
  readonly #effectSinks: Array<(effects: readonly Effect[]) => void> = [];
  #tail: Promise<unknown> = Promise.resolve();
  #changes = new StateChanges(new Map());
  #lastNowMs = 0;
  #tickTimer: NodeJS.Timeout | null = null;
  #closed = false;
  #deposed = false;
  #recorder: CommandRecorder | null = null;

  constructor(store: StateStore, logger: Logger, options: KernelOptions, storeRetryMs?: RetryDelays, mayAct: () => boolean = () => true) {
    this.#store = store;
    this.#logger = logger;
    this.#options = options;
    this.#writer = new StateWriter(store, logger, storeRetryMs);
    this.#mayAct = mayAct;
  }

  /** Set when the store refused a write, or the election says this master no longer leads: the daemon must stop. */
  get fenced(): boolean {
    return this.#writer.fenced || this.#deposed;
  }

  /** False once this master may no longer act (it lost its leadership): it stops, as when a write is refused. */
  #stillActing(): boolean {
    if (this.fenced) return false;
    if (this.#mayAct()) return true;
    this.#deposed = true;
    this.#logger.fatal({}, 'this master no longer leads: it stops acting');
    return false;
  }

  /** Whether state-changing calls are served now; `unavailable()` says why not. */
  get writable(): boolean {
    return this.unavailable() === null;
  }

  /** Why the master serves no writes right now (for 503 answers and /health), or null. */
  unavailable(): string | null {
    if (this.recovering) return 'the master is recovering its state; retry shortly';
    if (this.#closed) return 'the master is shutting down';
    if (this.fenced) return 'this master no longer owns the state (another master took over)';
    const failure = this.#writer.failure;
    if (failure) return `the master could not store its state (${failure.message}); it serves no writes until its store accepts them again`;
    return null;
  }

  /** Records every command stepped from now on (`allot master --record`); set before `recover`, which starts the recording. */
  record(recorder: CommandRecorder): void {
    if (!this.recovering) throw new Error('a recording starts with the state the master starts from: set it before recover()');
    this.#recorder = recorder;
  }

  /** Loads the state (or starts fresh; or migrates the old single document) and builds the kernel. */
  async recover(): Promise<{ fresh: boolean }> {
    const startedAt = performance.now();
    const stored = await this.#store.list();
    const readAt = performance.now();
    const loaded = loadState(stored);
    this.#changes = new StateChanges(stored);
    const { seed, ...kernelOptions } = this.#options;
    const seedUsed = seed ?? Date.now() % 2 ** 31;
    const prng = createPrng(seedUsed);
    if (loaded === null) {
      this.registry = {
        masterId: randomUUID(),
        clockBaseMs: Date.now() - 1,
        nextFrameworkSeq: 0,
        frameworks: new Map(),
        agents: new Map(),
      };
      this.#lastNowMs = this.#readClock();
      this.master = new Master({ ...kernelOptions, prng });
      this.master.step({ type: 'tick', nowMs: this.#lastNowMs });
    } else {
      this.registry = loaded.registry;
      this.#lastNowMs = Math.max(loaded.lastNowMs, this.#readClock());
      this.master = restoreMaster(loaded.snapshot, { ...kernelOptions, prng }, this.#lastNowMs);
      if (loaded.migrated) this.#markEverything(loaded);
      for (const problem of loaded.problems) this.#logger.warn({ problem }, 'stored state record ignored');
    }
    this.#recorder?.begin({
      recordingId: randomUUID(),
      masterId: this.registry.masterId,
      clockBaseMs: this.registry.clockBaseMs,
      seed: seedUsed,
      options: kernelOptions,
      start: { nowMs: this.#lastNowMs, snapshot: loaded?.snapshot ?? null },
    });
    const restoredAt = performance.now();
    // The new epoch is stored before anything runs (offer ids carry it); if the store fails, commands wait in the queue for its retries.
    this.#changes.mark(META_KEY);
    const durable = await this.#writer.write(this.#state);
    if (!durable && !this.#writer.fenced) this.#hold(this.#writer.untilDurable(this.#state));
    const ms = (from: number, to: number) => Math.round(to - from);
    const timing = { readMs: ms(startedAt, readAt), restoreMs: ms(readAt, restoredAt), writeMs: ms(restoredAt, performance.now()) };
    this.recovering = false;
    this.#scheduleTick();
    this.#logger.info(
      {
        masterId: this.registry.masterId,
        epoch: this.master.epoch,
        store: this.#store.description,
        keys: stored.size,
        agentsToReregister: this.master.recoveredAgents.size,
        frameworks: this.master.frameworks.size,
        migrated: loaded?.migrated ?? false,
        ...timing,
      },
      loaded === null ? 'master started with a fresh state' : 'master recovered its state',
    );
    return { fresh: loaded === null };
  }

  /** After reading the old single document: every object goes under its own key, and the document goes. */
  #markEverything(loaded: LoadedState): void {
    const { snapshot } = loaded;
    for (const key of this.#changes.storedKeys()) this.#changes.mark(key);
    for (const { id } of [...snapshot.agents, ...snapshot.unreachable.map((entry) => entry.record), ...snapshot.gone]) {
      this.#changes.mark(agentKey(id));
      this.#changes.mark(resourcesKey(id));
    }
    for (const framework of snapshot.frameworks) this.#changes.mark(frameworkKey(framework.id));
    for (const role of snapshot.roles) this.#changes.mark(roleKey(role.name));
    this.#changes.mark(MAINTENANCE_KEY);
    this.#changes.mark(LEGACY_DOCUMENT_KEY);
  }

  /** What the master has written to its store since it started (for /metrics). */
  get storeStats(): Readonly<StoreWriteStats> {
    return this.#changes.stats;
  }

  /** Called after every step, before its state is written (daemon bookkeeping that the write includes). */
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

  /** Writes the given keys through the queue (for daemon-side changes such as framework infos); true once durable. */
  persistSoon(keys: readonly string[]): Promise<boolean> {
    return new Promise((answer) =>
      this.#hold(
        this.#tail.then(async () => {
          for (const key of keys) this.#changes.mark(key);
          if (await this.#writer.write(this.#state)) return answer(true);
          answer(false);
          await this.#writer.untilDurable(this.#state);
        }),
      ),
    );
  }

  close(): void {
    this.#closed = true;
    this.#recorder?.close();
    this.#writer.close();
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
  }

  /** Makes `work` the tail of the queue: later commands wait for it. */
  #hold(work: Promise<unknown>): void {
    this.#tail = work.catch((error: unknown) => this.#logger.error({ err: error }, 'master queue task failed'));
  }

  /** What the writer stores: the keys the last steps changed, as they are now (stateChanges.ts). */
  readonly #state: DurableState = {
    pending: () => this.#changes.pending(this.master, this.registry),
    committed: (writes, versions) => this.#changes.committed(writes, versions),
  };

  async #execute(build: (nowMs: number) => Command, options: RunOptions, answer: (result: StepResult) => void): Promise<void> {
    if (this.#closed) return answer(refused('master_closed', 'the master is shutting down'));
    if (options.deadlineMs !== undefined && performance.now() > options.deadlineMs)
      return answer(refused(DEADLINE_EXCEEDED, 'the master is busy: the call waited past its time budget and was not carried out'));
    if (!this.#stillActing()) return answer(refused('not_leader', 'this master no longer leads'));
    const command = build(this.nowMs());
    let result: StepResult;
    const commandJson = this.#recorder?.encode(command) ?? null;
    const startedAt = performance.now();
    try {
      result = this.master.step(command);
    } catch (error) {
      this.#recorder?.step(commandJson, [], this.master, (error as Error).message);
      // A kernel assertion: a bug, not the client's fault. Keep serving; say so loudly.
      this.#logger.error({ err: error, command: command.type }, 'kernel assertion failed; the command was dropped');
      return answer(refused('internal_error', `internal error: ${(error as Error).message}`));
    }
    const durationSeconds = (performance.now() - startedAt) / 1000;
    this.#recorder?.step(commandJson, result.events, this.master);
    this.#notify(this.#listeners, command, result, durationSeconds);
    this.#changes.markEvents(result.events);
    if (this.#changes.hasChanges && !(await this.#writer.write(this.#state))) {
      // Not acknowledged. Its outputs stay here (write-ahead) and the queue waits until a retry stores the state.
      answer(refused(NOT_DURABLE, this.unavailable() ?? 'the state could not be stored', result.events));
      if (!(await this.#writer.untilDurable(this.#state))) return;
    }
    // A master whose write was refused, or whose leadership ended meanwhile, must not act on this step.
    if (!this.#stillActing()) return answer(result);
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
