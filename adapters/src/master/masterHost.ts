/**
 * The host around the kernel's Master: one queue through which every command
 * passes in order, with the clock read as the command runs (monotonic, in ms
 * since the state's clock base, so kernel times survive restarts); state
 * written to the store before the step's effects leave the process (write-
 * ahead, so nothing a framework or agent was told can be forgotten); and the
 * tick timer that `nextWakeMs` asks for. Effects and events go to listeners.
 */
import { randomUUID } from 'node:crypto';
import type { Command, Effect, KernelEvent, KernelEventType, MasterOptions, StepResult } from '@allot/kernel';
import { createPrng, Master, restoreMaster } from '@allot/kernel';
import type { Logger } from 'pino';
import type { StateStore } from '../store/stateStore.js';
import type { HostRegistry, MasterStateDocument, TaskRecord } from './masterState.js';
import { buildDocument, parseDocument, STATE_KEY } from './masterState.js';

export type KernelOptions = Omit<MasterOptions, 'prng' | 'epoch'> & { seed?: number };

export type StepListener = (command: Command, result: StepResult, durationSeconds: number) => void;

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
  'maintenance.scheduled',
  'machine.down',
  'machine.up',
  'inverseOffer.accepted',
  'inverseOffer.declined',
]);

export class MasterHost {
  master!: Master;
  registry!: HostRegistry;
  recovering = true;
  /** Set when the store refused a write (another master owns the state): the daemon must stop. */
  fenced = false;
  readonly #store: StateStore;
  readonly #logger: Logger;
  readonly #options: KernelOptions;
  readonly #listeners: StepListener[] = [];
  readonly #effectSinks: Array<(effects: readonly Effect[]) => void> = [];
  #tail: Promise<unknown> = Promise.resolve();
  #storedVersion = 0;
  #lastNowMs = 0;
  #tickTimer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(store: StateStore, logger: Logger, options: KernelOptions) {
    this.#store = store;
    this.#logger = logger;
    this.#options = options;
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
      this.#storedVersion = stored.version;
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
    await this.#persist();
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

  onStep(listener: StepListener): void {
    this.#listeners.push(listener);
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
   * and the effects are handed to the sinks.
   */
  run(build: (nowMs: number) => Command): Promise<StepResult> {
    const next = this.#tail.then(() => this.#execute(build));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  /** Writes the document through the queue (for daemon-side changes such as framework infos). */
  persistSoon(): Promise<void> {
    const next = this.#tail.then(() => this.#persist());
    this.#tail = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.#closed = true;
    if (this.#tickTimer) clearTimeout(this.#tickTimer);
    this.#tickTimer = null;
  }

  async #execute(build: (nowMs: number) => Command): Promise<StepResult> {
    if (this.#closed)
      return { ok: false, rejection: { code: 'master_closed', message: 'the master is shutting down' }, events: [], effects: [] };
    const command = build(this.nowMs());
    let result: StepResult;
    const startedAt = performance.now();
    try {
      result = this.master.step(command);
    } catch (error) {
      // A kernel assertion: a bug, not the client's fault. Keep serving; say so loudly.
      this.#logger.error({ err: error, command: command.type }, 'kernel assertion failed; the command was dropped');
      return {
        ok: false,
        rejection: { code: 'internal_error', message: `internal error: ${(error as Error).message}` },
        events: [],
        effects: [],
      };
    }
    const durationSeconds = (performance.now() - startedAt) / 1000;
    for (const listener of this.#listeners) {
      try {
        listener(command, result, durationSeconds);
      } catch (error) {
        this.#logger.error({ err: error }, 'step listener failed');
      }
    }
    if (result.events.some((event: KernelEvent) => DURABLE_EVENTS.has(event.type))) await this.#persist();
    // A master whose write was refused (it is no longer the leader) must not act on a state it could not store.
    if (this.fenced) return result;
    if (result.effects.length > 0) for (const sink of this.#effectSinks) sink(result.effects);
    this.#scheduleTick();
    return result;
  }

  async #persist(): Promise<void> {
    if (this.fenced) return;
    const document = buildDocument(this.master, this.registry);
    const result = await this.#store.put(STATE_KEY, JSON.stringify(document), this.#storedVersion);
    if (!result.ok) {
      this.fenced = true;
      this.#logger.fatal(
        { code: result.code, actualVersion: result.actualVersion },
        `state store refused the write (${result.message}): another master owns the state`,
      );
      return;
    }
    this.#storedVersion = result.version;
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
