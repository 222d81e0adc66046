/**
 * `allot master --record FILE`: every command the master steps, written to
 * FILE as a recording (kernel/src/recording) that `allot replay` steps again
 * through the same kernel. The first line is the state the master started
 * from; then one line per step. Bounded: a file holds at most
 * `segmentBytesMax`, then the recording continues in FILE.1, FILE.2, ...; after
 * `segmentsMax` files the recording stops (logged) rather than drop its
 * beginning, without which the rest cannot be replayed. A recording left by an
 * earlier run of the master is kept as FILE.prev (and FILE.prev.1, ...).
 * Files are readable by their owner only: commands carry task environments.
 * Lines are buffered and written at most `flushMs` apart.
 */
import { closeSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Command, KernelEvent, Master, RecordedMasterOptions, RecordedStep, RecordingHeader } from '@allot/kernel';
import { eventsDigest, RECORDING_VERSION, recordingStringify, stateDigest } from '@allot/kernel';
import type { Logger } from 'pino';

export interface RecorderLimits {
  segmentBytesMax: number;
  segmentsMax: number;
  flushMs: number;
}

export const DEFAULT_RECORDER_LIMITS: RecorderLimits = { segmentBytesMax: 64 * 2 ** 20, segmentsMax: 16, flushMs: 200 };
const BUFFER_BYTES_MAX = 2 ** 20;
const PREVIOUS_KEPT_MAX = 64;

export interface RecordingStart {
  recordingId: string;
  masterId: string;
  clockBaseMs: number;
  seed: number;
  options: RecordedMasterOptions;
  start: RecordingHeader['start'];
}

export class CommandRecorder {
  readonly #path: string;
  readonly #limits: RecorderLimits;
  readonly #logger: Logger;
  #header: RecordingHeader | null = null;
  #fd: number | null = null;
  #segment = 0;
  #segmentBytes = 0;
  #nextStep = 1;
  #buffer: string[] = [];
  #bufferBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(path: string, logger: Logger, limits: Partial<RecorderLimits> = {}) {
    this.#path = path;
    this.#logger = logger;
    this.#limits = { ...DEFAULT_RECORDER_LIMITS, ...limits };
  }

  /** Starts the recording (keeping an earlier one as FILE.prev). */
  begin(start: RecordingStart): void {
    keepPrevious(this.#path);
    const { recordingId, masterId, clockBaseMs, seed, options } = start;
    this.#header = {
      allotRecording: RECORDING_VERSION,
      recordingId,
      segment: 0,
      firstStep: 1,
      masterId,
      clockBaseMs,
      seed,
      options,
      start: start.start,
    };
    this.#open(this.#header);
    this.#logger.info({ path: this.#path, recordingId }, 'recording every command the master steps');
  }

  /** The command's recording JSON, taken before it is stepped (the kernel may keep and change what it is given). */
  encode(command: Command): string | null {
    return this.#stopped || this.#header === null ? null : recordingStringify(command);
  }

  /** One stepped command (as `encode` gave it): what it was, and a fingerprint of what it gave. */
  step(commandJson: string | null, events: readonly KernelEvent[], master: Master, threw?: string): void {
    if (commandJson === null || this.#stopped || this.#header === null) return;
    const n = this.#nextStep++;
    const rest: Omit<RecordedStep, 'n' | 'command'> = {
      events: events.length,
      digest: eventsDigest(events),
      state: stateDigest(master),
      ...(threw !== undefined ? { threw } : {}),
    };
    const text = `{"n":${n},"command":${commandJson},${recordingStringify(rest).slice(1)}\n`;
    if (this.#segmentBytes + this.#bufferBytes + text.length > this.#limits.segmentBytesMax && !this.#rotate(n)) return;
    this.#buffer.push(text);
    this.#bufferBytes += text.length;
    if (this.#bufferBytes >= BUFFER_BYTES_MAX) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#limits.flushMs).unref();
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#fd === null || this.#buffer.length === 0) return;
    const chunk = this.#buffer.join('');
    this.#buffer = [];
    this.#bufferBytes = 0;
    try {
      writeSync(this.#fd, chunk);
      this.#segmentBytes += Buffer.byteLength(chunk);
    } catch (error) {
      // A recording must be whole to be replayed: after a failed write, stop rather than leave a gap.
      this.#stop(`the recording could not be written (${(error as Error).message})`);
    }
  }

  close(): void {
    this.flush();
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#stopped = true;
  }

  #open(header: RecordingHeader): void {
    const path = this.#segment === 0 ? this.#path : `${this.#path}.${this.#segment}`;
    this.#fd = openSync(path, 'w', 0o600);
    const text = `${recordingStringify(header)}\n`;
    writeSync(this.#fd, text);
    this.#segmentBytes = Buffer.byteLength(text);
  }

  /** The current file is full: continue in the next one, or stop when there may be no more. */
  #rotate(nextStep: number): boolean {
    this.flush();
    if (this.#stopped) return false;
    if (this.#segment + 1 >= this.#limits.segmentsMax) {
      this.#stop(
        `the recording reached its bound (${this.#limits.segmentsMax} files of ${this.#limits.segmentBytesMax} bytes); it stops at step ${nextStep - 1}`,
      );
      return false;
    }
    closeSync(this.#fd!);
    this.#segment++;
    this.#open({ ...this.#header!, segment: this.#segment, firstStep: nextStep });
    return true;
  }

  #stop(reason: string): void {
    this.#logger.warn({ path: this.#path }, reason);
    this.#buffer = [];
    this.#bufferBytes = 0;
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
    this.#stopped = true;
  }
}

/** FILE, FILE.1, ... of an earlier run become FILE.prev, FILE.prev.1, ... (an older FILE.prev goes). */
function keepPrevious(path: string): void {
  if (!existsSync(path)) return;
  for (let i = 0; i < PREVIOUS_KEPT_MAX; i++) {
    const previous = i === 0 ? `${path}.prev` : `${path}.prev.${i}`;
    if (existsSync(previous)) rmSync(previous);
  }
  for (let i = 0; i < PREVIOUS_KEPT_MAX; i++) {
    const current = i === 0 ? path : `${path}.${i}`;
    if (!existsSync(current)) break;
    renameSync(current, i === 0 ? `${path}.prev` : `${path}.prev.${i}`);
  }
}
