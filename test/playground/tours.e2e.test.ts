/**
 * The three guided tours in real Chromium at 1440×900, the size a learner's
 * laptop shows: every step's card stays clear of what the step talks about,
 * which is scrolled into view, and what the text says is on the screen (A's
 * line at DRF step 2, the task table at step 5, the agents not re-registered
 * yet at the failover, the fingerprint before and after the rewind, the
 * faults still marked ahead). Focus moves into the card, Escape closes it,
 * and a first visit says where to start. With UPDATE_SCREENSHOTS=1 every
 * step is written to docs/screenshots/tours/ (and the README's tour shots).
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchConsole, type Served } from './playgroundHarness.js';
import { openPage, simMs } from './playgroundPage.js';

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground tours e2e: skipped, /usr/bin/chromium is missing');

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? resolve('docs/screenshots') : null;
const VIEWPORT = { width: 1440, height: 900 };

/** Per tour and step (1-based): what the text says, checked on the screen. */
type StepCheck = (page: Page) => Promise<void>;

const cell = (page: Page, framework: string, state: string) =>
  page
    .locator(`tr[data-framework="${framework}"] td[data-state="${state}"]`)
    .textContent({ timeout: 2000 })
    .then(
      (text) => Number((text ?? '').replace('·', '').trim() || 0),
      () => 0,
    );
const running = (page: Page) => page.textContent('[data-testid="running-count"]').then(Number);
const statusCounts = (page: Page) =>
  page.getAttribute('[data-testid="cluster-map"]', 'data-status-counts').then((text) => JSON.parse(text ?? '{}'));
const cards = (page: Page) =>
  page.getAttribute('[data-testid="cluster-map"]', 'data-cards').then(
    (text) =>
      JSON.parse(text || '[]') as Array<{
        id: string;
        bracket: { from: number; to: number } | null;
        fills: Array<{ role: string; from: number }>;
      }>,
  );
const cardText = (page: Page) => page.textContent('[data-testid="tour"]').then((text) => text ?? '');

/** A's line at DRF step 2: its dot and its label inside the plot, at 0.222. */
async function shareVisible(page: Page, name: string, value: string): Promise<void> {
  // The y axis reaches the value (it used to stop at the past samples' maximum).
  const ticks = await page.locator('[data-testid="share-chart"] text.axis').allTextContents();
  expect(Math.max(...ticks.map(Number).filter(Number.isFinite))).toBeGreaterThanOrEqual(Number(value));
  const geometry = await page.$eval(
    '[data-testid="share-chart"]',
    (svg, args) => {
      const box = svg.getBoundingClientRect();
      const dot = svg.querySelector(`[data-dot="${args.name}"]`)!.getBoundingClientRect();
      const label = svg.querySelector(`[data-label="${args.name}"]`)!;
      const grid = [...svg.querySelectorAll('text.axis')].map((node) => Number(node.textContent)).filter(Number.isFinite);
      return {
        box: { top: box.top, bottom: box.bottom },
        dotY: dot.top + dot.height / 2,
        label: {
          top: label.getBoundingClientRect().top,
          bottom: label.getBoundingClientRect().bottom,
          value: label.getAttribute('data-value'),
        },
        axisMax: Math.max(...grid),
      };
    },
    { name },
  );
  expect(geometry.label.value).toBe(value);
  expect(geometry.axisMax).toBeGreaterThanOrEqual(Number(value));
  expect(geometry.dotY).toBeGreaterThan(geometry.box.top);
  expect(geometry.dotY).toBeLessThan(geometry.box.bottom);
  expect(geometry.label.top).toBeGreaterThanOrEqual(geometry.box.top);
  expect(geometry.label.bottom).toBeLessThanOrEqual(geometry.box.bottom);
}

