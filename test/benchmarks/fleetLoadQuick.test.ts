/**
 * `allot bench fleet-load --quick` as `npm test` runs it: etcd, three HA
 * masters, a fleet of 50 simulated agents and two schedulers launching
 * 1,000 tasks, then the leader killed. Checks what the benchmark checks
 * rather than times (speed targets are the full-size run's business):
 * every task launched, none lost, duplicated or unexpected after the
 * failover, reservations and weights kept, every agent back, nothing per
 * launch in the store, and no stored value near the 100 KB bound.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ETCD_SKIP_REASON } from '../adapters/ha/etcdHarness.js';

const LAUNCHER = fileURLToPath(new URL('../../adapters/bin/allot.js', import.meta.url));

if (ETCD_SKIP_REASON) console.warn(`[fleet-load --quick] SKIPPED: ${ETCD_SKIP_REASON}`);

describe.skipIf(ETCD_SKIP_REASON !== null)('allot bench fleet-load --quick', () => {
  it('launches every task, and loses or duplicates nothing across a leader kill', () => {
    const run = spawnSync(process.execPath, [LAUNCHER, 'bench', 'fleet-load', '--quick', '--json'], { encoding: 'utf8', timeout: 240_000 });
    expect(run.status, run.stderr.slice(-3000)).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.parameters).toMatchObject({ agents: 50, tasks: 1000, masters: 3, store: 'etcd' });
    expect(report.launches.launched).toBe(1000);
    expect(report.failover.tasks).toMatchObject({ expected: 1000, running: 1000, lost: 0, duplicated: 0, unexpected: 0 });
    expect(report.failover.registryDifferences).toEqual([]);
    expect(report.failover.problems).toBe(0);
    expect(report.failover.agentsBackSeconds).toBeGreaterThan(0);
    // Frameworks subscribing write a little; launches, updates and acknowledgements write nothing.
    expect(report.store.bytesPerLaunch).toBeLessThan(50);
    expect(report.store.largestValueBytes).toBeLessThan(100 * 1024);
    expect(report.targets.nothingLost.met).toBe(true);
  });
});
