/**
 * Connected mode shows the plans of a service run by `allot service run`:
 * a real master, a real agent and the service scheduler as processes on
 * 127.0.0.1; the playground opened with `?master=<url>`, the service's URL
 * typed into the Plans panel. The service API answers the browser's
 * cross-origin reads (CORS, serviceCors.ts), so the deploy plan, its phase
 * and its step appear with their statuses, read-only (no plan controls),
 * and reach COMPLETE once the task runs. A cross-origin write is refused.
 * "Fork into simulator" takes the service's state along: the forked service's
 * deploy plan is COMPLETE in the simulation from the start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Daemon } from '../adapters/master/daemons.js';
import { makeWorkDir, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../adapters/master/daemons.js';
import { buildAndServe, chromiumAvailable, launchChromium, type Served, watchConsole } from './playgroundHarness.js';

const SVC_YML = `name: hello
pods:
  hello:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: "exec sleep 600"
        cpus: 0.1
        memory: 32
`;

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground live-plans e2e: skipped, /usr/bin/chromium is missing');

describe.skipIf(!haveChromium)('playground connected to a service API', () => {
  let served: Served;
  let browser: Browser;
  let workDir: string;
  let master: Daemon;
  let agent: Daemon;
  let service: Daemon;

  beforeAll(async () => {
    workDir = makeWorkDir('playground-plans');
    writeFileSync(join(workDir, 'svc.yml'), SVC_YML);
    [served, master] = await Promise.all([buildAndServe(), startMasterProcess(workDir)]);
    agent = await startAgentProcess(workDir, master.url, 'agent-1');
    service = await spawnDaemon(
      ['service', 'run', join(workDir, 'svc.yml'), '--master', master.url, '--port', '0', '--work-dir', join(workDir, 'scheduler')],
      join(workDir, 'service.log'),
      /"url":"(http:\/\/127\.0\.0\.1:\d+)","service":"hello"/,
    );
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await service?.stop();
    await agent?.stop();
    await master?.stop();
    if (workDir) removeWorkDir(workDir);
  }, 30_000);

  test('the service API lets other origins read and refuses their writes', async () => {
    const origin = served.url.replace(/\/$/, '');
    const preflight = await fetch(`${service.url}/v1/plans`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'accept' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/^GET, ?HEAD$/);
    const read = await fetch(`${service.url}/v1/plans`, { headers: { Origin: origin } });
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect(await read.json()).toEqual(['deploy', 'recovery']);
    const write = await fetch(`${service.url}/v1/plans/deploy/interrupt`, { method: 'POST', headers: { Origin: origin } });
    expect(write.status).toBe(403);
    expect(await write.text()).toMatch(/may only read/);
  });

  test('shows the deploy plan of the service, read-only, until COMPLETE', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    const problems = watchConsole(page);
    await page.goto(`${served.url}?master=${encodeURIComponent(master.url)}`);
    await page.waitForSelector('[data-testid="live"][data-status="connected"]', { timeout: 15_000 });
    await page.fill('[data-testid="service-url"]', service.url);
    await page.click('[data-testid="service-connect"]');
    await page.waitForSelector('[data-testid="live-plans"][data-status="connected"][data-service="hello"]', { timeout: 15_000 });
    expect(await page.locator('[data-testid="live-plans"] section.plan[data-plan="deploy"]').count()).toBe(1);
    expect(await page.locator('[data-testid="live-plans"] section.plan[data-plan="recovery"]').count()).toBe(1);
    const step = '[data-testid="live-plans"] section.plan[data-plan="deploy"] .phase[data-phase="hello"] li.step[data-step="hello-0"]';
    await page.waitForSelector(`${step}[data-status="COMPLETE"]`, { timeout: 60_000 });
    expect(await page.locator(`${step} [data-testid="step-why"]`).textContent()).toMatch(/hello-0/);
    expect(await page.locator('[data-testid="live-plans"] section.plan[data-plan="deploy"]').getAttribute('data-status')).toBe('COMPLETE');
    // Read-only: no plan controls in connected mode.
    expect(await page.locator('[data-testid="live-plans"] button', { hasText: 'Interrupt' }).count()).toBe(0);
    // The address is kept in the page's URL, so a reload shows the plans again.
    expect(await page.evaluate(() => new URLSearchParams(location.search).get('service'))).toBe(service.url);

    // Fork into simulator: the service forks with its scheduler's state, so its deploy plan is COMPLETE at once
    // in the simulation (it owns the running pod instead of deploying it again).
    await page.click('[data-testid="fork"]');
    await page.waitForSelector('[data-testid="scenario-about"]', { timeout: 20_000 });
    expect(await page.locator('[data-testid="live"]').count()).toBe(0);
    const forkedDeploy = 'section.plan[data-plan="deploy"][data-status="COMPLETE"]';
    await page.waitForSelector(forkedDeploy, { timeout: 20_000 });
    expect(await page.locator(`${forkedDeploy} li.step[data-step="hello-0"]`).getAttribute('data-status')).toBe('COMPLETE');
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
