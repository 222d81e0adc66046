/**
 * Structured logging for the agent runtime: one JSON object per line. The
 * interface is pino's `(fields, message)` calling shape, so the daemon can
 * pass a pino logger as is; tests pass `silentLogger` or a recording one.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface AgentLogger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };

export const silentLogger: AgentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** NDJSON lines `{"level":30,"time":...,"msg":...,...fields}` on `stream` (stderr by default), pino's field names. */
export function createJsonLogger(options: { stream?: Writable; level?: LogLevel; clock?: () => number } = {}): AgentLogger {
  const stream = options.stream ?? process.stderr;
  const minimum = LEVEL_RANK[options.level ?? 'info'];
  const clock = options.clock ?? Date.now;
  const write = (level: LogLevel) => (fields: LogFields, message: string) => {
    if (LEVEL_RANK[level] < minimum) return;
    stream.write(JSON.stringify({ level: LEVEL_RANK[level], time: clock(), msg: message, ...fields }, errorReplacer) + '\n');
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** Records every line in memory, for tests. */
export function createMemoryLogger(): AgentLogger & { readonly lines: Array<{ level: LogLevel; message: string; fields: LogFields }> } {
  const lines: Array<{ level: LogLevel; message: string; fields: LogFields }> = [];
  const write = (level: LogLevel) => (fields: LogFields, message: string) => void lines.push({ level, message, fields });
  return { lines, debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message, code: (value as NodeJS.ErrnoException).code } : value;
}
