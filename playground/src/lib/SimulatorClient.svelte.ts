/**
 * The UI side of one simulator worker (the svelte.dev REPL pattern): this
 * class owns the worker, tags every request with an id, drops replies that a
 * later load or seek made stale, and keeps the latest frame in `$state.raw`
 * so Svelte tracks it by reference and never proxies its typed arrays.
 * The play loop keeps at most one advance in flight: the worker sets the pace.
 *
 * Views that need not move with every frame read a PanelFeed instead of
 * `frame`: for big clusters while playing, the feeds take turns (one per
 * frame, each at most a few times a second), so one animation frame never
 * re-renders every panel at once. Panels in view take their turns first;
 * one scrolled out of view waits (it is neither laid out nor painted), so
 * what the user looks at never lags far behind the simulation. Sections
 * that did not change keep their identity from frame to frame, so views
 * derived from them do not re-run.
 */
import * as Comlink from 'comlink';
import type { ScenarioError, ScenarioFault, ScenarioInput, SimulationReport } from '@allot/kernel';
import type { Reply, SimulatorApi } from '../worker/simWorker.js';
import type { MatrixAnswer, MatrixQuery } from '../worker/explainMatrixAnswer.js';
import type { AgentDetail, EventRecord, ExplainResult, Frame, Sample, TaskDetail, TaskSummary, VersionedSection } from '../worker/frame.js';
import type { InjectableFault, ViewState } from '../worker/simulatorSession.js';

const EVENTS_KEPT = 1000;
/** The longest wall-clock gap one animation frame may turn into simulated time. */
const FRAME_GAP_MS_MAX = 100;
/** Above this many agents, panels other than the cluster map are throttled while playing. */
export const BIG_CLUSTER_AGENTS = 1000;
/** The shortest wall-clock time between two updates of one throttled panel. */
const PANEL_INTERVAL_MS = 250;
/** A throttled panel out of view still catches up this often (it may come into view any time). */
const HIDDEN_PANEL_INTERVAL_MS = 2000;
/** The achieved speed is measured over this much wall-clock time while playing. */
const SPEED_WINDOW_MS = 2000;
/**
 * While a big cluster plays, at most this many snapshots a second (one every
 * 50 ms): the simulated time per second is the same (each advance covers the
 * wall time since the last), but the worker builds fewer frames and the page
 * unpacks and draws fewer, which leaves the cores to the animation frames.
 */
const SNAPSHOT_INTERVAL_MS_BIG = 50;

export type PanelId = 'shares' | 'offers' | 'tasks' | 'events' | 'explain' | 'plans' | 'frameworks' | 'agent';
const PANELS: readonly PanelId[] = ['shares', 'offers', 'tasks', 'events', 'explain', 'plans', 'frameworks', 'agent'];

/** What one panel draws from: a frame, with the samples and events as they were then. */
export class PanelFeed {
  frame = $state.raw<Frame | null>(null);
  samples = $state.raw<Sample[]>([]);
  events = $state.raw<EventRecord[]>([]);
  updatedMs = 0;
  /** Whether the panel is (at least partly) in the viewport; App observes it. */
  visible = true;
}

export class SimulatorClient {
  frame = $state.raw<Frame | null>(null);
  agentIds = $state.raw<string[]>([]);
  samples = $state.raw<Sample[]>([]);
  events = $state.raw<EventRecord[]>([]);
  errors = $state.raw<ScenarioError[]>([]);
  notice = $state<string | null>(null);
  playing = $state(false);
  /**
   * Simulated ms per wall-clock ms actually reached while playing (null when
   * paused or not measured yet): a big cluster cannot always keep up with
   * the speed asked for, and the header says so.
   */
  achievedSpeed = $state<number | null>(null);
  /** [wall ms, simulated ms] while playing, for achievedSpeed. */
  #progress: Array<[number, number]> = [];
  /** The scenario input and seed last loaded (for the share URL and compare). */
  scenario = $state.raw<ScenarioInput | null>(null);
  seed = $state(1);
  /** Frame intervals and bytes seen while playing, for the benchmark. */
  readonly stats = { frames: 0, bytes: [] as number[] };
  readonly feeds: Record<PanelId, PanelFeed> = Object.fromEntries(PANELS.map((id) => [id, new PanelFeed()])) as Record<PanelId, PanelFeed>;

