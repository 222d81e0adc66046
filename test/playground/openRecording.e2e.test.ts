/**
 * The playground opens a recording of a real master (`allot master
 * --record`: here an in-process master with a real agent and a scheduler
 * over HTTP) and replays it through the kernel, as `allot replay` does. On
 * the timeline: before the framework subscribed the page shows the agent
 * and no framework or task; once its two tasks ran and it declined the
 * rest for an hour, it shows the framework, both tasks TASK_RUNNING on the
 * agent's cell and EXPLAIN's FILTERED; scrubbing back shows the earlier
 * moment again. The replay matched the recording at every step. The same
 * file also opens dropped on the page, and from `?recording=<url>`; a file
 * that is not a recording is refused with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeWorkDir, removeWorkDir } from '../adapters/master/daemons.js';
import { launch, SchedulerClient } from '../adapters/master/schedulerClient.js';
import { startLiveCluster } from '../adapters/fork/liveCluster.js';
import { buildAndServe, chromiumAvailable, launchChromium, type Served, watchConsole } from './playgroundHarness.js';

type Json = Record<string, any>;

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground open-recording e2e: skipped, /usr/bin/chromium is missing');

/** Records a short session: an agent, then a framework that runs two tasks and declines the rest for an hour. */
async function recordSession(path: string): Promise<{ frameworkId: string; agentId: string }> {
  // Small files, so that the recording continues in FILE.1, FILE.2, ... as a long one does.
  const record = { path, limits: { segmentBytesMax: 1500, segmentsMax: 64, flushMs: 20 } };
  const cluster = await startLiveCluster([{ resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31100]' }], { record });
  try {
    const scheduler = await SchedulerClient.subscribe({
      masterUrl: cluster.master.url,
      frameworkInfo: { name: 'recorded', roles: ['web'] },
    });
    try {
      const offer = await scheduler.waitForOffer('an offer', 30_000);
      await scheduler.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [
            launch(offer, 'web-1', 'sleep 600', { cpus: 0.5, mem: 64 }),
            launch(offer, 'web-2', 'sleep 600', { cpus: 0.5, mem: 64 }),
          ],
          filters: { refuse_seconds: 3600 },
        },
      });
      await scheduler.waitForState('web-1', 'TASK_RUNNING', 30_000);
      await scheduler.waitForState('web-2', 'TASK_RUNNING', 30_000);
      // Let a few allocation cycles run with the filter in place.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return { frameworkId: scheduler.frameworkId, agentId: offer.agent_id.value as string };
    } finally {
      await scheduler.close();
    }
  } finally {
    await cluster.close();
  }
}

/** FILE, FILE.1, FILE.2, ... as the master wrote them. */
function segmentFiles(path: string): string[] {
  const files = [path];
  while (existsSync(`${path}.${files.length}`)) files.push(`${path}.${files.length}`);
  return files;
}

