/**
 * `allot marathon`, `allot jobs` and `allot pool` with `--store etcd` on a
 * real etcd: each is killed with SIGKILL and started again on the same etcd
 * prefix, and comes back with what its API was told (an app and its version,
 * a job and its schedule, the pool's workers) under the same framework id.
 * A test master with a registered agent that runs nothing stands for the
 * cluster: what is checked is the store, not the tasks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import type { EtcdServer } from '../ha/etcdHarness.js';
import { ETCD_SKIP_REASON, startEtcd } from '../ha/etcdHarness.js';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, spawnDaemon } from '../master/daemons.js';
import type { FakeAgent } from '../master/inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from '../master/inProcess.js';

type Json = Record<string, any>;

if (ETCD_SKIP_REASON) console.warn(`[marathon, jobs and pool on etcd] SKIPPED: ${ETCD_SKIP_REASON}`);

describe.skipIf(ETCD_SKIP_REASON !== null)('allot marathon, jobs and pool on a real etcd', () => {
  let etcd: EtcdServer;
  let master: RunningMaster;
  let agent: FakeAgent;
  let dir = '';

  beforeAll(async () => {
    etcd = await startEtcd('framework-daemons');
    master = await startTestMaster();
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    dir = makeWorkDir('framework-daemons-etcd');
  }, 60_000);

  afterAll(async () => {
    agent?.close();
    await master?.close();
    await etcd?.stop();
    if (dir) removeWorkDir(dir);
  }, 60_000);

  /** Starts `allot <args> --store etcd`, kills it with SIGKILL after `before`, starts it again and runs `after`. */
  async function acrossSigkill(
    name: string,
    args: string[],
    url: RegExp,
    before: (url: string) => Promise<void>,
    after: (url: string) => Promise<void>,
  ) {
    const all = [...args, '--master', master.url, '--port', '0', '--store', 'etcd', '--etcd', etcd.endpoint, '--etcd-prefix', `/${name}/`];
    const start = () => spawnDaemon(all, join(dir, `${name}.log`), url);
    let daemon: Daemon = await start();
    try {
      await before(daemon.url);
      daemon.process.kill('SIGKILL');
      await daemon.exited;
      daemon = await start();
      expect(daemon.log()).toMatch(/"restored":true/);
      await after(daemon.url);
    } finally {
      await daemon.stop();
    }
  }

  const frameworkIds = async (name: string): Promise<string[]> => {
    const frameworks = (await operator(master.url, { type: 'GET_FRAMEWORKS' })).body.get_frameworks.frameworks as Json[];
    return frameworks.filter((framework) => framework.framework_info.name === name).map((framework) => framework.framework_info.id.value);
  };

  /**
   * True once the daemon's store under `/name/` holds every framework id the master knows for `name`:
   * the id is written just after SUBSCRIBED, and a SIGKILL before that write rightly registers anew.
   */
  const frameworkIdStored = async (name: string): Promise<boolean> => {
    const ids = await frameworkIds(name);
    if (ids.length === 0) return false;
    const client = new Etcd3({ hosts: etcd.endpoint });
    try {
      const values = Object.values(await client.getAll().prefix(`/${name}/`).strings());
      return ids.every((id) => values.some((value) => value.includes(id)));
    } finally {
      client.close();
    }
  };

  it('allot marathon keeps its apps and versions', async () => {
    let version = '';
    await acrossSigkill(
      'marathon',
      ['marathon'],
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","framework":"marathon"/,
      async (url) => {
        const created = await fetch(`${url}/v2/apps`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ id: '/etcd/web', cmd: 'sleep 600', cpus: 0.1, mem: 16, instances: 1 }),
        });
        expect(created.status).toBe(201);
        version = ((await created.json()) as Json).version;
        await eventually(async () => (await frameworkIds('marathon')).length === 1, 'marathon registered');
        await eventually(() => frameworkIdStored('marathon'), 'the framework id in etcd');
      },
      async (url) => {
        const app = ((await (await fetch(`${url}/v2/apps/etcd/web`)).json()) as Json).app;
        expect(app).toMatchObject({ id: '/etcd/web', cmd: 'sleep 600', instances: 1, version });
        await eventually(async () => (await frameworkIds('marathon')).length === 1, 'one marathon framework');
      },
    );
  }, 90_000);

  it('allot jobs keeps its jobs and schedules', async () => {
    let schedules: Json[] = [];
    await acrossSigkill(
      'jobs',
      ['jobs'],
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"jobs listening"/,
      async (url) => {
        const created = await fetch(`${url}/v1/jobs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            id: 'etcd.report',
            run: { cmd: 'true', cpus: 0.1, mem: 32 },
            schedules: [{ id: 'nightly', cron: '0 2 * * *', timezone: 'Asia/Tokyo' }],
          }),
        });
        expect(created.status).toBe(201);
        schedules = (await (await fetch(`${url}/v1/jobs/etcd.report/schedules`)).json()) as Json[];
        expect(schedules[0].nextRunAt).toMatch(/\+0000$/);
      },
      async (url) => {
        expect(((await (await fetch(`${url}/v1/jobs/etcd.report`)).json()) as Json).run.cmd).toBe('true');
        expect(await (await fetch(`${url}/v1/jobs/etcd.report/schedules`)).json()).toEqual(schedules);
      },
    );
  }, 90_000);

  it('allot pool keeps its workers', async () => {
    const spec = join(dir, 'pool.json');
    writeFileSync(
      spec,
      JSON.stringify({ name: 'etcd-pool', command: 'sleep 600', profiles: { tiny: { cpus: 0.1, mem: 16 } }, nmInstances: {} }),
    );
    let state: Json = {};
    await acrossSigkill(
      'pool',
      ['pool', '--spec', spec],
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","pool":"etcd-pool"/,
      async (url) => {
        const up = await fetch(`${url}/api/cluster/flexup`, {
          method: 'PUT',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ instances: 2, profile: 'tiny' }),
        });
        expect(up.status).toBe(202);
        state = (await (await fetch(`${url}/api/state`)).json()) as Json;
        expect(Object.values(state).flat()).toHaveLength(2);
      },
      async (url) => {
        const again = (await (await fetch(`${url}/api/state`)).json()) as Json;
        expect(Object.values(again).flat().sort()).toEqual(Object.values(state).flat().sort());
      },
    );
  }, 90_000);
});
