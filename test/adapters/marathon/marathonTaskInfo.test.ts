/**
 * What `allot marathon` sends for an app's task is what the master reads:
 * for every health check protocol Marathon has (COMMAND, HTTP, HTTPS, TCP
 * and their MESOS_ forms), the TaskInfo passes the master's schema for an
 * ACCEPT, converts with its TaskInfo reader, and the agent's launch data
 * carries the probe on the task's host port (portIndex), the artifacts
 * (`fetch`) as URIs, and Marathon's environment (PORT_<NAME>,
 * MARATHON_APP_ID). `args` run without a shell.
 */
import type { TaskSpec } from '@allot/kernel';
import { ResourceLayout } from '@allot/kernel';
import { describe, expect, it } from 'vitest';
import type { AppDefinition } from '../../../adapters/src/marathon/appDefinition.js';
import { readAppDefinition } from '../../../adapters/src/marathon/appDefinition.js';
import { marathonTaskInfo } from '../../../adapters/src/marathon/marathonTaskInfo.js';
import { validateSchedulerCall } from '../../../adapters/src/master/callSchemas.js';
import type { LaunchData } from '../../../adapters/src/master/taskInfo.js';
import { toTaskSpec } from '../../../adapters/src/master/taskInfo.js';

type Json = Record<string, any>;

const layout = ResourceLayout.create();
const PORTS: [number, number] = [31005, 31006];

function app(extra: Json): AppDefinition {
  const read = readAppDefinition(
    {
      id: '/prod/web',
      cmd: 'exec ./serve',
      cpus: 0.2,
      mem: 64,
      portDefinitions: [
        { port: 0, name: 'http' },
        { port: 0, name: 'admin-api' },
      ],
      fetch: [{ uri: 'https://example.org/serve.tgz', extract: true, cache: true }],
      ...extra,
    },
    { role: 'marathon' },
  );
  if (!read.ok) throw new Error(JSON.stringify(read.problems.body()));
  return read.app;
}

const task: TaskSpec = {
  taskId: 'prod_web.1',
  name: '/prod/web',
  resources: { scalars: layout.vector({ cpus: 0.2, mem: 64 }), ports: [PORTS], reserved: [] },
};

/** The TaskInfo through the master: its ACCEPT schema, then its reader; the launch data the agent gets. */
function throughMaster(definition: AppDefinition): { info: Json; data: LaunchData } {
  const info = marathonTaskInfo(task, { app: definition, version: 'v1', agentId: 'a1', role: 'marathon', layout, hostname: 'h1' });
  const call = {
    type: 'ACCEPT',
    framework_id: { value: 'fw' },
    accept: { offer_ids: [{ value: 'o1' }], operations: [{ type: 'LAUNCH', launch: { task_infos: [info] } }] },
  };
  expect(validateSchedulerCall(call), JSON.stringify(validateSchedulerCall.errors)).toBe(true);
  const spec = toTaskSpec(info, layout, 'accept.operations[0].launch.task_infos[0]');
  if (!spec.ok) throw new Error(`${spec.field}: ${spec.message}`);
  return { info, data: spec.value.data as LaunchData };
}

const timing = { gracePeriodSeconds: 30, intervalSeconds: 5, timeoutSeconds: 3, maxConsecutiveFailures: 0, delaySeconds: 1 };

describe("Marathon's tasks as the master reads them", () => {
  it.each([
    ['HTTP', { type: 'HTTP', port: PORTS[1], path: '/health', scheme: 'http' }],
    ['MESOS_HTTP', { type: 'HTTP', port: PORTS[1], path: '/health', scheme: 'http' }],
    ['HTTPS', { type: 'HTTP', port: PORTS[1], path: '/health', scheme: 'https' }],
    ['MESOS_HTTPS', { type: 'HTTP', port: PORTS[1], path: '/health', scheme: 'https' }],
    ['TCP', { type: 'TCP', port: PORTS[1] }],
    ['MESOS_TCP', { type: 'TCP', port: PORTS[1] }],
  ])('a %s health check probes the host port of its portIndex', (protocol, probe) => {
    const { data } = throughMaster(app({ healthChecks: [{ protocol, path: '/health', portIndex: 1, ...timing }] }));

    expect(data.healthCheck).toEqual({
      ...probe,
      gracePeriodSeconds: 30,
      intervalSeconds: 5,
      timeoutSeconds: 3,
      delaySeconds: 1,
      // Marathon's 0: never killed for failing (the agent's 0 too).
      consecutiveFailures: 0,
    });
  });

  it('a COMMAND health check runs its command', () => {
    const { data } = throughMaster(
      app({ healthChecks: [{ protocol: 'COMMAND', command: { value: 'curl -f localhost:$PORT0' }, ...timing }] }),
    );

    expect(data.healthCheck).toMatchObject({ command: 'curl -f localhost:$PORT0', intervalSeconds: 5 });
  });

  it("carries the artifacts as URIs and Marathon's environment", () => {
    const { data } = throughMaster(app({}));

    expect(data.uris).toEqual([{ value: 'https://example.org/serve.tgz', extract: true, executable: false, cache: true }]);
    expect(data.env).toMatchObject({
      MARATHON_APP_ID: '/prod/web',
      MARATHON_APP_VERSION: 'v1',
      PORT_HTTP: String(PORTS[0]),
      PORT_ADMIN_API: String(PORTS[1]),
      HOST: 'h1',
    });
    expect(data.command).toBe('exec ./serve');
  });

  it('runs args without a shell', () => {
    const { data } = throughMaster(app({ cmd: undefined, args: ['./serve', '--port', '$PORT0'] }));

    expect(data.command).toBe("exec './serve' '--port' '$PORT0'");
  });
});
