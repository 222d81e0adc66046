/**
 * Aids for a learner, in real Chromium (point 12 of issue 16; the first-visit
 * greeting, the tour's focus and Escape are in tours.e2e.test.ts): a glossary
 * reachable from every term where it appears, an offer row that opens Explain
 * for its framework and agent, and Compare with progress and a Cancel.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { GLOSSARY } from '../../playground/src/lib/glossary.js';
import { buildAndServe, chromiumAvailable, launchChromium, watchConsole, type Served } from './playgroundHarness.js';
import { openPage, waitForSimMs } from './playgroundPage.js';

const haveChromium = chromiumAvailable();
if (!haveChromium) console.warn('playground learner aids e2e: skipped, /usr/bin/chromium is missing');

/** The places where running text talks to the learner: every glossary word in them must be a link. */
const TEXT_PLACES = [
  '[data-testid="scenario-about"]',
  '.panel .subtitle',
  '[data-view="shares"] .note',
  '[data-testid="offer-caption"]',
  '[data-testid="explain-answer"]',
  '[data-view="explain"] .legend',
  '#cluster-legend',
  '[data-testid="tour"] p',
  '[data-testid="welcome"] p',
];
const ISSUE_TERMS = [
  'offer',
  'filter',
  'decline',
  'suppress',
  'revive',
  'role',
  'weight',
  'quota',
  'reservation',
  'volume',
  'dominant-share',
];

describe.skipIf(!haveChromium)('learner aids', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    served = await buildAndServe();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    problems = watchConsole(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  /** Glossary words in the text places that are not links to the glossary. */
  const unlinkedTerms = (target: Page) =>
    target.evaluate(
      ({ places, forms }) => {
        const pattern = new RegExp(`(?<![\\p{L}\\p{N}_-])(${forms.join('|')})(?![\\p{L}\\p{N}_-])`, 'iu');
        const out: string[] = [];
        for (const place of document.querySelectorAll(places.join(', '))) {
          const walker = document.createTreeWalker(place, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const match = pattern.exec(node.textContent ?? '');
            if (match && !node.parentElement?.closest('[data-term]'))
              out.push(`"${match[1]}" in: ${node.textContent?.trim().slice(0, 80)}`);
          }
        }
        return out;
      },
      { places: TEXT_PLACES, forms: GLOSSARY.flatMap((entry) => entry.forms).sort((a, b) => b.length - a.length) },
    );

  test('the glossary defines the eleven terms and opens from every place a term appears', async () => {
    await openPage(page, `${served.url}#scenario=weighted-roles&t=11000`);
    await waitForSimMs(page, 11_000);
    expect(await page.isVisible('[data-testid="welcome"]')).toBe(false); // a shared link is not a first visit
    expect(await unlinkedTerms(page)).toEqual([]);
    await page.click('[data-testid="tour-drf"]');
    await page.waitForSelector('[data-testid="tour"][data-busy="false"]');
    expect(await unlinkedTerms(page)).toEqual([]);
    // A term in the tour card opens the glossary at its entry, focused; Escape closes it and focus goes back.
    const term = page.locator('[data-testid="tour"] p [data-term]').first();
    const id = await term.getAttribute('data-term');
    await term.click();
    await page.waitForSelector(`[data-testid="glossary"][data-entry="${id}"]`);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-entry'))).toBe(id);
    for (const id of ISSUE_TERMS) expect(await page.locator(`[data-testid="glossary"] [data-entry="${id}"] dd`).textContent()).not.toBe('');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="glossary"]', { state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-term'))).toBe(id);
    // The tour is still open: the next Escape closes it.
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="tour"]', { state: 'detached' });
    // Each of the eleven terms is linked somewhere on the page, or in a tour.
    await page.click('[data-testid="open-glossary"]');
    await page.waitForSelector('[data-testid="glossary"]');
    const linked = await page.$$eval('[data-term]', (nodes) => [...new Set(nodes.map((node) => node.getAttribute('data-term')))]);
    for (const id of ISSUE_TERMS) expect(linked, id).toContain(id);
    await page.click('[data-testid="glossary-close"]');
    expect(problems).toEqual([]);
  });

  test('an offer row opens Explain for its framework and agent', async () => {
    await openPage(page, `${served.url}#scenario=weighted-roles&t=11000`);
    await waitForSimMs(page, 11_000);
    const row = page.locator('[data-testid="offer-list"] button').first();
    const frameworkId = await row.getAttribute('data-framework');
    const agentId = await row.getAttribute('data-agent');
    await row.click();
    await page.waitForSelector(`[data-testid="explain-answer"][data-framework="${frameworkId}"][data-agent="${agentId}"]`);
    expect(await page.inputValue('[data-testid="explain-framework"]')).toBe(frameworkId);
    expect(await page.inputValue('[data-testid="explain-agent"]')).toBe(agentId);
    // Scrolled into view, clear of the timeline.
    await page.waitForFunction(() => {
      const answer = document.querySelector('[data-testid="explain-answer"]')!.getBoundingClientRect();
      return answer.top >= 0 && answer.bottom <= document.querySelector('footer.timeline')!.getBoundingClientRect().top;
    });
    expect(await page.textContent('[data-testid="explain-answer"]')).toContain(agentId!);
    expect(problems).toEqual([]);
  });

  test('Compare shows its progress and can be cancelled on 10,000 agents', async () => {
    await openPage(page, `${served.url}?scenario=large-cluster`);
    await page.click('[data-testid="compare-run"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="compare-progress"]')?.getAttribute('data-progress')) > 0,
      undefined,
      {
        timeout: 240_000,
      },
    );
    const text = await page.textContent('[data-view="compare"] .go');
    expect(text).toMatch(/\d+% · [\d.]+ s of 600 s/);
    await page.click('[data-testid="compare-cancel"]');
    await page.waitForSelector('[data-testid="compare-run"]');
    expect(await page.isVisible('[data-testid="compare-result"]')).toBe(false);
    expect(await page.isVisible('[data-testid="compare-progress"]')).toBe(false);
    expect(problems).toEqual([]);
  });
});
