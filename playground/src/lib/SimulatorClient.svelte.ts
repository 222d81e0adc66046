/**
 * The UI side of one simulator worker (the svelte.dev REPL pattern): this
 * class owns the worker, tags every request with an id, drops replies that a
 * later load or seek made stale, and keeps the latest frame in `$state.raw`
 * so Svelte tracks it by reference and never proxies its typed arrays.
 * The play loop keeps at most one advance in flight: the worker sets the pace.
 */
import * as Comlink from 'comlink';
import type { ScenarioError, ScenarioFault, ScenarioInput, SimulationReport } from '@allot/kernel';
import type { Reply, SimulatorApi } from '../worker/simWorker.js';
import type { AgentDetail, EventRecord, ExplainResult, Frame, Sample, TaskDetail, TaskSummary } from '../worker/frame.js';
import type { InjectableFault, ViewState } from '../worker/simulatorSession.js';

const EVENTS_KEPT = 1000;
/** The longest wall-clock gap one animation frame may turn into simulated time. */
const FRAME_GAP_MS_MAX = 100;

export class SimulatorClient {
  frame = $state.raw<Frame | null>(null);
  agentIds = $state.raw<string[]>([]);
  samples = $state.raw<Sample[]>([]);
  events = $state.raw<EventRecord[]>([]);
  errors = $state.raw<ScenarioError[]>([]);
  notice = $state<string | null>(null);
  playing = $state(false);
  /** The scenario input and seed last loaded (for the share URL and compare). */
  scenario = $state.raw<ScenarioInput | null>(null);
  seed = $state(1);
  /** Frame intervals and bytes seen while playing, for the benchmark. */
  readonly stats = { frames: 0, bytes: [] as number[] };

  readonly #worker: Worker;
  readonly #api: Comlink.Remote<SimulatorApi>;
  #nextId = 0;
  /** Replies to requests older than this are stale (a load or seek came after them). */
  #floorId = 0;
  #appliedId = 0;
  #inFlight = 0;
  #view: ViewState = { epoch: -1, agentsVersion: -1, samples: 0, eventSeq: 0 };
  #speed = 2;
  #lastTickMs = 0;
  #rafId = 0;

  constructor() {
    this.#worker = new Worker(new URL('../worker/simWorker.ts', import.meta.url), { type: 'module', name: 'allot-simulator' });
    this.#api = Comlink.wrap<SimulatorApi>(this.#worker);
  }

  get busy(): boolean {
    return this.#inFlight > 0;
  }

  dispose(): void {
    this.pause();
    this.#api[Comlink.releaseProxy]();
    this.#worker.terminate();
  }