const CHECKS: Record<string, Record<number, StepCheck>> = {
  drf: {
    2: async (page) => {
      expect(await simMs(page)).toBe(0);
      await shareVisible(page, 'a', '0.222');
    },
    3: async (page) => {
      const strip = await page.locator('[data-view="offers"] .strip .cycle').allTextContents();
      expect(strip).toEqual(['#2', '#1']);
      expect(await page.textContent('[data-testid="offer-list"]')).toContain('accepted: 1 task launched');
    },
    4: async (page) => {
      await shareVisible(page, 'a', '0.667');
      await shareVisible(page, 'b', '0.667');
    },
    5: async (page) => {
      expect(await cell(page, 'A', 'TASK_RUNNING')).toBe(3);
      expect(await cell(page, 'B', 'TASK_RUNNING')).toBe(2);
    },
    6: async (page) => {
      await page.waitForSelector('[data-testid="explain-answer"][data-outcome="offered"]');
      expect(await page.locator('[data-testid="explain-considered"] li').allTextContents()).toEqual([
        expect.stringMatching(/A.*0\.667.*offered/),
        expect.stringMatching(/B.*0\.667.*no resources/),
      ]);
    },
  },
  reservations: {
    2: async (page) => {
      const step = (name: string) => page.getAttribute(`[data-plan="deploy"] [data-step="${name}"]`, 'data-status');
      expect([await step('node-0'), await step('node-2')]).toEqual(['COMPLETE', 'PENDING']);
      expect(await step('node-1')).not.toBe('COMPLETE');
      expect(await page.textContent('[data-plan="deploy"] [data-step="node-2"] [data-testid="step-why"]')).toContain('waits for node-1');
    },
    1: async (page) => {
      const byId = Object.fromEntries((await cards(page)).map((card) => [card.id, card]));
      expect(byId['agent-4'].bracket).toBeNull();
      expect(byId['agent-1'].bracket?.from).toBe(0);
      expect(byId['agent-1'].fills[0]).toMatchObject({ role: 'cassandra', from: 0 });
    },
    3: async (page) => {
      expect(await page.getAttribute('[data-plan="deploy"]', 'data-status')).toBe('COMPLETE');
      expect(await page.textContent('[data-framework="cassandra"][data-kind="stateful"]')).toContain('seeds: agent-1, agent-3');
    },
    4: async (page) => expect(await page.isVisible('[data-plan="recovery"]')).toBe(true),
    5: async (page) =>
      expect(await page.textContent('[data-plan="recovery"] [data-step="node-1"]')).toContain(
        "node-1's reservations and volumes are on agent-3",
      ),
    6: async (page) => {
      expect(await page.textContent('[data-testid="pods-cassandra"] tr[data-pod="node-1"] td')).toBe('agent-4');
      expect(await page.textContent('[data-framework="cassandra"][data-kind="stateful"]')).toContain(
        'gave back unowned reservations on agent-3',
      );
    },
  },
  failure: {
    2: async (page) => expect((await statusCounts(page)).down).toBe(1),
    3: async (page) => {
      expect(Number(await page.getAttribute('[data-testid="task-machine"] [data-state="TASK_LOST"]', 'data-count'))).toBe(4);
      expect(await cell(page, 'web', 'TASK_LOST')).toBe(4);
      expect(await running(page)).toBe(20);
      expect(await page.getAttribute('[data-label="web"]', 'data-value')).toBe('0.600');
    },
    4: async (page) => {
      expect(await running(page)).toBe(24);
      expect(await cell(page, 'web', 'TASK_FAILED')).toBe(1);
      const log = (await page.textContent('[data-testid="event-log"]')) ?? '';
      expect(log).toMatch(/web-\d+ launched on agent/);
      expect(log).toMatch(/STAGING → RUNNING/);
      expect(log).toContain('web declined');
    },
    5: async (page) => {
      expect(await statusCounts(page)).toMatchObject({ up: 0, reregistering: 6 });
      expect(await page.getAttribute('[data-testid="agent-status"]', 'data-status')).toBe('reregistering');
      expect(await page.isDisabled('[data-testid="restart-agent"]')).toBe(true);
      expect(await running(page)).toBe(24);
    },
    6: async (page) => {
      expect(await statusCounts(page)).toMatchObject({ up: 6, reregistering: 0 });
      expect(await running(page)).toBe(24);
      const digest = (await page.textContent('[data-testid="digest"]'))!.split(' ').pop()!;
      expect(await cardText(page)).toContain(`at 1:35.0 it is ${digest}`);
    },
    7: async (page) => {
      expect(await simMs(page)).toBe(7000);
      // The crash (8 s), restart, task failure and failover all lie ahead of 7 s, and stay marked.
      const markers = await page
        .locator('[data-testid="fault-marker"]')
        .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-ahead')));
      expect(markers).toEqual(['true', 'true', 'true', 'true']);
    },
    8: async (page) => {
      expect(await simMs(page)).toBe(95000);
      const digest = (await page.textContent('[data-testid="digest"]'))!.split(' ').pop()!;
      expect(await cardText(page)).toContain(`the fingerprint is ${digest}, the same as before the rewind (${digest})`);
      expect(await page.locator('[data-testid="fault-marker"][data-ahead="true"]').count()).toBe(0);
    },
  },
};