  readonly #worker: Worker;
  readonly #api: Comlink.Remote<SimulatorApi>;
  #nextId = 0;
  /** Replies to requests older than this are stale (a load or seek came after them). */
  #floorId = 0;
  #appliedId = 0;
  #inFlight = 0;
  #view: ViewState = { epoch: -1, agentsVersion: -1, samples: 0, eventSeq: 0, versions: {} };
  /** The request id of the latest advance sent by the play loop (its reply may throttle panels). */
  #playRequestId = -1;
  #speed = 2;
  #lastTickMs = 0;
  #rafId = 0;
  /** When the last frame was handed to the panels (throttling budgets by the time since). */
  #fannedOutMs = 0;

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
    const view = { ...this.#view, epoch: -1 };
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

  explainMatrix(query: MatrixQuery): Promise<MatrixAnswer | null> {
    return this.#query(this.#api.explainMatrix(query));
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
    this.achievedSpeed = null;
    this.#progress = [];
    cancelAnimationFrame(this.#rafId);
  }

  setPanelVisible(id: PanelId, visible: boolean): void {
    const feed = this.feeds[id];
    if (feed.visible === visible) return;
    feed.visible = visible;
    // Coming into view: catch up at once instead of waiting for a turn.
    if (visible && this.frame && feed.frame !== this.frame) this.#feed(feed, performance.now());
  }

  #tick(nowMs: number): void {
    if (!this.playing) return;
    const frame = this.frame;
    if (frame && frame.nowMs >= frame.durationMs) {
      this.pause();
      return;
    }
    const paced = frame && frame.agents.count > BIG_CLUSTER_AGENTS && nowMs - this.#lastTickMs < SNAPSHOT_INTERVAL_MS_BIG;
    if (this.#inFlight === 0 && frame && !paced) {
      const gapMs = Math.min(FRAME_GAP_MS_MAX, Math.max(0, nowMs - this.#lastTickMs));
      this.#lastTickMs = nowMs;
      this.#playRequestId = this.#nextId + 1;
      // Whole simulated milliseconds: the time is shared in links as an integer.
      void this.advance(frame.nowMs + Math.max(1, Math.round(gapMs * this.#speed)));
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
    if (!resets) this.#inFlight++;
    const id = resets ? this.#reset() : ++this.#nextId;
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

  #accept(incoming: Frame): boolean {
    if (incoming.requestId < this.#floorId || incoming.requestId <= this.#appliedId) return false;
    this.#appliedId = incoming.requestId;
    const previous = this.frame;
    const reset = incoming.epoch !== this.#view.epoch || !previous;
    const frame = reset ? incoming : mergeFrame(previous, incoming);
    this.samples = reset
      ? frame.samples
      : frame.samples.length || frame.samplesFrom !== this.samples.length
        ? [...this.samples.slice(0, frame.samplesFrom), ...frame.samples]
        : this.samples;
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
      versions: { ...frame.versions },
    };
    if (frame.notice) this.notice = frame.notice;
    this.stats.frames++;
    this.stats.bytes.push(frame.bytes);
    if (this.stats.bytes.length > 2000) this.stats.bytes.splice(0, 1000);
    this.frame = frame;
    this.#fanOut(this.playing && incoming.requestId === this.#playRequestId && frame.agents.count > BIG_CLUSTER_AGENTS);
    if (this.playing && !reset) this.#measureSpeed(frame.nowMs);
    return true;
  }

  #measureSpeed(simulatedMs: number): void {
    const wallMs = performance.now();
    this.#progress.push([wallMs, simulatedMs]);
    while (this.#progress.length > 2 && wallMs - this.#progress[1][0] >= SPEED_WINDOW_MS) this.#progress.shift();
    const [firstWall, firstSim] = this.#progress[0];
    if (wallMs - firstWall >= SPEED_WINDOW_MS / 2) this.achievedSpeed = (simulatedMs - firstSim) / (wallMs - firstWall);
  }

  /**
   * Hands the frame to the panels: all of them, or (throttled) the panels in
   * view that have waited long enough, stalest first, one per snapshot
   * interval since the last hand-out (snapshots 50 ms apart: one panel a
   * frame; a worker slow enough to send one a second: every panel in view,
   * as the frame budget is not the limit then), plus one panel out of view
   * that has waited much longer. A panel out of view is neither laid out nor
   * painted, so its turn costs little, and it never starves.
   */
  #fanOut(throttled: boolean): void {
    const nowMs = performance.now();
    const all = PANELS.map((id) => this.feeds[id]);
    const sinceMs = nowMs - this.#fannedOutMs;
    this.#fannedOutMs = nowMs;
    if (!throttled) {
      for (const feed of all) this.#feed(feed, nowMs);
      return;
    }
    const byAge = (feeds: PanelFeed[]) => feeds.sort((a, b) => a.updatedMs - b.updatedMs);
    const budget = Math.max(1, Math.floor(sinceMs / SNAPSHOT_INTERVAL_MS_BIG));
    const due = byAge(all.filter((feed) => feed.visible && nowMs - feed.updatedMs >= PANEL_INTERVAL_MS));
    for (const feed of due.slice(0, budget)) this.#feed(feed, nowMs);
    const outOfView = byAge(all.filter((feed) => !feed.visible))[0];
    if (outOfView && nowMs - outOfView.updatedMs >= HIDDEN_PANEL_INTERVAL_MS) this.#feed(outOfView, nowMs);
  }

  #feed(feed: PanelFeed, nowMs: number): void {
    const frame = this.frame;
    feed.updatedMs = nowMs;
    if (feed.frame !== frame) feed.frame = frame;
    if (feed.samples !== this.samples) feed.samples = this.samples;
    if (feed.events !== this.events) feed.events = this.events;
  }
}

/**
 * The incoming frame with the sections it left out taken from the previous
 * one, and every small section that equals the previous one replaced by it,
 * so that unchanged inputs keep their identity and derived views skip work.
 */
function mergeFrame(previous: Frame, incoming: Frame): Frame {
  const frame = { ...incoming };
  for (const section of incoming.unchanged as VersionedSection[]) (frame as Record<VersionedSection, unknown>)[section] = previous[section];
  for (const key of ['roles', 'frameworks', 'taskStates', 'transitions', 'counters', 'cluster', 'faults', 'violations'] as const) {
    if (sameJson(previous[key], incoming[key])) (frame as Record<string, unknown>)[key] = previous[key];
  }
  return frame;
}

/** Deep equality for the small plain-data sections of a frame. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  for (const key of keysA) if (!sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}
