/**
 * Mesos `CheckInfo` of every type through the master: a task's COMMAND, HTTP
 * or TCP check becomes the agent's check (the field of its type required and
 * named when missing), and each type's `CheckStatusInfo` crosses the agent
 * API and reaches frameworks in Mesos's JSON shape, the empty message of its
 * type standing for "no result yet".
 */
import { describe, expect, it } from 'vitest';
import { ResourceLayout } from '@allot/kernel';
import { checkStatusFromJson, checkStatusToJson } from '../../../adapters/src/master/checkStatusJson.js';
import { toTaskSpec } from '../../../adapters/src/master/taskInfo.js';

type Json = Record<string, any>;
const AT = 'accept.operations[0].launch.task_infos[0]';
const layout = ResourceLayout.create();

const taskWith = (check: Json): Json => ({
  name: 't',
  task_id: { value: 't' },
  agent_id: { value: 'a' },
  resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 } }],
  command: { value: 'sleep 60' },
  check,
});

function checkOf(check: Json): unknown {
  const converted = toTaskSpec(taskWith(check), layout, AT);
  return converted.ok ? (converted.value.data as Json).check : converted;
}

describe('CheckInfo in a TaskInfo', () => {
  it('becomes the agent check of its type, with its timings', () => {
    expect(checkOf({ type: 'HTTP', http: { port: 8080, path: '/ready' }, interval_seconds: 2, delay_seconds: 1 })).toEqual({
      type: 'HTTP',
      port: 8080,
      path: '/ready',
      intervalSeconds: 2,
      delaySeconds: 1,
    });
    expect(checkOf({ type: 'TCP', tcp: { port: 9042 }, timeout_seconds: 3 })).toEqual({ type: 'TCP', port: 9042, timeoutSeconds: 3 });
    expect(checkOf({ type: 'COMMAND', command: { command: { value: 'test -f up' } } })).toEqual({ command: 'test -f up' });
  });

  it('names the missing field of its type', () => {
    expect(checkOf({ type: 'HTTP' })).toEqual({ ok: false, field: `${AT}.check.http`, message: 'is required for an HTTP check' });
    expect(checkOf({ type: 'TCP' })).toEqual({ ok: false, field: `${AT}.check.tcp`, message: 'is required for a TCP check' });
    expect(checkOf({ type: 'COMMAND' })).toEqual({ ok: false, field: `${AT}.check.command`, message: 'is required for a COMMAND check' });
  });
});

describe('CheckStatusInfo', () => {
  it('keeps each type and its result through JSON, and an unknown result as the empty message', () => {
    const statuses = [
      { exitCode: 0 },
      { exitCode: null },
      { type: 'HTTP' as const, statusCode: 503 },
      { type: 'HTTP' as const, statusCode: null },
      { type: 'TCP' as const, succeeded: false },
      { type: 'TCP' as const, succeeded: null },
    ];
    for (const status of statuses) expect(checkStatusFromJson(checkStatusToJson(status))).toEqual(status);
    expect(checkStatusToJson({ type: 'HTTP', statusCode: 200 })).toEqual({ type: 'HTTP', http: { status_code: 200 } });
    expect(checkStatusToJson({ type: 'TCP', succeeded: null })).toEqual({ type: 'TCP', tcp: {} });
    expect(checkStatusToJson({ exitCode: 1 })).toEqual({ type: 'COMMAND', command: { exit_code: 1 } });
  });
});
