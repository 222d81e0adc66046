/**
 * The playground's "connect to a master" mode against a real cluster: starts
 * `allot master` and one `allot agent` as child processes on free 127.0.0.1
 * ports (the daemon tests' helpers), opens the built playground with
 * `?master=<url>` in Chromium, and sees the agent on the live map and in the
 * agents count, with no console errors. Also checks that the master's CORS
 * stays read-only: a cross-origin write call is refused. With a framework
 * subscribed, connected mode shows its share, the offers made, and EXPLAIN:
 * the matrix summary and the agent it declined with a filter, with why;
 * "Fork into simulator" then opens the cluster as a simulation.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchConsole, type Served } from './playgroundHarness.js';
import type { Daemon } from '../adapters/master/daemons.js';
import { makeWorkDir, removeWorkDir, startAgentProcess, startMasterProcess } from '../adapters/master/daemons.js';
import { SchedulerClient } from '../adapters/master/schedulerClient.js';

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground live-master e2e: skipped, /usr/bin/chromium is missing');

describe.skipIf(!haveChromium)('playground connected to a real master', () => {
  let served: Served;
  let browser: Browser;
  let workDir: string;
  let master: Daemon;
  let agent: Daemon;

  beforeAll(async () => {
    workDir = makeWorkDir('playground-live');
    [served, master] = await Promise.all([buildAndServe(), startMasterProcess(workDir)]);
    agent = await startAgentProcess(workDir, master.url, 'agent-1');
    browser = await launchChromium();
  }, 50_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await agent?.stop();
    await master?.stop();
    if (workDir) removeWorkDir(workDir);
  }, 20_000);

  test('shows the agent on the map and in the count, read-only CORS', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems = watchConsole(page);
    await page.goto(`${served.url}?master=${encodeURIComponent(master.url)}`);
    await page.waitForSelector('[data-ready="true"]');
    await page.waitForSelector('[data-testid="live"][data-status="connected"]', { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="live-agents"]')?.textContent === '1', undefined, {
      timeout: 15_000,
    });

    expect(await page.locator('[data-testid="live-map"] li[data-agent]').count()).toBe(1);
    // Simulator-only views are not there while connected.
    expect(await page.locator('[data-testid="play"]').count()).toBe(0);
    expect(await page.locator('[data-view="compare"]').count()).toBe(0);
    expect(problems).toEqual([]);
    // GET_STATE is readable cross-origin; a write call is refused (the browser logs that CORS failure, expected).
    const statuses = await page.evaluate(async (url) => {
      const call = (type: string) =>
        fetch(`${url}/api/v1`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type }) }).then(
          (r) => r.status,
          () => -1,
        );
      return { read: await call('GET_STATE'), write: await call('MARK_AGENT_GONE') };
    }, master.url);
    expect(statuses.read).toBe(200);
    // The 403 carries no CORS header, so the browser reports a failed fetch (-1); either way it did not run.
    expect([403, -1]).toContain(statuses.write);
    expect(problems.filter((text) => !/CORS policy|net::ERR_FAILED/.test(text))).toEqual([]);
    await page.close();
  }, 40_000);

  test('shows shares, offers and explain of a real framework', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const problems = watchConsole(page);
    await page.goto(`${served.url}?master=${encodeURIComponent(master.url)}`);
    await page.waitForSelector('[data-testid="live"][data-status="connected"]', { timeout: 10_000 });
    // A framework that declines its first offer for an hour: the matrix says FILTERED, with until when.
    const framework = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'decliner', roles: ['web'] } });
    try {
      const offer = await framework.waitForOffer('an offer', 20_000);
      await framework.call({ type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 3600 } } });
      await page.waitForSelector(`[data-testid="live-shares"] li[data-framework="${framework.frameworkId}"]`, { timeout: 15_000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="live-offers"]')?.textContent) >= 1, undefined, {
        timeout: 15_000,
      });
      const cell = `[data-testid="live-explain-cells"] li[data-agent="${offer.agent_id.value}"][data-outcome="FILTERED"]`;
      await page.waitForSelector(cell, { timeout: 20_000 });
      expect(await page.locator(cell).textContent()).toMatch(/declined these resources; its filter holds until \d+ ms/);
      expect(
        await page
          .locator(`[data-testid="live-explain-summary"] tr[data-framework="${framework.frameworkId}"] td[data-outcome="FILTERED"]`)
          .textContent(),
      ).toBe('1');
      // The drill-down lists the outcomes present; picking one keeps its agents.
      await page.selectOption('[data-testid="live-explain-outcome"]', 'FILTERED');
      expect(await page.locator('[data-testid="live-explain-cells"] li[data-agent]').count()).toBe(1);
      // Fork into simulator: the live cluster becomes a scenario the simulator runs.
      await page.click('[data-testid="fork"]');
      await page.waitForSelector('[data-testid="scenario-about"]', { timeout: 20_000 });
      expect(await page.locator('[data-testid="scenario-about"]').textContent()).toMatch(/edited\s+fork/);
      expect(await page.locator('[data-testid="live"]').count()).toBe(0);
      expect(await page.evaluate(() => location.search)).not.toMatch(/master=/);
      expect(problems).toEqual([]);
    } finally {
      await framework.close();
      await page.close();
    }
  }, 60_000);
});
