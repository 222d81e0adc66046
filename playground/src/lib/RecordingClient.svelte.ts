/**
 * "Open recording": a master recorded with `allot master --record FILE`,
 * replayed in the browser through the same kernel engine as `allot replay`
 * (Replayer, parseRecording) and shown at any moment of its timeline with
 * the connected-mode views: the cluster (clusterView, as the live stream's
 * snapshots), the tasks, shares and offers over the last 120 s before that
 * moment (one point a second of recorded time), the events, and the explain
 * matrix (the replay keeps the allocator's decisions of its last 10 cycles,
 * as `allot replay --explain` does). Moving forward steps on; moving back
 * replays from the start, so a long recording takes longer to rewind.
 */
import type { KernelEvent, ParsedRecording, RecordingSegmentText } from '@allot/kernel';
import { clusterView, explainMatrix, parseRecording, Replayer } from '@allot/kernel';
import type { LiveSource } from './liveSource.js';
import type { LiveEvent, LiveMatrix, LiveSnapshot, LiveTask, SharePoint } from './MasterClient.svelte.js';
import { describeLiveEvent } from './MasterClient.svelte.js';

const EVENTS_KEPT = 300;
const POINTS_KEPT = 120;
const SAMPLE_MS = 1000;
const DECISION_CYCLES = 10;

/** The files of one recording in order: FILE, FILE.1, FILE.2, ... (as `allot replay` reads them). */
export function orderSegments(files: readonly RecordingSegmentText[]): RecordingSegmentText[] {
  const suffix = (name: string) => {
    const match = /\.(\d+)$/.exec(name);
    return match ? Number(match[1]) : 0;
  };
  return [...files].sort((a, b) => suffix(a.name) - suffix(b.name));
}

export function readRecording(
  files: readonly RecordingSegmentText[],
): { ok: true; recording: ParsedRecording } | { ok: false; error: string } {
  return parseRecording(orderSegments(files));
}

export class RecordingClient implements LiveSource {
  readonly name: string;
  readonly recording: ParsedRecording;
  readonly startMs: number;
  readonly endMs: number;
  /** The moment shown (kernel ms of the recorded master). */
  atMs = $state(0);
  /** Steps replayed so far, and what differed from the recording. */
  steps = $state(0);
  mismatches = $state.raw<string[]>([]);
  error = $state<string | null>(null);
  snapshot = $state.raw<LiveSnapshot | null>(null);
  tasks = $state.raw<LiveTask[]>([]);
  events = $state.raw<LiveEvent[]>([]);
  shareHistory = $state.raw<SharePoint[]>([]);
  offersPerSnapshot = $state.raw<{ nowMs: number; offers: number }[]>([]);
  matrix = $state.raw<LiveMatrix | null>(null);
  matrixFramework = $state<string | null>(null);
  matrixCells = $state.raw<LiveMatrix['cells']>([]);
  matrixError = $state<string | null>(null);

  #replayer: Replayer;
  #next = 0;
  #seq = 0;
  #lastSampleMs = Number.NEGATIVE_INFINITY;
  #offersSinceSample = 0;
  #events: LiveEvent[] = [];
  #shares: SharePoint[] = [];
  #offers: { nowMs: number; offers: number }[] = [];

  constructor(name: string, recording: ParsedRecording) {
    this.name = name;
    this.recording = recording;
    this.startMs = recording.header.start.nowMs;
    this.endMs = recording.steps.length ? recording.steps[recording.steps.length - 1].command.nowMs : this.startMs;
    this.#replayer = this.#fresh();
    this.seek(this.startMs);
  }

