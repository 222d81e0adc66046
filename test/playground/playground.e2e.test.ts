/**
 * The playground end to end, in real Chromium (Debian's, at /usr/bin/chromium;
 * scripts/ensureChromium.mjs installs it when it can). Builds the playground
 * with Vite, serves it on 127.0.0.1 at a free port, and drives it as a person
 * would: run, crash, rewind, share, plans, compare (the tours are followed in
 * tours.e2e.test.ts). No console errors or warnings are allowed. With
 * UPDATE_SCREENSHOTS=1 it also writes the README's screenshots to
 * docs/screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, chromiumAvailable, launchChromium, watchConsole, type Served } from './playgroundHarness.js';

const haveChromium = chromiumAvailable();
if (!haveChromium)
  console.warn('playground e2e: skipped, /usr/bin/chromium is missing (scripts/ensureChromium.mjs installs it as root with apt-get)');

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? resolve('docs/screenshots') : null;

describe.skipIf(!haveChromium)('playground in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    served = await buildAndServe();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    problems = watchConsole(page);
    // Past the first-visit greeting (tours.e2e.test.ts tests it), so the pictures show the views.
    await page.addInitScript(() => {
      if (location.protocol.startsWith('http')) localStorage.setItem('allot.playground.visited', '1');
    });
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  const digest = (target: Page = page) => target.textContent('[data-testid="digest"]');
  const stateCount = (state: string) =>
    page.getAttribute(`[data-testid="task-machine"] [data-state="${state}"]`, 'data-count').then(Number);
  const planStatus = (framework: string, plan: string) =>
    page.getAttribute(`[data-testid="plans"] [data-framework="${framework}"][data-plan="${plan}"]`, 'data-status', { timeout: 5000 });
  const controlResults = () => page.locator('[data-testid="control-results"] li').allTextContents();
  const cell = (framework: string, state: string) =>
    page
      .locator(`tr[data-framework="${framework}"] td[data-state="${state}"]`)
      .textContent({ timeout: 2000 })
      .then(
        (text) => Number((text ?? '').replace('·', '').trim() || 0),
        () => 0,
      );

  async function open(target: Page, path = ''): Promise<void> {
    await target.goto(served.url + path);
    await target.waitForSelector('[data-ready="true"]');
  }

  /** Seeks with the timeline's keyboard controls: Home, then whole intervals and tens of intervals. */
  async function seekByKeys(atMs: number, intervalMs = 1000): Promise<void> {
    await page.focus('[data-testid="timeline"]');
    await page.keyboard.press('Home');
    const steps = Math.round(atMs / intervalMs);
    for (let i = 0; i < Math.floor(steps / 10); i++) await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < steps % 10; i++) await page.keyboard.press('ArrowRight');
    await page.waitForFunction((ms) => Number(document.querySelector('[data-testid="sim-time"]')?.getAttribute('data-ms')) === ms, atMs);
  }

  async function shot(name: string, selector?: string): Promise<void> {
    if (!SCREENSHOTS) return;
    await page.waitForTimeout(900);
    if (!selector) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
      return;
    }
    // The fixed timeline and tour card would cover part of a panel: hide them for the picture.
    await page
      .addStyleTag({ content: 'footer.timeline, aside.tour { visibility: hidden !important; }' })
      .then((tag) => tag.evaluate((node) => (node as Element).setAttribute('data-shot', '1')));
    await page.locator(selector).screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
    await page.evaluate(() => document.querySelectorAll('style[data-shot]').forEach((node) => node.remove()));
  }

  test('loads, runs the default scenario, and task counts change', async () => {
    await open(page);
    expect(await page.inputValue('[data-testid="scenario-picker"]')).toBe('drf-paper');
    const runningBefore = await stateCount('TASK_RUNNING');
    await page.click('[data-testid="speed-10"]');
    await page.click('[data-testid="play"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="sim-time"]')?.getAttribute('data-ms')) >= 16000,
      undefined,
      { timeout: 20_000 },
    );
    await page.click('[data-testid="play"]');
    expect(runningBefore).toBeLessThan(5);
    expect(await stateCount('TASK_RUNNING')).toBe(5);
    expect(await cell('A', 'TASK_RUNNING')).toBe(3);
    expect(await cell('B', 'TASK_RUNNING')).toBe(2);
    await shot('overview');
    await shot('shares', '[data-view="shares"]');
    await shot('offers', '[data-view="offers"]');
    expect(problems).toEqual([]);
  });

  test("crashing an agent changes its tasks' states", async () => {
    await open(page, '?scenario=failure-recovery');
    await page.waitForFunction(() => document.querySelector('[data-testid="cluster-map"]')?.getAttribute('data-agents') === '6');
    await seekByKeys(8000);
    await page.focus('[data-testid="cluster-map"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="agent-details"] h3:text("agent-3")');
    const lostBefore = await stateCount('TASK_LOST');
    await page.click('[data-testid="crash-agent"]');
    await page.waitForSelector('[data-testid="agent-status"]:text("down")');
    await seekByKeys(88000);
    expect(lostBefore).toBe(0);
    expect(await stateCount('TASK_LOST')).toBeGreaterThan(0);
    await shot('tasks', '[data-view="tasks"]');
    await shot('cluster', '[data-view="cluster"]');
    expect(problems).toEqual([]);
  });

  test('rewinding brings back the identical state', async () => {
    const at88 = await digest();
    await seekByKeys(30000);
    const at30 = await digest();
    expect(at30).not.toBe(at88);
    await seekByKeys(88000);
    expect(await digest()).toBe(at88);
    await seekByKeys(30000);
    expect(await digest()).toBe(at30);
    await seekByKeys(88000);
    expect(problems).toEqual([]);
  });

  test('a shared URL opens the same state', async () => {
    await page.click('[data-testid="share"]');
    const url = await page.inputValue('[data-testid="share-url"]');
    expect(url).toContain('scenario=failure-recovery');
    expect(url).toContain('faults=');
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const otherProblems = watchConsole(other);
    await other.goto(url);
    await other.waitForSelector('[data-ready="true"]');
    await other.waitForFunction(() => Number(document.querySelector('[data-testid="sim-time"]')?.getAttribute('data-ms')) === 88000);
    expect(await digest(other)).toBe(await digest());
    expect(await other.getAttribute('[data-testid="cluster-map"]', 'data-agents')).toBe('6');
    await other.close();
    expect(otherProblems).toEqual([]);
  });

  test('the scenario editor shows validation errors in place', async () => {
    await page.click('[data-testid="edit-scenario"]');
    const editor = page.locator('[data-testid="scenario-editor"] textarea');
    const text = await editor.inputValue();
    await editor.fill(text.replace('"durationMs": 180000', '"durationMs": -5'));
    await page.click('[data-testid="editor-apply"]');
    await page.waitForSelector('[data-testid="editor-errors"] li');
    expect(await page.textContent('[data-testid="editor-errors"]')).toContain('$.durationMs');
    await shot('editor', '[data-testid="scenario-editor"]');
    await page.click('[data-testid="scenario-editor"] button[aria-label="Close the editor"]');
    expect(problems).toEqual([]);
  });

  test('cassandra: the deploy plan goes complete, and replacing a pod from the UI runs a recovery plan', async () => {
    const groups = await page
      .locator('[data-testid="scenario-picker"] optgroup')
      .evaluateAll((nodes) =>
        nodes.map(
          (node) => `${node.getAttribute('label')}: ${[...node.querySelectorAll('option')].map((option) => option.value).join(' ')}`,
        ),
      );
    expect(groups).toContain('Stateful services: plans (Cassandra, Kafka): cassandra kafka');
    await page.selectOption('[data-testid="scenario-picker"]', 'cassandra');
    await page.waitForSelector('[data-testid="plans"] [data-plan="deploy"]');
    expect(await page.textContent('[data-testid="scenario-about"]')).toContain('1 framework (stateful SDK)');
    expect(await planStatus('cassandra', 'deploy')).not.toBe('COMPLETE');
    expect(await page.textContent('[data-plan="deploy"] [data-step="node-2"] [data-testid="step-why"]')).toContain('waits for node-0');
    await page.click('[data-testid="speed-30"]');
    await page.click('[data-testid="play"]');
    await page.waitForSelector('[data-testid="plans"] [data-plan="deploy"][data-status="COMPLETE"]', { timeout: 20_000 });
    await page.click('[data-testid="play"]');
    await page.waitForSelector('[data-testid="play"]:text("Play")');
    // Continue on a plan that is not waiting changes nothing, and says so.
    await page.click('[data-testid="plan-cassandra-deploy-continue"]');
    await page.waitForSelector('[data-testid="control-results"] li[data-changed="false"]');
    expect((await controlResults())[0]).toContain('already done');
    await page.click('[data-testid="replace-pod-node-0"]');
    await page.waitForSelector('[data-testid="control-results"] li[data-changed="true"]');
    expect((await controlResults())[0]).toContain('replacing node-0');
    await page.waitForSelector('[data-testid="plans"] [data-plan="recovery"]');
    await page.click('[data-testid="play"]');
    await page.waitForSelector('[data-testid="plans"] [data-plan="recovery"][data-status="COMPLETE"]', { timeout: 20_000 });
    await page.click('[data-testid="play"]');
    await page.waitForSelector('[data-testid="play"]:text("Play")');
    expect(await page.textContent('[data-testid="pods-cassandra"] tr[data-pod="node-0"] td')).toBe('agent-4');
    await page.click('[data-testid="step-cassandra-recovery-node-0"]');
    expect(await page.textContent('[data-plan="recovery"] .step-body')).toContain('first launch of node-0 on agent-4');
    await shot('plans', '[data-view="plans"]');
    await shot('frameworks', '[data-view="frameworks"]');
    expect(problems).toEqual([]);
  });

  test('kafka: Continue lets each canary step of the update go', async () => {
    await page.selectOption('[data-testid="scenario-picker"]', 'kafka');
    await page.waitForSelector('[data-testid="plans"] [data-plan="deploy"]');
    await seekByKeys(65000);
    const broker = (name: string) => page.getAttribute(`[data-plan="deploy"] [data-step="${name}"]`, 'data-status');
    expect(await page.getAttribute('[data-plan="deploy"] [data-phase="broker"]', 'data-status')).toBe('WAITING');
    expect(await broker('broker-0')).toBe('WAITING');
    expect(await page.textContent('[data-plan="deploy"] [data-step="broker-0"] [data-testid="step-why"]')).toContain('canary');
    await page.click('[data-testid="phase-kafka-deploy-broker-continue"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="control-results"] li')?.textContent?.includes('canary step 1'));
    await seekByKeys(75000);
    expect(await broker('broker-0')).toBe('COMPLETE');
    expect(await broker('broker-1')).toBe('WAITING');
    await page.click('[data-testid="phase-kafka-deploy-broker-continue"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="control-results"] li')?.textContent?.includes('canary step 2'));
    await seekByKeys(90000);
    expect(await planStatus('kafka', 'deploy')).toBe('COMPLETE');
    // The scenario's own continue at 80 s came after ours: already done.
    expect((await controlResults())[0]).toContain('already done: broker is not waiting');
    expect(problems).toEqual([]);
  });

  test('compare runs both configurations and charts the difference', async () => {
    await page.selectOption('[data-testid="scenario-picker"]', 'weighted-roles');
    await page.selectOption('[data-testid="compare-sorter"]', 'random');
    await page.click('[data-testid="compare-run"]');
    await page.waitForSelector('[data-testid="compare-result"]', { timeout: 30_000 });
    await shot('compare', '[data-view="compare"]');
    expect(problems).toEqual([]);
  });

  // Last: it loads its own scenario, and the tests above build on each other's state.
  test('draining an agent kills its tasks (a what-if on any scenario, a fork included)', async () => {
    await open(page, '?scenario=failure-recovery');
    await page.waitForFunction(() => document.querySelector('[data-testid="cluster-map"]')?.getAttribute('data-agents') === '6');
    await seekByKeys(8000);
    await page.focus('[data-testid="cluster-map"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="agent-details"] h3:text("agent-2")');
    const killedBefore = await stateCount('TASK_KILLED');
    await page.click('[data-testid="drain-agent"]');
    await seekByKeys(20000);
    expect(await stateCount('TASK_KILLED')).toBeGreaterThan(killedBefore);
    // The matrix in simulated mode: agents counted by outcome per framework; AGENT_DRAINING among them now.
    await page.click('[data-testid="explain-matrix"] summary');
    await page.waitForSelector('[data-testid="explain-matrix"] tr[data-framework] td[data-outcome="AGENT_DRAINING"]');
    await page.selectOption('[data-testid="explain-matrix-outcome"]', 'AGENT_DRAINING');
    await page.waitForSelector('[data-testid="explain-matrix-cells"] li[data-agent="agent-2"][data-outcome="AGENT_DRAINING"]');
    expect(problems).toEqual([]);
  });
});
