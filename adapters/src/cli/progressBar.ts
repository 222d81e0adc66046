/**
 * A progress bar for long simulations, drawn on stderr and only when stderr is
 * a terminal: piped or redirected runs stay quiet, and stdout is never touched,
 * so `--json` output is the same with or without a terminal.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(nowMs: number, endMs: number): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'simulating [{bar}] {percentage}% | {value}/{total} s simulated',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let lastSeconds = -1;
  return {
    update(nowMs, endMs) {
      // Whole simulated seconds are fine-grained enough, and skip most of the per-event calls.
      const seconds = Math.floor(Math.min(nowMs, endMs) / 1000);
      if (!started) {
        bar.start(Math.ceil(endMs / 1000), 0);
        started = true;
      }
      if (seconds === lastSeconds) return;
      lastSeconds = seconds;
      bar.update(seconds);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
