/**
 * `allot replay FILE`: steps a recording (`allot master --record FILE`)
 * through the kernel again and checks every step against what the master
 * recorded (number and fingerprint of its events, the state's fingerprint).
 * `--events` writes the events as the master's live stream carried them
 * (`GET /api/v1/events`, `kernel` events with their `seq`), so that the
 * replay and the stream compare byte for byte. `--explain F [--agent A]`
 * answers explain at the moment the replay stops (`--until`): every reason
 * of F on A, or F's row of the matrix. Exit 1 when a step differs.
 */
import type { Command } from 'commander';
import type { ParsedRecording } from '@allot/kernel';
import { explainAllocation, explainMatrix, Replayer } from '@allot/kernel';
import { UsageError } from './exitCodes.js';
import { liveEventJson } from '../master/liveEvents.js';
import { EXIT_CODES_HELP, EXIT_OK, EXIT_PROBLEM_FOUND } from './exitCodes.js';
import { parseNonNegativeMs } from './flagValues.js';
import { readRecordingFiles } from './recordingFiles.js';
import { TraceWriter } from './traceWriter.js';

interface ReplayFlags {
  json?: boolean;
  events?: string;
  until?: number;
  explain?: string;
  agent?: string;
}

/** Explain at the moment the replay stopped: one pair's reasons, or a framework's agents with theirs. */
export interface ReplayExplain {
  frameworkId: string;
  atMs: number;
  cells: Array<{ agentId: string; outcome: string; reasons: Array<{ code: string; message: string }> }>;
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
  explain?: ReplayExplain;
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
    .option('--explain <framework>', 'where the replay stops: why this framework gets (or not) each agent, every reason')
    .option('--agent <agent>', 'with --explain: only this agent')
    .addHelpText(
      'after',
      `\nExamples:\n  allot replay master.rec\n  allot replay master.rec --events events.ndjson --json\n  allot replay master.rec --until 600000 --explain FRAMEWORK_ID --agent AGENT_ID\n\n${EXIT_CODES_HELP}`,
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
  if (flags.agent !== undefined && flags.explain === undefined) throw new UsageError('--agent needs --explain FRAMEWORK');
  // The decision log only observes: a replay keeps one for explain whatever the master kept.
  const replayer = new Replayer(header, flags.explain !== undefined ? { decisionCycles: 10 } : {});
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
    ...(flags.explain !== undefined ? { explain: explainAt(replayer, flags.explain, flags.agent) } : {}),
  };
}

function explainAt(replayer: Replayer, frameworkId: string, agentId: string | undefined): ReplayExplain {
  const { master } = replayer;
  const reasons = (list: ReadonlyArray<{ code: string; message: string }>) => list.map(({ code, message }) => ({ code, message }));
  if (agentId !== undefined) {
    const explanation = explainAllocation(master, frameworkId, agentId);
    const outcome = explanation.reasons[0]?.code ?? 'NO_RECORD';
    return { frameworkId, atMs: master.nowMs, cells: [{ agentId, outcome, reasons: reasons(explanation.reasons) }] };
  }
  const matrix = explainMatrix(master, [frameworkId]);
  return {
    frameworkId,
    atMs: master.nowMs,
    cells: matrix.cells.map((cell) => ({ agentId: cell.agentId, outcome: cell.outcome, reasons: reasons(cell.reasons) })),
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
  if (summary.explain) {
    lines.push(`  explain ${summary.explain.frameworkId} at ${summary.explain.atMs} ms:`);
    for (const cell of summary.explain.cells)
      lines.push(`    ${cell.agentId}: ${cell.outcome}${cell.reasons.length ? ` (${cell.reasons.map((r) => r.message).join('; ')})` : ''}`);
  }
  if (summary.mismatches.length === 0) lines.push('  every step gave the events and state it gave when recorded');
  else lines.push(`  the replay differs from the recording:`, ...summary.mismatches.map((line) => `    ${line}`));
  return `${lines.join('\n')}\n`;
}
