/**
 * Where the tour card goes so that it never covers what it talks about:
 * beside its target when both fit side by side, else below or above it, and
 * how far to scroll first so that the target (and the card) are in view.
 * Pure geometry in page coordinates, shared by the card and its tests.
 */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Viewport {
  width: number;
  height: number;
  /** Page scroll now. */
  scrollY: number;
  /** Fixed bars over the page: the card and the target must stay clear of them. */
  topInset: number;
  bottomInset: number;
  /** The furthest the page can scroll. */
  maxScrollY: number;
}

export interface Placement {
  /** Where to scroll the page to first. */
  scrollY: number;
  /** The card's position in the viewport (it is fixed), after that scroll. */
  left: number;
  top: number;
  side: 'right' | 'left' | 'below' | 'above' | 'over';
}

const GAP = 14;

/**
 * `target` is in page coordinates (its viewport box plus the scroll), `card`
 * only gives a size. A fixed target (the timeline at the bottom) does not
 * move with the page: the card goes above it, in viewport coordinates.
 */
export function placeCard(target: Box, card: { width: number; height: number }, view: Viewport, fixed = false): Placement {
  if (fixed) {
    const top = target.top - view.scrollY;
    const left = Math.max(GAP, view.width - card.width - GAP);
    return { scrollY: view.scrollY, left, top: Math.max(GAP, top - GAP - card.height), side: 'above' };
  }
  const usableTop = view.topInset + GAP;
  const usableBottom = view.height - view.bottomInset - GAP;
  const usable = usableBottom - usableTop;
  const clampScroll = (y: number) => Math.max(0, Math.min(view.maxScrollY, y));
  /** Scrolls as little as needed to bring [top, top + height] (page coordinates) into the usable band. */
  const scrollFor = (top: number, height: number): number => {
    if (height > usable) return clampScroll(top - usableTop);
    if (top - view.scrollY < usableTop) return clampScroll(top - usableTop);
    if (top + height - view.scrollY > usableBottom) return clampScroll(top + height - usableBottom);
    return view.scrollY;
  };
  const clampTop = (top: number) => Math.max(usableTop, Math.min(usableBottom - card.height, top));
  const rightRoom = view.width - (target.left + target.width) - 2 * GAP;
  const leftRoom = target.left - 2 * GAP;
  if (card.height <= usable && (rightRoom >= card.width || leftRoom >= card.width)) {
    const scrollY = scrollFor(target.top, Math.min(target.height, usable));
    const left = rightRoom >= card.width ? target.left + target.width + GAP : target.left - GAP - card.width;
    return { scrollY, left, top: clampTop(target.top - scrollY), side: rightRoom >= card.width ? 'right' : 'left' };
  }
  const left = Math.max(GAP, Math.min(view.width - card.width - GAP, target.left + target.width - card.width));
  if (target.height + GAP + card.height <= usable) {
    // Below the target when the page can scroll that far, else above it.
    const below = scrollFor(target.top, target.height + GAP + card.height);
    if (target.top + target.height + GAP + card.height - below <= usableBottom)
      return { scrollY: below, left, top: target.top + target.height + GAP - below, side: 'below' };
    const above = scrollFor(target.top - GAP - card.height, target.height + GAP + card.height);
    return { scrollY: above, left, top: target.top - GAP - card.height - above, side: 'above' };
  }
  // Too big to keep clear of: show its top, the card in the bottom corner.
  const scrollY = clampScroll(target.top - usableTop);
  return { scrollY, left: view.width - card.width - GAP, top: usableBottom - card.height, side: 'over' };
}
