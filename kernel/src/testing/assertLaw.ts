/**
 * Running a property as a named law: fast-check's `check`, turned into one
 * error that names the law, the seed and the counterexample path, and says how
 * to replay exactly that case. Invariant violations become errors through
 * `expectNoViolations`, so a failing property shows what broke and where.
 */
import fc from 'fast-check';
import type { Violation } from './invariants.js';

export interface LawOptions {
  /** Default 100. */
  numRuns?: number;
  /** Replays a run: the seed a failure printed. */
  seed?: number;
  /** With `seed`: jumps straight to the shrunk counterexample a failure printed. */
  path?: string;
  /** How to rerun, with `{seed}` and `{path}` filled in; default names the ALLOT_SEED/ALLOT_PATH variables. */
  replay?: string;
}

const DEFAULT_REPLAY = 'ALLOT_SEED={seed} ALLOT_PATH="{path}" npx vitest run <this test file>';

export function assertLaw<Ts>(law: string, property: fc.IProperty<Ts>, options: LawOptions = {}): void {
  const parameters: fc.Parameters<Ts> = { numRuns: options.numRuns ?? 100 };
  if (options.seed !== undefined) parameters.seed = options.seed;
  if (options.seed !== undefined && options.path) {
    parameters.path = options.path;
    parameters.endOnFailure = true;
  }
  const details = fc.check(property, parameters);
  if (!details.failed) return;
  const path = details.counterexamplePath ?? '';
  const replay = (options.replay ?? DEFAULT_REPLAY).replaceAll('{seed}', String(details.seed)).replaceAll('{path}', path);
  const report = fc.defaultReportMessage(details) ?? '';
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`law "${law}" failed (seed ${details.seed}, path "${path}")\nreplay: ${replay}\n${cause}\n\n${report}`, {
    cause: details.errorInstance,
  });
}

/** Throws one error listing every violation, prefixed with where it was seen. */
export function expectNoViolations(violations: readonly Violation[], where: string): void {
  if (violations.length === 0) return;
  const lines = violations.slice(0, 10).map((violation) => `  [${violation.invariant}] ${violation.message}`);
  if (violations.length > 10) lines.push(`  ... and ${violations.length - 10} more`);
  throw new Error(`${violations.length} invariant violation(s) ${where}:\n${lines.join('\n')}`);
}
