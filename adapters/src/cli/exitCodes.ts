/**
 * The exit codes of `allot` and the error a command throws for a mistake the
 * user can fix. A UsageError is printed as one plain message (no stack trace);
 * anything else that escapes a command is a bug and is printed in full.
 */

export const EXIT_OK = 0;
/** The run finished but found a problem, e.g. invariant violations in a simulation. */
export const EXIT_PROBLEM_FOUND = 1;
/** Bad flags or arguments, an invalid scenario file, an unknown name, or a command not implemented yet. */
export const EXIT_USAGE = 2;
/** An internal error (a bug in allot): printed with its stack trace. */
export const EXIT_INTERNAL = 3;

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the run finished but found a problem (a simulation with invariant violations)
  2  usage error: bad flag or argument, invalid scenario file, unknown scenario or
     benchmark name, command not implemented yet
  3  internal error (a bug in allot; printed with a stack trace)`;

export class UsageError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT_USAGE) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}
