/**
 * A check's result as Mesos's `CheckStatusInfo` JSON, both ways: `{type,
 * command: {exit_code}}`, `{type, http: {status_code}}` or `{type, tcp:
 * {succeeded}}`. A result not available yet (not run, timed out) is the
 * empty message of its type, as Mesos sends it.
 */
import type { CheckStatus } from '@allot/kernel';

type Json = Record<string, any>;

export function checkStatusToJson(status: CheckStatus): Json {
  if (status.type === 'HTTP') return { type: 'HTTP', http: status.statusCode === null ? {} : { status_code: status.statusCode } };
  if (status.type === 'TCP') return { type: 'TCP', tcp: status.succeeded === null ? {} : { succeeded: status.succeeded } };
  return { type: 'COMMAND', command: status.exitCode === null ? {} : { exit_code: status.exitCode } };
}

/** The result a `check_status` carries; unknown types read as a COMMAND result with no exit code. */
export function checkStatusFromJson(json: Json): CheckStatus {
  if (json.type === 'HTTP') {
    const code = json.http?.status_code;
    return { type: 'HTTP', statusCode: typeof code === 'number' ? code : null };
  }
  if (json.type === 'TCP') {
    const succeeded = json.tcp?.succeeded;
    return { type: 'TCP', succeeded: typeof succeeded === 'boolean' ? succeeded : null };
  }
  const exitCode = json.command?.exit_code;
  return { exitCode: typeof exitCode === 'number' ? exitCode : null };
}
