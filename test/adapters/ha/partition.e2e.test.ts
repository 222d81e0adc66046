/**
 * A leading `allot master` cut off from etcd (its etcd connection goes
 * through a proxy that starts dropping everything) steps down and exits with
 * code 75, its leadership over before any other master is elected, and a
 * follower then serves. The order is read from the masters' own logs (pino
 * times, one clock): the leader logs when its lease stopped being trusted,
 * which is when it stopped being leader, even when a busy machine delays the
 * log line itself past the successor's election.
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

const LOST = 'lost leadership: this master stops serving';

/** The daemon's pino log entries with this message. */
function logEntries(daemon: Daemon, message: string): Json[] {
  return daemon
    .log()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as Json;
        return entry.msg === message ? [entry] : [];
      } catch {
        return [];
      }
    });
}

function logTimes(daemon: Daemon, message: string): number[] {
  return logEntries(daemon, message).map((entry) => entry.time as number);
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

  /** The master serving as leader that the other two name as theirs: leadership can change hands at start on a busy machine. */
  async function agreedLeader(): Promise<Daemon | null> {
    const serving = masters.filter(
      (master) => logTimes(master, 'leading master serving').length > 0 && logTimes(master, LOST).length === 0,
    );
    if (serving.length !== 1) return null;
    const [leader] = serving;
    const named = await Promise.all(
      masters
        .filter((master) => master !== leader)
        .map((master) =>
          fetch(`${master.url}/health`)
            .then((response) => response.json() as Promise<Json>)
            .then((health) => health.leader as string | null)
            .catch(() => null),
        ),
    );
    return named.every((url) => url === leader.url) ? leader : null;
  }

  it('stops leading (and exits 75) before another master is elected, then a follower serves', async () => {
    const leader = await waitUntil(agreedLeader, 'one leading master that the others name', 60_000);
    const index = masters.indexOf(leader);
    const cutAtMs = Date.now();
    proxies[index].blackhole();

    const exitCode = await Promise.race([leader.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 60_000))]);
    const others = masters.filter((master) => master !== leader);
    const successor = await waitUntil(
      () => others.find((master) => logTimes(master, 'leading master serving').some((atMs) => atMs >= cutAtMs)),
      'a new leading master',
      60_000,
    );
    // When its lease stopped being trusted: from then on it was no leader, even if a busy machine delayed its log line.
    const lost = logEntries(leader, LOST)[0];
    const endedAtMs = lost?.leadershipEndedAt as number;
    const electedAtMs = logTimes(successor, 'elected leading master').find((atMs) => atMs >= cutAtMs) as number;
    console.log(
      `[ha] partitioned leader's leadership ended ${endedAtMs - cutAtMs} ms after the cut (logged ${lost?.time - cutAtMs} ms after it); successor elected ${electedAtMs - cutAtMs} ms after it (gap ${electedAtMs - endedAtMs} ms)`,
    );

    expect(exitCode).toBe(75);
    expect(lost?.reason).toMatch(/^lease lost: /);
    expect(endedAtMs).toBeLessThan(electedAtMs);
    const health = (await (await fetch(`${successor.url}/health`)).json()) as Json;
    expect(health).toMatchObject({ healthy: true, recovering: false });
  });
});
