/**
 * Reads a recording from the text of its files (one JSON value per line):
 * the segments of one recording, in order. Every problem names the file and
 * line. A last line cut short (the master died while writing it) is dropped,
 * as the master's own write-ahead log drops an unfinished record.
 */
import type { RecordedStep, RecordingHeader } from './recording.js';
import { isRecordingHeader } from './recording.js';
import { recordingParse } from './recordingJson.js';

export interface RecordingSegmentText {
  /** A name for messages (the file's path). */
  readonly name: string;
  readonly text: string;
}

export interface ParsedRecording {
  readonly header: RecordingHeader;
  readonly steps: RecordedStep[];
  /** Set when the last line of the last segment was cut short and dropped. */
  readonly truncated: boolean;
}

export type RecordingParseResult = { ok: true; recording: ParsedRecording } | { ok: false; error: string };

export function parseRecording(segments: readonly RecordingSegmentText[]): RecordingParseResult {
  if (segments.length === 0) return { ok: false, error: 'no recording files given' };
  let header: RecordingHeader | null = null;
  const steps: RecordedStep[] = [];
  let truncated = false;
  for (let s = 0; s < segments.length; s++) {
    const { name, text } = segments[s];
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      let value: unknown;
      try {
        value = recordingParse(lines[i]);
      } catch {
        if (s === segments.length - 1 && i === lines.length - 1 && !text.endsWith('\n')) {
          truncated = true;
          break;
        }
        return { ok: false, error: `${name}:${i + 1}: not a JSON line of a recording` };
      }
      if (i === 0) {
        if (!isRecordingHeader(value)) return { ok: false, error: `${name}:1: not an allot recording (no header line)` };
        const problem = segmentProblem(header, value, s, steps.length);
        if (problem) return { ok: false, error: `${name}:1: ${problem}` };
        header ??= value;
        continue;
      }
      const step = value as RecordedStep;
      if (typeof step?.n !== 'number' || typeof step.command?.type !== 'string')
        return { ok: false, error: `${name}:${i + 1}: expected a recorded step {n, command, events, digest, state}` };
      steps.push(step);
    }
  }
  if (!header) return { ok: false, error: `${segments[0].name}: empty recording` };
  return { ok: true, recording: { header, steps, truncated } };
}

function segmentProblem(first: RecordingHeader | null, header: RecordingHeader, index: number, stepsSoFar: number): string | null {
  if (first === null) {
    if (header.segment !== 0)
      return `segment ${header.segment} of recording ${header.recordingId}: give the files from its segment 0 (the one that starts with the snapshot)`;
    return null;
  }
  if (header.recordingId !== first.recordingId) return `belongs to recording ${header.recordingId}, not ${first.recordingId}`;
  if (header.segment !== index) return `is segment ${header.segment}; expected segment ${index}`;
  if (header.firstStep !== first.firstStep + stepsSoFar)
    return `starts at step ${header.firstStep}; expected ${first.firstStep + stepsSoFar}`;
  return null;
}
