/**
 * Master failovers and exact replay in real Chromium: the Offers view keeps
 * up through `master-failover` played at 100× (cycle numbers go on, no page
 * error); the counts at its end are the cluster's, equal to `allot simulate
 * master-failover`'s report; agents a new master has not heard from yet are
 * shown as such, not as down; a heal and a failover injected at the same
 * moment replay exactly (live, after a rewind, from the shared link); and a
 * share link opened in a tab that already shows the playground loads.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Simulation, findBuiltinScenario, parseScenario } from '@allot/kernel';
import { buildAndServe, chromiumAvailable, launchChromium, watchConsole, type Served } from './playgroundHarness.js';
import { fingerprint, openPage, seekByKeys, simMs, waitForSimMs } from './playgroundPage.js';

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground failover e2e: skipped, /usr/bin/chromium is missing');

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `allot simulate <name> --json`, run as users run it. */
function simulateReport(
  name: string,
): Promise<{ frameworks: Array<{ id: string; tasks: Record<string, number> }>; counters: Record<string, number> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'adapters', 'bin', 'allot.js'), 'simulate', name, '--json'],
      { cwd: REPO_ROOT },
      (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout))),
    );
  });
}

/** The times of the allocation cycles that made offers, straight from the kernel. */
function offerCycleTimes(name: string): number[] {
  const parsed = parseScenario(findBuiltinScenario(name)!);
  if (!parsed.ok) throw new Error(`${name} does not parse`);
  const times: number[] = [];
  const simulation = new Simulation(parsed.scenario, {
    onEvent: (event) => {
      if (event.type === 'allocation.completed' && event.offers > 0) times.push(event.atMs);
    },
  });
  simulation.runUntil(parsed.scenario.durationMs);
  return times;
}

