/** Reading service specs: the fields a real cluster needs (environment, named ports, checks, plan shapes), errors by path. */
import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../kernel/src/schedulers/fieldReaders.js';
import { readServiceSpec } from '../../../kernel/src/sdk/serviceSpecReader.js';

function read(input: Record<string, unknown>) {
  const errors: FieldError[] = [];
  const spec = readServiceSpec({ name: 'svc', ...input }, '$', errors);
  return { spec, errors: errors.map((error) => `${error.path}: ${error.message}`) };
}

const task = (extra: Record<string, unknown> = {}) => ({ name: 'server', cpus: 1, memMb: 256, ...extra });

describe('readServiceSpec', () => {
  it('reads environment, named ports and checks with Mesos defaults', () => {
    const { spec, errors } = read({
      pods: [
        {
          type: 'node',
          count: 1,
          tasks: [
            task({
              env: { LOG_LEVEL: 'info' },
              ports: [{ name: 'http', envKey: 'PORT_HTTP', advertise: true }, { name: 'admin' }],
              readinessCheck: { cmd: 'test -f ready', intervalSeconds: 2 },
              healthCheck: { cmd: 'true', maxConsecutiveFailures: 5 },
            }),
          ],
        },
      ],
    });
    expect(errors).toEqual([]);
    const server = spec!.pods[0].tasks[0];
    expect(server.env).toEqual({ LOG_LEVEL: 'info' });
    expect(server.ports).toBe(2);
    expect(server.portSpecs).toEqual([
      { name: 'http', envKey: 'PORT_HTTP', advertise: true },
      { name: 'admin', envKey: null, advertise: false },
    ]);
    expect(server.readinessCheck).toEqual({ cmd: 'test -f ready', intervalSeconds: 2, delaySeconds: 15, timeoutSeconds: 20 });
    expect(server.healthCheck).toEqual({
      cmd: 'true',
      intervalSeconds: 10,
      delaySeconds: 15,
      timeoutSeconds: 20,
      gracePeriodSeconds: 10,
      maxConsecutiveFailures: 5,
    });
  });

  it('keeps the defaults of a spec that has none of them', () => {
    const { spec } = read({ pods: [{ type: 'node', count: 1, tasks: [task()] }] });
    expect(spec!.pods[0].tasks[0]).toMatchObject({ env: {}, ports: 0, portSpecs: [], readinessCheck: null, healthCheck: null });
    expect(spec!.deployPlan).toBeNull();
  });

  it('names every mistake by its path', () => {
    const { errors } = read({
      pods: [
        {
          type: 'node',
          count: 1,
          volumes: [{ containerPath: 'data', sizeMb: 10, task: 'nope' }],
          tasks: [
            task({
              env: { '1BAD': 'x' },
              ports: [{ name: 'Http' }, { name: 'a' }, { name: 'a' }],
              readinessCheck: { intervalSeconds: 0 },
            }),
          ],
        },
      ],
      deployPlan: { phases: [{ name: 'p', pod: 'other' }] },
    });
    expect(errors).toEqual([
      '$.pods[0].tasks[0].ports[0].name: expected a port name of lowercase letters, digits and "-", got "Http"',
      '$.pods[0].tasks[0].ports[2].name: duplicate port name "a"',
      '$.pods[0].tasks[0].env["1BAD"]: "1BAD" is not an environment variable name (letters, digits and "_", not starting with a digit)',
      '$.pods[0].tasks[0].readinessCheck.cmd: missing required field; expected a non-empty string',
      '$.pods[0].tasks[0].readinessCheck.intervalSeconds: expected a finite number > 0, got 0',
      '$.pods[0].volumes[0].task: the pod has no task "nope"',
      '$.deployPlan.phases[0].pod: no pod "other"; expected one of "node"',
      '$.deployPlan.phases: pod "node" is in no phase; every pod type needs one',
    ]);
  });

  it('reads named deploy phases with their strategies', () => {
    const { spec, errors } = read({
      pods: [
        { type: 'a', count: 2, tasks: [task()] },
        { type: 'b', count: 1, tasks: [task()] },
      ],
      deployPlan: {
        strategy: { kind: 'serial' },
        phases: [
          { name: 'a-deploy', pod: 'a', strategy: { kind: 'parallel' } },
          { name: 'b-deploy', pod: 'b' },
        ],
      },
    });
    expect(errors).toEqual([]);
    expect(spec!.deployPlan).toEqual({
      strategy: { kind: 'serial' },
      phases: [
        { name: 'a-deploy', pod: 'a', strategy: { kind: 'parallel' } },
        { name: 'b-deploy', pod: 'b', strategy: { kind: 'serial' } },
      ],
    });
  });
});
