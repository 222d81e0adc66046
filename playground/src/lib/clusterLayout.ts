/**
 * Where each agent's cell goes on the cluster map: a few agents get large
 * labelled cards, thousands get small square cells packed row by row. Pure
 * maths, shared by drawing and by hit-testing the pointer.
 */
export interface ClusterLayout {
  mode: 'cards' | 'cells';
  columns: number;
  cellWidth: number;
  cellHeight: number;
  gap: number;
  width: number;
  height: number;
}

const CARD_AGENTS_MAX = 24;
const CARD_HEIGHT = 84;
const CELLS_HEIGHT_TARGET = 380;

export function clusterLayout(count: number, width: number): ClusterLayout {
  const usable = Math.max(120, Math.floor(width));
  if (count <= CARD_AGENTS_MAX) {
    const columns = Math.max(1, Math.min(count, count <= 4 ? count : Math.floor(usable / 190) || 1));
    const gap = 10;
    const cellWidth = Math.floor((usable - gap * (columns - 1)) / columns);
    const rows = Math.max(1, Math.ceil(count / columns));
    return {
      mode: 'cards',
      columns,
      cellWidth,
      cellHeight: CARD_HEIGHT,
      gap,
      width: usable,
      height: rows * CARD_HEIGHT + (rows - 1) * gap,
    };
  }
  const side = Math.max(3, Math.min(40, Math.floor(Math.sqrt((usable * CELLS_HEIGHT_TARGET) / count))));
  const gap = side >= 12 ? 3 : side >= 6 ? 1 : 0;
  const columns = Math.max(1, Math.floor((usable + gap) / (side + gap)));
  const rows = Math.ceil(count / columns);
  return { mode: 'cells', columns, cellWidth: side, cellHeight: side, gap, width: usable, height: rows * (side + gap) - gap };
}

export function cellOrigin(layout: ClusterLayout, index: number): { x: number; y: number } {
  const column = index % layout.columns;
  const row = Math.floor(index / layout.columns);
  return { x: column * (layout.cellWidth + layout.gap), y: row * (layout.cellHeight + layout.gap) };
}

/** The agent index under a point, or -1 for a gap or empty space. */
export function cellAt(layout: ClusterLayout, count: number, x: number, y: number): number {
  if (x < 0 || y < 0) return -1;
  const column = Math.floor(x / (layout.cellWidth + layout.gap));
  const row = Math.floor(y / (layout.cellHeight + layout.gap));
  if (column >= layout.columns) return -1;
  if (x - column * (layout.cellWidth + layout.gap) > layout.cellWidth) return -1;
  if (y - row * (layout.cellHeight + layout.gap) > layout.cellHeight) return -1;
  const index = row * layout.columns + column;
  return index < count ? index : -1;
}