  #fresh(): Replayer {
    this.#next = 0;
    this.#seq = 0;
    this.#lastSampleMs = Number.NEGATIVE_INFINITY;
    this.#offersSinceSample = 0;
    this.#events = [];
    this.#shares = [];
    this.#offers = [];
    this.mismatches = [];
    return new Replayer(this.recording.header, { decisionCycles: DECISION_CYCLES });
  }

  /** Shows the recorded master as it was at `atMs` (clamped to the recording). */
  seek(atMs: number): void {
    const target = Math.min(this.endMs, Math.max(this.startMs, Math.round(atMs)));
    try {
      if (target < this.#replayer.master.nowMs) this.#replayer = this.#fresh();
      const mismatches: string[] = [...this.mismatches];
      const { steps } = this.recording;
      while (this.#next < steps.length && steps[this.#next].command.nowMs <= target) {
        const step = this.#replayer.step(steps[this.#next++]);
        if (step.mismatch && mismatches.length < 20) mismatches.push(step.mismatch);
        this.#observe(step.events, step.nowMs);
      }
      this.mismatches = mismatches;
      this.error = null;
    } catch (error) {
      this.error = `the replay stopped: ${(error as Error).message}`;
    }
    this.atMs = target;
    this.steps = this.#next;
    this.#show();
  }

  #observe(events: readonly KernelEvent[], nowMs: number): void {
    for (const event of events) {
      this.#seq++;
      if (event.type === 'offer.made') this.#offersSinceSample++;
      this.#events.push({ seq: this.#seq, type: event.type, text: describeLiveEvent(event as unknown as Record<string, any>) });
    }
    if (this.#events.length > EVENTS_KEPT * 2) this.#events = this.#events.slice(-EVENTS_KEPT);
    if (nowMs - this.#lastSampleMs < SAMPLE_MS) return;
    this.#lastSampleMs = nowMs;
    const view = clusterView(this.#replayer.master);
    this.#shares.push({ nowMs, shares: Object.fromEntries(view.frameworks.map((framework) => [framework.id, framework.share])) });
    this.#offers.push({ nowMs, offers: this.#offersSinceSample });
    this.#offersSinceSample = 0;
    if (this.#shares.length > POINTS_KEPT * 2) {
      this.#shares = this.#shares.slice(-POINTS_KEPT);
      this.#offers = this.#offers.slice(-POINTS_KEPT);
    }
  }

  #show(): void {
    const master = this.#replayer.master;
    this.snapshot = clusterView(master);
    const tasks: LiveTask[] = [];
    for (const framework of master.frameworks.values())
      for (const task of framework.tasks.values())
        tasks.push({ id: task.id, name: task.name, frameworkId: task.frameworkId, agentId: task.agentId, state: task.state });
    this.tasks = tasks;
    this.events = this.#events.slice(-EVENTS_KEPT).reverse();
    this.shareHistory = this.#shares.slice(-POINTS_KEPT);
    this.offersPerSnapshot = this.#offers.slice(-POINTS_KEPT);
    this.#explain();
  }

  #explain(): void {
    const matrix = explainMatrix(this.#replayer.master);
    const framework =
      this.matrixFramework !== null && matrix.frameworks.includes(this.matrixFramework)
        ? this.matrixFramework
        : (matrix.frameworks[0] ?? null);
    const cells = matrix.cells.map((cell) => ({
      framework_id: cell.frameworkId,
      agent_id: cell.agentId,
      outcome: cell.outcome,
      reasons: cell.reasons.map((reason) => ({
        code: reason.code,
        message: reason.message,
        ...(reason.role !== undefined ? { role: reason.role } : {}),
      })),
    }));
    this.matrix = {
      now_ms: matrix.atMs,
      cycle: matrix.cycle,
      frameworks: [...matrix.frameworks],
      agents: [...matrix.agents],
      summary: matrix.summary as Record<string, Record<string, number>>,
      cells: [],
    };
    this.matrixCells = cells.filter((cell) => cell.framework_id === framework);
    this.matrixError = null;
  }

  pickMatrixFramework(frameworkId: string): void {
    this.matrixFramework = frameworkId;
    this.#explain();
  }
}
