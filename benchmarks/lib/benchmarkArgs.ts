/**
 * Benchmark options, parsed strictly like the CLI's own flags: an unknown
 * option, a missing value or a stray argument is a usage error that names it
 * and lists the benchmark's options (`allot bench` exits 2 with that message,
 * never 3 with a stack trace). `--json`, `--quick` and `--help` are accepted
 * by every benchmark; `--help` prints the usage and exits 0.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** A user mistake in a benchmark's arguments: `allot bench` prints the message and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode: number = 2;
}

/** `--help`: `allot bench` prints the message (the usage) on stdout and exits 0. */
export class HelpRequested extends UsageError {
  override readonly exitCode = 0;
}

type Options = NonNullable<ParseArgsConfig['options']>;
const COMMON = { json: { type: 'boolean' }, quick: { type: 'boolean' }, help: { type: 'boolean' } } as const;

/** What `allot bench` passes to every benchmark: its common flags, and the arguments after `--`. */
export interface BenchmarkOptions {
  json: boolean;
  quick: boolean;
  argv: string[];
}

/**
 * Parses `run.argv` for benchmark `name` with its `options` (plus the common
 * ones); `json` and `quick` are set by the CLI's flags or by the same options
 * after `--`. `usage` is one line per option, e.g. "--agents N[,N...]  agent counts".
 */
export function parseBenchmarkArgs<T extends Options>(name: string, run: BenchmarkOptions, options: T, usage: string) {
  const config = { args: run.argv, options: { ...options, ...COMMON }, strict: true as const, allowPositionals: false as const };
  let values: ReturnType<typeof parseArgs<typeof config>>['values'];
  try {
    values = parseArgs(config).values;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (!code.startsWith('ERR_PARSE_ARGS')) throw error;
    throw new UsageError(`benchmark ${name}: ${describeProblem(code, (error as Error).message)}\n${usageText(name, usage)}`);
  }
  const common = values as { help?: boolean; json?: boolean; quick?: boolean };
  if (common.help) throw new HelpRequested(usageText(name, usage));
  return { values, json: run.json || Boolean(common.json), quick: run.quick || Boolean(common.quick) };
}

function usageText(name: string, usage: string): string {
  const lines = usage.trim().split('\n');
  return `usage: allot bench ${name} [--json] [--quick] -- [options]\noptions:\n${lines.map((line) => `  ${line.trim()}`).join('\n')}`;
}

/** Node's messages, shortened: "unknown option --agnets", "option --agents needs a value", "unexpected argument x". */
function describeProblem(code: string, message: string): string {
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument "${quoted}" (options start with --)`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return message.replace(/\.$/, '');
  return message;
}

/** A whole number >= `min` from option `flag`'s text, or a usage error naming the flag. */
export function integerOption(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min) throw new UsageError(`${flag} must be a whole number >= ${min}, got "${text}"`);
  return value;
}

/** A number > 0 from option `flag`'s text, or a usage error naming the flag. */
export function positiveNumberOption(text: string, flag: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) throw new UsageError(`${flag} must be a number > 0, got "${text}"`);
  return value;
}
