/**
 * `allot replay FILE`: steps a recording (`allot master --record FILE`)
 * through the kernel again and checks every step against what the master
 * recorded (number and fingerprint of its events, the state's fingerprint).
 * `--events` writes the events as the master's live stream carried them
 * (`GET /api/v1/events`, `kernel` events with their `seq`), so that the
 * replay and the stream compare byte for byte. Exit 1 when a step differs.
 */
import type { Command } from 'commander';
import type { ParsedRecording } from '@allot/kernel';
import { Replayer } from '@allot/kernel';
import { liveEventJson } from '../master/liveEvents.js';
import { EXIT_CODES_HELP, EXIT_OK, EXIT_PROBLEM_FOUND } from './exitCodes.js';
import { parseNonNegativeMs } from './flagValues.js';
import { readRecordingFiles } from './recordingFiles.js';
import { TraceWriter } from './traceWriter.js';

interface ReplayFlags {
  json?: boolean;
  events?: string;
  until?: number;
}

export interface ReplaySummary {
  recordingId: string;
  masterId: string;
  /** Wall-clock times (ISO) of the first and last step replayed. */
  from: string;
  to: string;
  steps: number;
  events: number;
  truncated: boolean;
  /** What differed from the recording: empty when the replay matched it at every step. */
  mismatches: string[];
  counters: Record<string, number>;
}

const MISMATCHES_KEPT = 20;

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('step a recorded master (allot master --record FILE) through the kernel again, checking every step')
    .argument('<file>', 'the recording (its continuation files FILE.1, FILE.2, ... are read too)')
    .option('--json', 'print the summary as JSON')
    .option('--events <file>', "write every event as the master's live stream sent it (NDJSON, with seq)")
    .option('--until <ms>', "stop at this kernel time (ms since the recording master's clock base)", parseNonNegativeMs)
    .addHelpText(
      'after',
      `\nExamples:\n  allot replay master.rec\n  allot replay master.rec --events events.ndjson --json\n\n${EXIT_CODES_HELP}`,
    )
    .action((file: string, flags: ReplayFlags) => {
      const recording = readRecordingFiles(file);
      const summary = replayRecording(recording, flags);
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary));
      process.exitCode = summary.mismatches.length === 0 ? EXIT_OK : EXIT_PROBLEM_FOUND;
    });
}

export function replayRecording(recording: ParsedRecording, flags: ReplayFlags = {}): ReplaySummary {
  const { header } = recording;
  const replayer = new Replayer(header);
  const writer = flags.events === undefined ? null : new TraceWriter(flags.events);
  const mismatches: string[] = [];
  let seq = 0;
  let steps = 0;
  let lastNowMs = header.start.nowMs;
  try {
    for (const recorded of recording.steps) {
      if (flags.until !== undefined && recorded.command.nowMs > flags.until) break;
      const step = replayer.step(recorded);
      steps++;
      lastNowMs = step.nowMs;
      if (step.mismatch && mismatches.length < MISMATCHES_KEPT) mismatches.push(step.mismatch);
      for (const event of step.events) {
        seq++;
        writer?.write({ seq, ...liveEventJson(event, replayer.master.layout) });
      }
    }
  } finally {
    writer?.close();
  }
  const wall = (kernelMs: number) => new Date(header.clockBaseMs + kernelMs).toISOString();
  return {
    recordingId: header.recordingId,
    masterId: header.masterId,
    from: wall(header.start.nowMs),
    to: wall(lastNowMs),
    steps,
    events: seq,
    truncated: recording.truncated,
    mismatches,
    counters: { ...replayer.master.counters },
  };
}

function formatSummary(summary: ReplaySummary): string {
  const lines = [
    `recording ${summary.recordingId} of master ${summary.masterId}`,
    `  ${summary.steps} steps from ${summary.from} to ${summary.to}, ${summary.events} events`,
    `  counters: ${Object.entries(summary.counters)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ')}`,
  ];
  if (summary.truncated) lines.push('  the last line was cut short (the master stopped while writing it) and was dropped');
  if (summary.mismatches.length === 0) lines.push('  every step gave the events and state it gave when recorded');
  else lines.push(`  the replay differs from the recording:`, ...summary.mismatches.map((line) => `    ${line}`));
  return `${lines.join('\n')}\n`;
}
