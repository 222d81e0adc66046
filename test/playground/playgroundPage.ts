/**
 * Steps the playground's end-to-end tests share: open a page and wait until
 * it is ready, read the simulated time and the state fingerprint, seek with
 * the timeline's keys, wait for a moment, and check that one box stays clear
 * of another. Each waits for a state, never for a fixed time.
 */
import type { Page } from 'playwright-core';

export const simMs = (page: Page): Promise<number> => page.getAttribute('[data-testid="sim-time"]', 'data-ms').then(Number);

/** The state fingerprint beside the timeline, as text ("state fingerprint 3a27e47c"). */
export const fingerprint = (page: Page): Promise<string | null> => page.textContent('[data-testid="digest"]');

/** A fresh load of `url` (a link differing only after # would otherwise not reload the page). */
export async function openPage(page: Page, url: string): Promise<void> {
  if (url.includes('#')) await page.goto('about:blank');
  await page.goto(url);
  await page.waitForSelector('[data-ready="true"]');
}

export async function waitForSimMs(page: Page, atMs: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction((ms) => Number(document.querySelector('[data-testid="sim-time"]')?.getAttribute('data-ms')) === ms, atMs, {
    timeout,
  });
}

/**
 * Seeks with the timeline's keyboard controls: forward from now with tens of
 * intervals and single ones (the run goes on, nothing is replayed), or back
 * with Home first (a replay from the start).
 */
export async function seekByKeys(page: Page, atMs: number, intervalMs = 1000): Promise<void> {
  await page.focus('[data-testid="timeline"]');
  const nowMs = await simMs(page);
  const forward = atMs >= nowMs && (atMs - nowMs) % intervalMs === 0;
  if (!forward) await page.keyboard.press('Home');
  const steps = Math.round((forward ? atMs - nowMs : atMs) / intervalMs);
  for (let i = 0; i < Math.floor(steps / 10); i++) await page.keyboard.press('Shift+ArrowRight');
  for (let i = 0; i < steps % 10; i++) await page.keyboard.press('ArrowRight');
  await waitForSimMs(page, atMs);
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

/** The viewport box of the first element matching `selector`. */
export async function boxOf(page: Page, selector: string): Promise<Box> {
  return page.$eval(selector, (element) => {
    const rect = element.getBoundingClientRect();
    return { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
  });
}
