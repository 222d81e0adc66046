/**
 * Colours: the Okabe-Ito palette, which stays distinguishable under the
 * common colour-vision deficiencies. Every colour on screen also has a label
 * or a shape beside it; colour is never the only carrier of meaning.
 */
export const SERIES_COLOURS = ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#0072B2', '#D55E00', '#F0E442', '#BBBBBB'] as const;

/**
 * The cluster map's own colours. Free capacity is 3.2:1 against the panel
 * (#131a22), so free cells stand out from the background (the old #2b3542
 * was 1.4:1, below the 3:1 a graphic that carries meaning needs).
 */
export const MAP_COLOURS = {
  free: '#5b6b80',
  offered: '#dfe6ee',
  down: '#14181d',
  downMark: '#D55E00',
  partition: '#E69F00',
  reregistering: '#CC79A7',
} as const;

export function seriesColour(index: number): string {
  return SERIES_COLOURS[((index % SERIES_COLOURS.length) + SERIES_COLOURS.length) % SERIES_COLOURS.length];
}

/** Task states grouped by meaning: waiting (yellow), running (blue), done (green), failed (vermillion), killed (purple), lost (orange), unknown (grey). */
export const STATE_COLOURS: Record<string, string> = {
  TASK_STAGING: '#F0E442',
  TASK_STARTING: '#F0E442',
  TASK_RUNNING: '#56B4E9',
  TASK_KILLING: '#CC79A7',
  TASK_FINISHED: '#009E73',
  TASK_FAILED: '#D55E00',
  TASK_KILLED: '#CC79A7',
  TASK_ERROR: '#D55E00',
  TASK_LOST: '#E69F00',
  TASK_DROPPED: '#E69F00',
  TASK_UNREACHABLE: '#BBBBBB',
  TASK_GONE: '#E69F00',
  TASK_GONE_BY_OPERATOR: '#E69F00',
  TASK_UNKNOWN: '#BBBBBB',
};

export const OUTCOME_COLOURS: Record<string, string> = {
  accepted: '#009E73',
  declined: '#E69F00',
  rescinded: '#D55E00',
  outstanding: '#56B4E9',
};

export const OUTCOME_SYMBOLS: Record<string, string> = {
  accepted: '✓',
  declined: '✗',
  rescinded: '↺',
  outstanding: '…',
};
