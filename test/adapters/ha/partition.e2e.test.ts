/**
 * A leading `allot master` cut off from etcd (its etcd connection goes
 * through a proxy that starts dropping everything) steps down and exits with
 * code 75 before any other master is elected, and a follower then serves.
 * The order is read from the masters' own logs (pino times, one clock).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { makeWorkDir, removeWorkDir } from '../master/daemons.js';
import { ETCD_SKIP_REASON, freePort, startEtcd } from './etcdHarness.js';
import type { EtcdServer } from './etcdHarness.js';
import { startHaMasterProcess } from './haMasters.js';
import { startTcpProxy } from './tcpProxy.js';
import type { TcpProxy } from './tcpProxy.js';
import { waitUntil } from './waitUntil.js';

if (ETCD_SKIP_REASON) console.warn(`[ha partition e2e] SKIPPED: ${ETCD_SKIP_REASON}`);

type Json = Record<string, any>;

function logTimes(daemon: Daemon, message: string): number[] {
  return daemon
    .log()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Json;
        return entry.msg === message ? [entry.time as number] : [];
      } catch {
        return [];
      }
    });
}

describe.skipIf(ETCD_SKIP_REASON !== null)('a leading master partitioned from etcd', () => {
  let etcd: EtcdServer;
  let workDir: string;
  let proxies: TcpProxy[] = [];
  let masters: Daemon[] = [];

  beforeAll(async () => {
    etcd = await startEtcd('partition');
    workDir = makeWorkDir('ha-partition');
    proxies = await Promise.all([0, 1, 2].map(() => startTcpProxy(etcd.endpoint)));
    const ports = [await freePort(), await freePort(), await freePort()];
    masters = await Promise.all(
      [0, 1, 2].map((index) => startHaMasterProcess(workDir, `master-${index}`, proxies[index].endpoint, ports[index])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(masters.map((master) => master.stop('SIGKILL')));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await etcd?.stop();
    if (workDir) removeWorkDir(join(workDir));
  });

  it('steps down (and exits 75) before another master is elected, then a follower serves', async () => {
    const leader = await waitUntil(
      () => masters.find((master) => logTimes(master, 'leading master serving').length > 0),
      'a leading master',
      15_000,
    );
    const index = masters.indexOf(leader);
    const cutAtMs = Date.now();
    proxies[index].blackhole();

    const exitCode = await Promise.race([leader.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    const others = masters.filter((master) => master !== leader);
    const successor = await waitUntil(
      () => others.find((master) => logTimes(master, 'leading master serving').length > 0),
      'a new leading master',
      10_000,
    );
    const steppedDownAtMs = logTimes(leader, 'lost leadership: this master stops serving')[0];
    const electedAtMs = logTimes(successor, 'elected leading master')[0];
    console.log(
      `[ha] partitioned leader stepped down ${steppedDownAtMs - cutAtMs} ms after the cut; successor elected ${electedAtMs - cutAtMs} ms after it (${electedAtMs - steppedDownAtMs} ms later)`,
    );

    expect(exitCode).toBe(75);
    expect(steppedDownAtMs).toBeLessThan(electedAtMs);
    const health = (await (await fetch(`${successor.url}/health`)).json()) as Json;
    expect(health).toMatchObject({ healthy: true, recovering: false });
  });
});
