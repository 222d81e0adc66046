/**
 * A recording of a master's input: a header (the state it started from, its
 * seed and options) and then every command it stepped, in order, with the
 * number and fingerprint of the events each step gave. Stepping the same
 * commands through a master built the same way gives the same events (the
 * kernel is deterministic), so a recording replays what happened, event for
 * event, and the fingerprints prove it at every step. Written by the master
 * daemon (`allot master --record`), read by `allot replay` and the playground.
 */
import type { Command } from '../master/commands.js';
import type { KernelEvent } from '../master/events.js';
import type { Master, MasterOptions } from '../master/master.js';
import type { MasterSnapshot } from '../master/snapshot.js';
import { fnv1aHex, recordingStringify } from './recordingJson.js';

export const RECORDING_VERSION = 1;

/** Master options a recording carries: everything but the PRNG (rebuilt from `seed`) and the epoch (from the snapshot). */
export type RecordedMasterOptions = Omit<MasterOptions, 'prng' | 'epoch'>;

export interface RecordingHeader {
  readonly allotRecording: typeof RECORDING_VERSION;
  /** One id per recording: the segments of one recording share it. */
  readonly recordingId: string;
  /** 0 for the first file of a recording; later files continue it. */
  readonly segment: number;
  /** The number of the first step in this file (1 in the first segment). */
  readonly firstStep: number;
  readonly masterId: string;
  /** Wall-clock ms of kernel time 0 (kernel times are ms since then). */
  readonly clockBaseMs: number;
  readonly seed: number;
  readonly options: RecordedMasterOptions;
  /** The state the master started from: a fresh master ticked at `nowMs`, or one restored from `snapshot`. */
  readonly start: { readonly nowMs: number; readonly snapshot: MasterSnapshot | null };
}

export interface RecordedStep {
  /** Step number, from 1, without gaps. */
  readonly n: number;
  readonly command: Command;
  /** How many events the step gave, and their fingerprint (`eventsDigest`). */
  readonly events: number;
  readonly digest: string;
  /** The master's fingerprint after the step (`stateDigest`). */
  readonly state: string;
  /** Set when the step threw (a kernel assertion): the replay must throw too. */
  readonly threw?: string;
}

export type RecordingLine = RecordingHeader | RecordedStep;

export function isRecordingHeader(line: unknown): line is RecordingHeader {
  return typeof line === 'object' && line !== null && (line as { allotRecording?: unknown }).allotRecording !== undefined;
}

/** The fingerprint of one step's events: FNV-1a over their recording JSON. */
export function eventsDigest(events: readonly KernelEvent[]): string {
  return fnv1aHex(recordingStringify(events));
}

/** A small fingerprint of the master after a step: its time, counters and how many frameworks it knows. */
export function stateDigest(master: Master): string {
  const counters = master.counters;
  const parts = [master.nowMs, master.frameworks.size];
  for (const key of Object.keys(counters).sort()) parts.push((counters as unknown as Record<string, number>)[key]);
  return fnv1aHex(parts.join(','));
}