describe.skipIf(!haveChromium)('guided tours at 1440×900', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    served = await buildAndServe();
    browser = await launchChromium();
    // No drawing-in animations: a screenshot shows each step as it settles.
    page = await browser.newPage({ viewport: VIEWPORT, reducedMotion: 'reduce' });
    problems = watchConsole(page);
    if (SCREENSHOTS) mkdirSync(join(SCREENSHOTS, 'tours'), { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  /** Waits until the card has settled clear of its target, inside the viewport, with the target in view. */
  async function settledStep(step: number): Promise<void> {
    await page.waitForSelector(`[data-testid="tour"][data-step="${step}"][data-busy="false"]`, { timeout: 90_000 });
    const measure = () =>
      page.evaluate(() => {
        const card = document.querySelector('[data-testid="tour"]')!;
        // The step's target, or (a card that does not say) the view it highlights.
        const selector = card.getAttribute('data-target') ?? '.highlighted';
        const target = document.querySelector(selector);
        if (!target || card.getAttribute('data-side') === '') return { ok: false, why: 'not placed yet' };
        const a = card.getBoundingClientRect();
        const b = target.getBoundingClientRect();
        const footer = document.querySelector('footer.timeline')!.getBoundingClientRect();
        const fixed = !!target.closest('footer.timeline');
        const bottom = fixed ? window.innerHeight : footer.top;
        const clear = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        const visible = Math.min(b.bottom, bottom) - Math.max(b.top, 0);
        const cardInView = a.top >= 0 && a.bottom <= footer.top + 1 && a.left >= 0 && a.right <= window.innerWidth;
        const targetInView = visible >= Math.min(b.height, 300) - 1;
        const round = (r: DOMRect) => [r.left, r.top, r.width, r.height].map(Math.round).join(',');
        return {
          ok: clear && cardInView && targetInView,
          why: `${selector} side ${card.getAttribute('data-side')}: clear ${clear}, card in view ${cardInView}, target in view ${targetInView}; card ${round(a)}, target ${round(b)}`,
        };
      });
    const deadline = Date.now() + 15_000;
    let last = await measure();
    while (!last.ok && Date.now() < deadline) {
      await page.waitForTimeout(200);
      last = await measure();
    }
    expect(last.ok, `step ${step + 1}: ${last.why}`).toBe(true);
  }

  for (const tour of ['drf', 'reservations', 'failure']) {
    test(`the ${tour} tour: each card beside what it points at, in view, and the screen says what the text says`, async () => {
      await openPage(page, `${served.url}?scenario=drf-paper`);
      await page.click(`[data-testid="tour-${tour}"]`);
      const card = page.locator('[data-testid="tour"]');
      await card.waitFor();
      const steps = Number(await card.getAttribute('data-steps'));
      for (let step = 0; step < steps; step++) {
        if (step > 0) await page.click('[data-testid="tour-next"]');
        await settledStep(step);
        await CHECKS[tour][step + 1]?.(page);
        if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, 'tours', `${tour}-${step + 1}.png`) });
        if (SCREENSHOTS && tour === 'drf' && step === steps - 1) {
          await page.screenshot({ path: join(SCREENSHOTS, 'tour-drf.png') });
          await page.locator('[data-view="explain"]').screenshot({ path: join(SCREENSHOTS, 'explain.png') });
        }
        if (SCREENSHOTS && tour === 'reservations' && step === steps - 1)
          await page.screenshot({ path: join(SCREENSHOTS, 'tour-reservations.png') });
      }
      expect(await page.isVisible('[data-testid="tour-finish"]')).toBe(true);
      await page.keyboard.press('Escape');
      await card.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(`tour-${tour}`);
      expect(problems).toEqual([]);
    });
  }

  test('a first visit says where to start; the tour takes the focus, Enter goes on, Escape closes it', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const fresh = await context.newPage();
    const freshProblems = watchConsole(fresh);
    await openPage(fresh, served.url);
    await fresh.waitForSelector('[data-testid="welcome"]');
    await fresh.click('[data-testid="start-here"]');
    await fresh.waitForSelector('[data-testid="tour"][data-busy="false"]');
    // Focus is in the card from the start (not 48 Tabs away): Enter goes on.
    expect(await fresh.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tour-next');
    await fresh.keyboard.press('Enter');
    await fresh.waitForSelector('[data-testid="tour"][data-step="1"][data-busy="false"]');
    expect(await fresh.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('tour-next');
    await fresh.keyboard.press('Escape');
    await fresh.waitForSelector('[data-testid="tour"]', { state: 'detached' });
    await openPage(fresh, served.url);
    expect(await fresh.isVisible('[data-testid="welcome"]')).toBe(false);
    await context.close();
    expect(freshProblems).toEqual([]);
  });
});
