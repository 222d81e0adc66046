/**
 * Replays a recording through a fresh kernel: builds the master the header
 * describes (fresh, or restored from its snapshot, with the same seed and
 * options) and steps each recorded command, checking that each step gives as
 * many events, with the same fingerprint, as it did when it was recorded.
 * Options that only observe (the decision log, for explain) may differ.
 */
import type { KernelEvent } from '../master/events.js';
import { Master } from '../master/master.js';
import { restoreMaster } from '../master/snapshot.js';
import { createPrng } from '../prng.js';
import type { RecordedStep, RecordingHeader } from './recording.js';
import { eventsDigest, RECORDING_VERSION, stateDigest } from './recording.js';

export interface ReplayOptions {
  /** Keep the allocator's decisions of this many recent cycles (for explain during the replay); default: as recorded. */
  decisionCycles?: number;
}

export interface ReplayStep {
  readonly n: number;
  readonly nowMs: number;
  readonly events: readonly KernelEvent[];
  /** Null when the step gave what was recorded; otherwise what differs. */
  readonly mismatch: string | null;
}

export class Replayer {
  readonly header: RecordingHeader;
  readonly master: Master;
  #nextStep: number;

  constructor(header: RecordingHeader, options: ReplayOptions = {}) {
    if (header.allotRecording !== RECORDING_VERSION)
      throw new Error(`unsupported recording version ${String(header.allotRecording)} (this allot reads version ${RECORDING_VERSION})`);
    if (header.segment !== 0)
      throw new Error(`this file is segment ${header.segment} of recording ${header.recordingId}: a replay starts at segment 0`);
    this.header = header;
    const masterOptions = {
      ...header.options,
      ...(options.decisionCycles !== undefined ? { decisionCycles: options.decisionCycles } : {}),
      prng: createPrng(header.seed),
    };
    const { nowMs, snapshot } = header.start;
    if (snapshot) {
      this.master = restoreMaster(snapshot, masterOptions, nowMs);
    } else {
      this.master = new Master(masterOptions);
      this.master.step({ type: 'tick', nowMs });
    }
    this.#nextStep = header.firstStep;
  }

  /** The number the next step must have. */
  get nextStep(): number {
    return this.#nextStep;
  }

  step(recorded: RecordedStep): ReplayStep {
    if (recorded.n !== this.#nextStep)
      throw new Error(`recording step ${recorded.n} follows step ${this.#nextStep - 1}: steps are missing (a segment of the recording?)`);
    this.#nextStep++;
    const { command } = recorded;
    let events: KernelEvent[] = [];
    let threw: string | null = null;
    try {
      events = this.master.step(command).events;
    } catch (error) {
      threw = (error as Error).message;
    }
    return { n: recorded.n, nowMs: command.nowMs, events, mismatch: this.#compare(recorded, events, threw) };
  }

  #compare(recorded: RecordedStep, events: readonly KernelEvent[], threw: string | null): string | null {
    const at = `step ${recorded.n} (${recorded.command.type} at ${recorded.command.nowMs} ms)`;
    if ((recorded.threw ?? null) !== threw)
      return `${at}: ${recorded.threw ? `threw "${recorded.threw}" when recorded` : 'did not throw when recorded'}, ${threw ? `threw "${threw}" now` : 'does not throw now'}`;
    if (events.length !== recorded.events) return `${at}: ${recorded.events} events when recorded, ${events.length} now`;
    const digest = eventsDigest(events);
    if (digest !== recorded.digest) return `${at}: events fingerprint ${recorded.digest} when recorded, ${digest} now`;
    const state = stateDigest(this.master);
    if (state !== recorded.state) return `${at}: state fingerprint ${recorded.state} when recorded, ${state} now`;
    return null;
  }
}