describe.skipIf(!haveChromium)('failovers and exact replay', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    served = await buildAndServe();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    problems = watchConsole(page);
    // Past the first-visit greeting (about:blank has no storage: nothing to do there).
    await page.addInitScript(() => {
      if (location.protocol.startsWith('http')) localStorage.setItem('allot.playground.visited', '1');
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  const caption = () =>
    page.textContent('[data-view="offers"] .caption').then((text) => {
      const match = /cycle (\d+) at ([\d.]+) s/.exec(text ?? '');
      return match ? { cycle: Number(match[1]), atMs: Math.round(Number(match[2]) * 1000) } : null;
    });
  const stateCount = (state: string) =>
    page.getAttribute(`[data-testid="task-machine"] [data-state="${state}"]`, 'data-count').then(Number);
  const cell = (framework: string, state: string) =>
    page
      .textContent(`tr[data-framework="${framework}"] td[data-state="${state}"]`)
      .then((text) => Number((text ?? '').replace('·', '').trim() || 0));

  /** Opens master-failover and plays it to its end at 100×; calls `watch` while it plays. */
  async function playMasterFailover(watch: () => Promise<void> = async () => {}): Promise<void> {
    await openPage(page, `${served.url}?scenario=master-failover`);
    await page.click('[data-testid="speed-100"]');
    await page.click('[data-testid="play"]');
    await page.locator('[data-view="offers"]').scrollIntoViewIfNeeded();
    while ((await simMs(page)) < 120_000) await watch();
    await page.waitForSelector('[data-testid="play"]:text("Play")');
  }

  test('master-failover at 100×: no page error, and Offers stays current through both failovers', async () => {
    const cycleTimes = offerCycleTimes('master-failover');
    const seen: Array<{ cycle: number; atMs: number }> = [];
    await playMasterFailover(async () => {
      const now = await caption();
      if (now && now.cycle !== seen[seen.length - 1]?.cycle) seen.push(now);
      await page.waitForTimeout(100);
    });
    // The sampler polls every 100 ms and may miss the last cycles on a busy machine: the final caption counts too.
    const last = await caption();
    if (last && last.cycle !== seen[seen.length - 1]?.cycle) seen.push(last);
    expect(problems).toEqual([]);
    // Cycle numbers go on through the failovers (a new master restarts its own count at 1).
    for (let i = 1; i < seen.length; i++) expect(seen[i].cycle).toBeGreaterThan(seen[i - 1].cycle);
    // Offers went on after the first failover (15 s), to the run's last offering cycle (everything is launched by then).
    expect(seen.some((entry) => entry.atMs > 15_000)).toBe(true);
    expect((await caption())?.atMs).toBe(cycleTimes[cycleTimes.length - 1]);
  });

  test("master-failover played to its end: the counts are the cluster's, equal to allot simulate's report", async () => {
    const report = await simulateReport('master-failover');
    await playMasterFailover(() => page.waitForTimeout(100));
    // The counts are of the cluster's history (every task finished), not of the last master's.
    for (const framework of report.frameworks)
      for (const [state, count] of Object.entries(framework.tasks)) expect(await cell(framework.id, state)).toBe(count);
    expect(await stateCount('TASK_FINISHED')).toBe(60);
    const offers = await page.locator('.stats span', { hasText: 'offers' }).locator('strong').textContent();
    expect(Number(offers)).toBe(report.counters.offersMade);
  });

  test('after a failover the agents are "not re-registered yet", not down, and Restart does not apply', async () => {
    await openPage(page, `${served.url}?scenario=failure-recovery`);
    await seekByKeys(page, 10_000);
    await page.focus('[data-testid="cluster-map"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="agent-details"] h3:text("agent-1")');
    await page.click('[data-testid="failover"]');
    await page.waitForSelector('[data-testid="agent-status"]:text("not re-registered yet")');
    expect(await page.isDisabled('[data-testid="restart-agent"]')).toBe(true);
    expect(await page.textContent('[data-testid="legend-reregistering"]')).toContain('(6)');
    expect(await page.getAttribute('[data-testid="cluster-map"]', 'data-status-counts')).toBe(
      JSON.stringify({ up: 0, down: 0, partitioned: 0, reregistering: 6 }),
    );
    // Within a couple of seconds they have re-registered.
    await seekByKeys(page, 13_000);
    await page.waitForSelector('[data-testid="agent-status"]:text("up")');
    expect(problems).toEqual([]);
  });

  test('a heal and a failover injected at the same moment: the same state live, after a rewind, and from the link', async () => {
    await openPage(page, `${served.url}?scenario=failure-recovery`);
    await seekByKeys(page, 5000);
    await page.focus('[data-testid="cluster-map"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="agent-details"] h3:text("agent-2")');
    await page.click('[data-testid="partition-agent"]');
    await page.waitForSelector('[data-testid="agent-status"]:text("partitioned")');
    await seekByKeys(page, 17_000);
    await page.click('[data-testid="heal-agent"]');
    await page.waitForSelector('[data-testid="heal-agent"]:disabled');
    const healed = await fingerprint(page);
    await page.click('[data-testid="failover"]');
    await page.waitForFunction((before) => document.querySelector('[data-testid="digest"]')?.textContent !== before, healed);
    await seekByKeys(page, 30_000);
    const live = await fingerprint(page);
    await seekByKeys(page, 0);
    await seekByKeys(page, 30_000);
    expect(await fingerprint(page)).toBe(live);
    await page.click('[data-testid="share"]');
    const link = await page.inputValue('[data-testid="share-url"]');
    const other = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const otherProblems = watchConsole(other);
    await openPage(other, link);
    await waitForSimMs(other, 30_000);
    expect(await fingerprint(other)).toBe(live);
    await other.close();
    expect(otherProblems).toEqual([]);
  });

  test('a share link opened in a tab that already shows the playground (only the part after # differs) loads its state', async () => {
    await openPage(page, `${served.url}?scenario=failure-recovery`);
    await seekByKeys(page, 30_000);
    const live = await fingerprint(page);
    await page.click('[data-testid="share"]');
    const link = await page.inputValue('[data-testid="share-url"]');
    await seekByKeys(page, 12_000);
    expect(await fingerprint(page)).not.toBe(live);
    await page.goto(link);
    await waitForSimMs(page, 30_000);
    expect(await fingerprint(page)).toBe(live);
    expect(problems).toEqual([]);
  });
});