async function scrub(page: Page, atMs: number): Promise<void> {
  await page.locator('[data-testid="recording-time"]').evaluate((input, value) => {
    (input as HTMLInputElement).value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, atMs);
  await page.waitForSelector(`[data-testid="recording"][data-at-ms="${atMs}"]`);
}

const text = (page: Page, testid: string) => page.locator(`[data-testid="${testid}"]`).textContent();

describe.skipIf(!haveChromium)('playground opens a recording', () => {
  let served: Served;
  let browser: Browser;
  let workDir: string;
  let path: string;
  let ids: { frameworkId: string; agentId: string };
  let moments: { before: number; running: number };
  let fileServer: Server;
  let files: string[];

  beforeAll(async () => {
    workDir = makeWorkDir('playground-recording');
    path = join(workDir, 'master.rec');
    [served, ids] = await Promise.all([buildAndServe(), recordSession(path)]);
    files = segmentFiles(path);
    expect(files.length).toBeGreaterThan(1);
    const steps = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => JSON.parse(line) as Json),
    );
    const subscribe = steps.find((step) => step.command.type === 'framework.subscribe')!;
    // Both tasks running, a few allocation cycles on (before anything the shutdown may add).
    const bothRunning = steps.filter((step) => step.command.type === 'task.status' && step.command.state === 'TASK_RUNNING').at(-1)!;
    const cycle = steps.filter(
      (step) =>
        step.command.type === 'tick' &&
        step.command.nowMs > bothRunning.command.nowMs &&
        step.command.nowMs <= bothRunning.command.nowMs + 1000,
    );
    moments = { before: subscribe.command.nowMs - 1, running: cycle.at(-1)!.command.nowMs };
    expect(steps.some((step) => step.command.type === 'task.status')).toBe(true);
    // Serves FILE as /master.rec and its continuations as /master.rec.1, ...; 404 past the last.
    fileServer = createServer((request, response) => {
      const file = join(workDir, (request.url ?? '/').slice(1));
      if (!files.includes(file)) return void response.writeHead(404).end();
      response.writeHead(200, { 'Access-Control-Allow-Origin': '*', 'Content-Type': 'text/plain' });
      response.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    if (fileServer) await new Promise((resolve) => fileServer.close(resolve));
    if (workDir) removeWorkDir(workDir);
  }, 30_000);

  test('scrubs the timeline: the cluster, tasks and explain as they were at each moment', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const problems = watchConsole(page);
    await page.goto(served.url);
    await page.waitForSelector('[data-ready="true"]');
    // Every file of the recording, in any order.
    await page.setInputFiles('[data-testid="recording-file"]', [...files].reverse());
    await page.waitForSelector('[data-testid="recording"]', { timeout: 15_000 });

    await scrub(page, moments.before);
    expect(await text(page, 'recording-agents')).toBe('1');
    expect(await text(page, 'recording-frameworks')).toBe('0');
    expect(await text(page, 'recording-tasks')).toBe('0');
    expect(await page.locator(`[data-testid="recording-map"] li[data-agent="${ids.agentId}"]`).getAttribute('data-tasks')).toBe('0');

    await scrub(page, moments.running);
    expect(await text(page, 'recording-frameworks')).toBe('1');
    expect(await page.locator('[data-testid="recording-task-list"] tr[data-state="TASK_RUNNING"]').count()).toBe(2);
    expect(await page.locator(`[data-testid="recording-map"] li[data-agent="${ids.agentId}"]`).getAttribute('data-tasks')).toBe('2');
    expect(await page.locator(`[data-testid="live-shares"] li[data-framework="${ids.frameworkId}"]`).count()).toBe(1);
    const cell = `[data-testid="live-explain-cells"] li[data-agent="${ids.agentId}"][data-outcome="FILTERED"]`;
    expect(await page.locator(cell).textContent()).toMatch(/filter holds until \d+ ms/);

    // Back in time: the replay starts again and shows the earlier moment.
    await scrub(page, moments.before);
    expect(await text(page, 'recording-frameworks')).toBe('0');
    expect(await page.locator('[data-testid="recording-task-list"] tr').count()).toBe(0);
    expect(await page.locator('[data-testid="recording-mismatch"]').count()).toBe(0);
    expect(await page.locator('[data-testid="recording-error"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  test('a file dropped on the page opens; a file that is not a recording says so', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(served.url);
    await page.waitForSelector('[data-ready="true"]');
    const drop = async (dropped: Array<[string, string]>) => {
      const dataTransfer = await page.evaluateHandle((entries) => {
        const transfer = new DataTransfer();
        for (const [fileName, content] of entries) transfer.items.add(new File([content], fileName));
        return transfer;
      }, dropped);
      await page.dispatchEvent('main', 'drop', { dataTransfer });
    };
    await drop([['notes.txt', 'not a recording\n']]);
    await page.waitForSelector('[data-testid="recording-open-error"]');
    expect(await text(page, 'recording-open-error')).toMatch(/notes\.txt:1: not a JSON line of a recording/);
    expect(await page.locator('[data-testid="recording"]').count()).toBe(0);
    await drop(files.map((file): [string, string] => [file.split('/').pop()!, readFileSync(file, 'utf8')]));
    await page.waitForSelector('[data-testid="recording"]', { timeout: 15_000 });
    await scrub(page, moments.running);
    expect(await text(page, 'recording-frameworks')).toBe('1');
    await page.click('[data-testid="recording-close"]');
    await page.waitForSelector('[data-testid="open-recording"]');
    await page.close();
  }, 60_000);

  test('opens the recording from ?recording=<url>', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const address = fileServer.address() as { port: number };
    await page.goto(`${served.url}?recording=${encodeURIComponent(`http://127.0.0.1:${address.port}/master.rec`)}`);
    await page.waitForSelector('[data-testid="recording"]', { timeout: 15_000 });
    await scrub(page, moments.running);
    expect(await text(page, 'recording-frameworks')).toBe('1');
    await page.close();
  }, 60_000);
});