  async load(scenario: ScenarioInput, options: { seed?: number; faults?: ScenarioFault[]; untilMs?: number } = {}): Promise<boolean> {
    this.pause();
    const id = this.#reset();
    const view = { ...this.#view };
    const reply = await this.#api.load({ scenario, ...options }, id, view);
    this.#inFlight--;
    if (!reply.ok) {
      this.notice = reply.message;
      return false;
    }
    if (!reply.value.ok) {
      this.errors = reply.value.errors;
      return false;
    }
    this.errors = [];
    this.scenario = scenario;
    this.seed = reply.value.frame.seed;
    this.#accept(reply.value.frame);
    return true;
  }

  advance(untilMs: number): Promise<Frame | null> {
    return this.#request(false, (id, view) => this.#api.advance(untilMs, id, view));
  }

  step(): Promise<Frame | null> {
    this.pause();
    return this.#request(false, (id, view) => this.#api.step(id, view));
  }

  seek(atMs: number): Promise<Frame | null> {
    return this.#request(true, (id, view) => this.#api.seek(atMs, id, view));
  }

  inject(fault: InjectableFault): Promise<Frame | null> {
    return this.#request(true, (id, view) => this.#api.inject(fault, id, view));
  }

  refresh(): Promise<Frame | null> {
    return this.#request(false, (id, view) => this.#api.frame(id, view));
  }

  /** Runs to `atMs` and resolves when there (or when the scenario ends). */
  async runTo(atMs: number): Promise<Frame | null> {
    this.pause();
    return this.advance(atMs);
  }

  explain(frameworkId: string, agentId: string): Promise<ExplainResult | null> {
    return this.#query(this.#api.explain(frameworkId, agentId));
  }

  agentDetail(agentId: string): Promise<AgentDetail | null> {
    return this.#query(this.#api.agentDetail(agentId));
  }

  taskDetail(frameworkId: string, taskId: string): Promise<TaskDetail | null> {
    return this.#query(this.#api.taskDetail(frameworkId, taskId));
  }

  listTasks(query: { frameworkId?: string; state?: string; limit?: number }): Promise<TaskSummary[] | null> {
    return this.#query(this.#api.listTasks(query));
  }

  report(): Promise<SimulationReport | null> {
    return this.#query(this.#api.report());
  }

  trace(): Promise<string | null> {
    return this.#query(this.#api.trace());
  }

  setSpeed(simulatedMsPerMs: number): void {
    this.#speed = simulatedMsPerMs;
  }

  play(): void {
    if (this.playing || !this.frame) return;
    if (this.frame.nowMs >= this.frame.durationMs) return;
    this.playing = true;
    this.#lastTickMs = performance.now();
    this.#rafId = requestAnimationFrame((t) => this.#tick(t));
  }

  pause(): void {
    if (this.playing) void this.refresh();
    this.playing = false;
    cancelAnimationFrame(this.#rafId);
  }

  #tick(nowMs: number): void {
    if (!this.playing) return;
    const frame = this.frame;
    if (frame && frame.nowMs >= frame.durationMs) {
      this.pause();
      return;
    }
    if (this.#inFlight === 0 && frame) {
      const gapMs = Math.min(FRAME_GAP_MS_MAX, Math.max(0, nowMs - this.#lastTickMs));
      this.#lastTickMs = nowMs;
      void this.advance(frame.nowMs + Math.max(1, gapMs * this.#speed));
    }
    this.#rafId = requestAnimationFrame((t) => this.#tick(t));
  }

  #reset(): number {
    const id = ++this.#nextId;
    this.#floorId = id;
    this.#inFlight++;
    return id;
  }

  async #request(resets: boolean, run: (id: number, view: ViewState) => Promise<Reply<Frame>>): Promise<Frame | null> {
    if (!this.frame && !resets) return null;
    const id = resets ? this.#reset() : (this.#inFlight++, ++this.#nextId);
    try {
      const reply = await run(id, { ...this.#view });
      if (!reply.ok) {
        this.notice = reply.message;
        return null;
      }
      return this.#accept(reply.value) ? reply.value : null;
    } finally {
      this.#inFlight--;
    }
  }

  async #query<T>(pending: Promise<Reply<T>>): Promise<T | null> {
    const reply = await pending;
    if (reply.ok) return reply.value;
    this.notice = reply.message;
    return null;
  }

  #accept(frame: Frame): boolean {
    if (frame.requestId < this.#floorId || frame.requestId <= this.#appliedId) return false;
    this.#appliedId = frame.requestId;
    const reset = frame.epoch !== this.#view.epoch;
    this.samples = reset ? frame.samples : frame.samples.length || frame.samplesFrom !== this.samples.length ? [...this.samples.slice(0, frame.samplesFrom), ...frame.samples] : this.samples;
    if (reset) this.events = frame.events.slice(-EVENTS_KEPT);
    else if (frame.events.length) {
      const lastSeq = this.#view.eventSeq;
      const fresh = frame.events.filter((event) => event.seq > lastSeq);
      this.events = [...this.events, ...fresh].slice(-EVENTS_KEPT);
    }
    if (frame.agents.ids) this.agentIds = frame.agents.ids;
    const lastEvent = frame.events[frame.events.length - 1];
    this.#view = {
      epoch: frame.epoch,
      agentsVersion: frame.agents.version,
      samples: this.samples.length,
      eventSeq: lastEvent ? lastEvent.seq : reset ? 0 : this.#view.eventSeq,
    };
    if (frame.notice) this.notice = frame.notice;
    this.stats.frames++;
    this.stats.bytes.push(frame.bytes);
    if (this.stats.bytes.length > 2000) this.stats.bytes.splice(0, 1000);
    this.frame = frame;
    return true;
  }
}
