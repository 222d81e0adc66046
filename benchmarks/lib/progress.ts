/**
 * Progress lines on stderr, drawn only when stderr is a terminal: piped runs
 * stay quiet, and stdout (which may hold JSON) is never touched. Updates are
 * throttled so that drawing never shows up in the figures being measured.
 */

export interface Progress {
  /** Replaces the current progress line (throttled). */
  update(text: string): void;
  /** Prints a line that stays (not throttled). */
  note(text: string): void;
  /** Clears the current progress line. */
  done(): void;
}

const SILENT: Progress = { update() {}, note() {}, done() {} };
const UPDATE_INTERVAL_MS = 200;

export function createProgress(): Progress {
  if (!process.stderr.isTTY) return SILENT;
  let lastDrawMs = 0;
  let drawn = false;
  const clear = (): void => {
    if (drawn) process.stderr.write('\r\x1b[2K');
    drawn = false;
  };
  return {
    update(text) {
      const nowMs = performance.now();
      if (nowMs - lastDrawMs < UPDATE_INTERVAL_MS) return;
      lastDrawMs = nowMs;
      process.stderr.write(`\r\x1b[2K${text}`);
      drawn = true;
    },
    note(text) {
      clear();
      process.stderr.write(`${text}\n`);
    },
    done: clear,
  };
}
