/**
 * The service scheduler's store: a document per service that survives the
 * process, written compare-and-swap (a second scheduler of the same service
 * is refused), on the file store and on a real etcd, where
 * `allot service run --store etcd` keeps its framework id across SIGKILL.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startServiceDaemon } from '../../../adapters/src/service/serviceDaemon.js';
import { loadServiceSpec } from '../../../adapters/src/service/serviceSpecFile.js';
import { ServiceStore, ServiceStoreConflict } from '../../../adapters/src/service/serviceStore.js';
import type { ServiceDocument } from '../../../adapters/src/service/serviceStore.js';
import { createEtcdClient } from '../../../adapters/src/ha/etcdClient.js';
import { EtcdStore } from '../../../adapters/src/store/etcdStore.js';
import { FileStore } from '../../../adapters/src/store/fileStore.js';
import type { StateStore } from '../../../adapters/src/store/stateStore.js';
import { ETCD_SKIP_REASON, startEtcd } from '../ha/etcdHarness.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon } from '../master/daemons.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from '../master/inProcess.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) removeWorkDir(dir);
});

function document(frameworkId: string): ServiceDocument {
  return {
    version: 1,
    frameworkId,
    snapshot: { configs: [], targetConfigId: 1, configErrors: [], instances: [], garbage: [], ids: 0, log: [], plans: [] },
    tasks: {},
    agents: {},
  };
}

async function roundTripAndConflict(store: StateStore, other: StateStore): Promise<void> {
  const first = new ServiceStore(store, 'svc');
  expect(await first.load()).toBeNull();
  await first.save(document('fw-1'));
  await first.save(document('fw-2'));
  const second = new ServiceStore(other, 'svc');
  expect((await second.load())!.frameworkId).toBe('fw-2');
  await second.save(document('fw-3'));
  // The first scheduler's next write finds a version it did not write.
  await expect(first.save(document('fw-4'))).rejects.toBeInstanceOf(ServiceStoreConflict);
  await expect(first.save(document('fw-4'))).rejects.toThrow(/another scheduler of this service/);
}

describe('ServiceStore', () => {
  it('keeps one document per service on the file store, compare-and-swap', async () => {
    const dir = makeWorkDir('service-store');
    dirs.push(dir);
    await roundTripAndConflict(new FileStore(join(dir, 'state')), new FileStore(join(dir, 'state')));
  });

  it('refuses a service name that cannot name a store key', () => {
    expect(() => new ServiceStore(new FileStore(makeWorkDir('bad-name')), 'a/b')).toThrow(/cannot name a store key/);
  });
});

if (ETCD_SKIP_REASON) console.warn(`[service store on etcd] SKIPPED: ${ETCD_SKIP_REASON}`);

describe.skipIf(ETCD_SKIP_REASON !== null)('the service store on a real etcd', () => {
  it('round-trips and refuses a second writer', async () => {
    const etcd = await startEtcd('service-store');
    try {
      const open = () =>
        new EtcdStore({ client: createEtcdClient([etcd.endpoint]), prefix: '/svc-test/', endpoints: [etcd.endpoint], ownsClient: true });
      const [a, b] = [open(), open()];
      await roundTripAndConflict(a, b);
      await a.close();
      await b.close();
    } finally {
      await etcd.stop();
    }
  }, 60_000);

  it('allot service run --store etcd keeps its framework id across SIGKILL', async () => {
    const etcd = await startEtcd('service-run');
    const master = await startTestMaster();
    const agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    const dir = makeWorkDir('service-etcd');
    dirs.push(dir);
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({ name: 'etcd-svc', pods: [{ type: 'p', count: 1, tasks: [{ name: 't', cpus: 0.1, memMb: 16 }] }] }),
    );
    const args = [
      'service',
      'run',
      spec,
      '--master',
      master.url,
      '--port',
      '0',
      '--store',
      'etcd',
      '--etcd',
      etcd.endpoint,
      '--etcd-prefix',
      '/svc-run/',
    ];
    const start = () => spawnDaemon(args, join(dir, 'service.log'), /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"etcd-svc"/);
    let daemon = await start();
    try {
      const frameworkId = await eventually(async () => {
        const response = await fetch(`${daemon.url}/v1/state/frameworkId`);
        return response.status === 200 ? ((await response.json()) as string[])[0] : null;
      }, 'a framework id');
      daemon.process.kill('SIGKILL');
      await daemon.exited;
      daemon = await start();
      const again = await eventually(async () => {
        const response = await fetch(`${daemon.url}/v1/state/frameworkId`);
        return response.status === 200 ? ((await response.json()) as string[])[0] : null;
      }, 'the framework id after the restart');
      expect(again).toBe(frameworkId);
      expect(daemon.log()).toMatch(/"restored":true/);
    } finally {
      await daemon.stop();
      agent.close();
      await master.close();
      await etcd.stop();
    }
  }, 90_000);
});

describe('two schedulers of one service', () => {
  it('the older one stops (its store was written by the other, or the master gave the framework to it), and its API answers 503', async () => {
    const master = await startTestMaster();
    const dir = makeWorkDir('service-conflict');
    dirs.push(dir);
    const spec = loadServiceSpec(
      JSON.stringify({ name: 'twin', pods: [{ type: 'p', count: 1, tasks: [{ name: 't', cpus: 0.1, memMb: 16 }] }] }),
      'spec.json',
      () => undefined,
    );
    if (!spec.ok) throw new Error(spec.errors.join('\n'));
    const start = () =>
      startServiceDaemon({
        spec: spec.spec,
        masters: [master.url],
        store: new FileStore(join(dir, 'state')),
        logger: pino({ level: 'silent' }),
        port: 0,
      });
    const first = await start();
    try {
      await eventually(() => first.runtime.frameworkId, 'a framework id');
      const second = await start();
      try {
        await eventually(async () => (await fetch(`${second.url}/v1/plans`)).status === 200, 'the second one serving');
        const answer = await fetch(`${first.url}/v1/plans/deploy/interrupt`, { method: 'POST' });
        expect(answer.status).toBe(503);
        // Whichever comes first: the master hands the framework to the newer subscription, or the store refuses the write.
        expect(await first.stopped).toMatch(/another scheduler of this service|failed over/);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
      await master.close();
    }
  }, 60_000);
});
