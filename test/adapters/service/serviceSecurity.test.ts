/**
 * `allot service run` against a secured master: with the principal's secret
 * (--secret-file) it subscribes as that principal; without it the master
 * refuses the subscription and the scheduler exits 1 saying so.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon } from '../master/daemons.js';
import { startTestMaster } from '../master/inProcess.js';

const SECURITY = {
  credentials: [{ principal: 'vault', secret: 'vault-secret-123' }],
  agentSecret: 'agents-shared-secret',
  authorization: {
    register_frameworks: [{ principals: ['vault'], roles: ['vault-role'] }],
    reserve_resources: [{ principals: ['vault'], roles: ['vault-role'] }],
    launch_tasks: [{ principals: ['vault'], roles: ['vault-role'] }],
    create_volumes: [{ principals: ['vault'], roles: ['vault-role'] }],
  },
};

let dir = '';
let master: RunningMaster;

beforeAll(async () => {
  dir = makeWorkDir('service-security');
  master = await startTestMaster({ security: parseSecurityConfig(JSON.stringify(SECURITY), 'test') });
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({ name: 'vault', pods: [{ type: 'p', count: 1, tasks: [{ name: 't', cpus: 0.1, memMb: 16 }] }] }),
  );
  writeFileSync(join(dir, 'secret'), 'vault-secret-123\n');
});

afterAll(async () => {
  await master?.close();
  if (dir) removeWorkDir(dir);
});

const args = (...extra: string[]) => [
  'service',
  'run',
  join(dir, 'spec.json'),
  '--master',
  master.url,
  '--port',
  '0',
  '--work-dir',
  join(dir, 'state'),
  ...extra,
];

describe('allot service run on a secured master', () => {
  it('subscribes as its principal with --secret-file', async () => {
    const daemon = await spawnDaemon(
      args('--secret-file', join(dir, 'secret')),
      join(dir, 'ok.log'),
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"vault"/,
    );
    try {
      const id = await eventually(async () => {
        const response = await fetch(`${daemon.url}/v1/state/frameworkId`);
        return response.status === 200 ? ((await response.json()) as string[])[0] : null;
      }, 'a framework id');
      expect(master.host.registry.frameworks.get(id)?.info.principal).toBe('vault');
    } finally {
      await daemon.stop();
    }
  }, 60_000);

  it('exits 1 saying why when the master refuses it', async () => {
    const daemon = await spawnDaemon(args(), join(dir, 'refused.log'), /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"vault"/);
    expect(await daemon.exited).toBe(1);
    expect(daemon.log()).toMatch(/the master refused the subscription \(401\)/);
  }, 60_000);
});
