/**
 * The pure parts behind the learner's aids: where the tour card goes
 * (beside, below or above its target, never over it when they fit), and
 * the glossary's linking of running text (every form, whole words only,
 * the longest form first).
 */
import { describe, expect, test } from 'vitest';
import { placeCard } from '../../playground/src/lib/placeCard.js';
import { GLOSSARY, linkTerms } from '../../playground/src/lib/glossary.js';

const view = { width: 1440, height: 900, scrollY: 0, topInset: 0, bottomInset: 70, maxScrollY: 2000 };
const card = { width: 434, height: 260 };
const clear = (
  a: { left: number; top: number; width: number; height: number },
  b: { left: number; top: number; width: number; height: number },
) => a.left + a.width <= b.left || b.left + b.width <= a.left || a.top + a.height <= b.top || b.top + b.height <= a.top;

describe('placeCard', () => {
  test('a panel in the left column: the card goes to its right, at its height', () => {
    const target = { left: 16, top: 400, width: 698, height: 360 };
    const placed = placeCard(target, card, view);
    expect(placed.side).toBe('right');
    expect(placed.left).toBeGreaterThanOrEqual(target.left + target.width);
    expect(placed.scrollY).toBe(0);
  });

  test('a panel below the fold is scrolled to, and the card stays clear of it', () => {
    const target = { left: 726, top: 1500, width: 698, height: 300 };
    const placed = placeCard(target, card, view);
    expect(placed.side).toBe('left');
    expect(target.top - placed.scrollY).toBeGreaterThanOrEqual(0);
    expect(target.top + target.height - placed.scrollY).toBeLessThanOrEqual(view.height - view.bottomInset);
  });

  test('a panel as wide as the page: the card goes below it, both in view', () => {
    const target = { left: 16, top: 200, width: 1408, height: 330 };
    const placed = placeCard(target, card, view);
    expect(placed.side).toBe('below');
    expect(clear({ ...target, top: target.top - placed.scrollY }, { left: placed.left, top: placed.top, ...card })).toBe(true);
    expect(placed.top + card.height).toBeLessThanOrEqual(view.height - view.bottomInset);
  });

  test('the fixed timeline: the card goes above it, without scrolling', () => {
    const placed = placeCard({ left: 0, top: 835 + 500, width: 1440, height: 65 }, card, { ...view, scrollY: 500 }, true);
    expect(placed).toMatchObject({ side: 'above', scrollY: 500 });
    expect(placed.top + card.height).toBeLessThanOrEqual(835);
  });
});

describe('linkTerms', () => {
  test('links every form of every term, whole words only, longest form first', () => {
    const parts = linkTerms('DRF offers to the lowest dominant share; offered, declined, a decline filter, roles, drf-paper, reoffer');
    expect(parts.filter((part) => part.term).map((part) => `${part.text}:${part.term}`)).toEqual([
      'DRF:drf',
      'offers:offer',
      'dominant share:dominant-share',
      'offered:offer',
      'declined:decline',
      'decline filter:filter',
      'roles:role',
    ]);
    expect(parts.map((part) => part.text).join('')).toBe(
      'DRF offers to the lowest dominant share; offered, declined, a decline filter, roles, drf-paper, reoffer',
    );
  });

  test('every entry has a definition and its own term among its forms', () => {
    for (const entry of GLOSSARY) {
      expect(entry.definition.length, entry.id).toBeGreaterThan(40);
      expect(
        entry.forms.map((form) => form.toLowerCase()),
        entry.id,
      ).toContain(entry.term.toLowerCase());
    }
  });
});
