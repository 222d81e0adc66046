/**
 * What DeclineOffers results are compared with (benchmarks/README.md, "Performance
 * targets"): Mesos's own benchmark compiled on a 2-core machine of this kind,
 * the published Mesos 1.8 figure, and allot's targets. An anchor belongs to
 * one grid point; it is attached only where the grid point is the same.
 */
import type { PointResult } from './declineOffersPoint.js';

/** Which of our summaries a figure is compared with. */
export type ComparedField = 'first10.medianMs' | 'later.meanMs' | 'all.meanMs' | 'offerRounds.medianMs' | 'noOfferRounds.medianMs';

interface AnchorFigure {
  what: string;
  /** A single figure, or the [low, high] range that was measured. */
  anchorMs: number | readonly [number, number];
  compareWith: ComparedField;
}

interface AnchorSpec {
  agents: number;
  frameworks: number;
  source: string;
  figures: readonly AnchorFigure[];
}

const MESOS_HERE =
  'Mesos HierarchicalAllocator_BENCHMARK_Test.DeclineOffers, compiled and run on a 2-core machine of this kind (benchmarks/README.md)';

const ANCHORS: readonly AnchorSpec[] = [
  {
    agents: 10000,
    frameworks: 1000,
    source: MESOS_HERE,
    figures: [
      { what: 'Mesos, first 10 rounds, median', anchorMs: [520, 550], compareWith: 'first10.medianMs' },
      // Mesos's rounds cost about the same whether or not they make offers; ours are bimodal
      // (offer rounds vs skipped rounds), so their median falls between the two phases and
      // jumps from run to run. The mean (total cycle time / rounds) is the fair comparison.
      { what: 'Mesos, later rounds', anchorMs: 750, compareWith: 'later.meanMs' },
      { what: 'Mesos 1.8, published, per round', anchorMs: 1100, compareWith: 'all.meanMs' },
    ],
  },
  {
    agents: 5000,
    frameworks: 500,
    source: MESOS_HERE,
    figures: [{ what: 'Mesos, per round', anchorMs: 210, compareWith: 'first10.medianMs' }],
  },
  {
    agents: 1000,
    frameworks: 200,
    source: MESOS_HERE,
    figures: [
      { what: 'Mesos, rounds that make offers', anchorMs: 26, compareWith: 'offerRounds.medianMs' },
      { what: 'Mesos, rounds where every offer is filtered', anchorMs: 1200, compareWith: 'noOfferRounds.medianMs' },
    ],
  },
];

export interface AnchorComparison {
  source: string;
  /** Set when the run is not the Mesos workload (fewer or more rounds than 2 x frameworks). */
  note?: string;
  /** `oursMs` and `speedup` are null when the run had no round of the compared kind. */
  figures: Array<{
    what: string;
    anchorMs: number | readonly [number, number];
    compareWith: ComparedField;
    oursMs: number | null;
    speedup: number | null;
  }>;
}

export interface TargetCheck {
  note?: string;
  first10MedianMsBelow: number;
  allMedianMsBelow: number;
  first10Met: boolean;
  allMet: boolean;
}

const TARGET = { agents: 10000, frameworks: 1000, first10MedianMsBelow: 5, allMedianMsBelow: 10 } as const;

/** The grid points that have an anchor, so that a full grid can include them. */
export function anchorPoints(): Array<{ agents: number; frameworks: number }> {
  return ANCHORS.map(({ agents, frameworks }) => ({ agents, frameworks }));
}

export function anchorFor(result: PointResult): AnchorComparison | null {
  const spec = ANCHORS.find((anchor) => anchor.agents === result.agents && anchor.frameworks === result.frameworks);
  if (!spec) return null;
  return {
    source: spec.source,
    ...roundsNote(result),
    figures: spec.figures.map((figure) => {
      const oursMs = field(result, figure.compareWith);
      return Number.isFinite(oursMs)
        ? { ...figure, oursMs, speedup: speedup(figure.anchorMs, oursMs) }
        : { ...figure, oursMs: null, speedup: null };
    }),
  };
}

export function targetFor(result: PointResult): TargetCheck | null {
  if (result.agents !== TARGET.agents || result.frameworks !== TARGET.frameworks) return null;
  return {
    ...roundsNote(result),
    first10MedianMsBelow: TARGET.first10MedianMsBelow,
    allMedianMsBelow: TARGET.allMedianMsBelow,
    first10Met: result.first10.medianMs < TARGET.first10MedianMsBelow,
    allMet: result.all.medianMs < TARGET.allMedianMsBelow,
  };
}

/** Readable lines comparing a result with its anchor and target. */
export function comparisonLines(result: PointResult, anchor: AnchorComparison | null, target: TargetCheck | null): string[] {
  const point = `${result.agents} x ${result.frameworks}${result.fastPaths ? '' : ' (reference path)'}`;
  const lines: string[] = [];
  const note = anchor?.note ?? target?.note;
  if (note !== undefined) lines.push(`${point}: ${note}`);
  for (const figure of anchor?.figures ?? []) {
    // A phase with no rounds (a truncated run) has nothing to compare.
    if (figure.oursMs === null) continue;
    const anchorText = typeof figure.anchorMs === 'number' ? `${figure.anchorMs} ms` : `${figure.anchorMs[0]}-${figure.anchorMs[1]} ms`;
    lines.push(`${point}: ${figure.what} ${anchorText}; allot ${figure.compareWith} ${figure.oursMs} ms (${figure.speedup}x faster)`);
  }
  if (target) {
    lines.push(
      `${point}: target first 10 rounds median < ${target.first10MedianMsBelow} ms: ${target.first10Met ? 'MET' : 'MISSED'} (${result.first10.medianMs} ms)`,
    );
    lines.push(
      `${point}: target all rounds median < ${target.allMedianMsBelow} ms: ${target.allMet ? 'MET' : 'MISSED'} (${result.all.medianMs} ms)`,
    );
  }
  return lines;
}

function roundsNote(result: PointResult): { note?: string } {
  if (result.rounds === 2 * result.frameworks) return {};
  return { note: `ran ${result.rounds} rounds, not 2 x ${result.frameworks}: not the Mesos workload, so not comparable` };
}

function field(result: PointResult, name: ComparedField): number {
  const [summary, statistic] = name.split('.') as [
    keyof Pick<PointResult, 'first10' | 'later' | 'all' | 'offerRounds' | 'noOfferRounds'>,
    'medianMs' | 'meanMs',
  ];
  return result[summary][statistic];
}

function speedup(anchorMs: number | readonly [number, number], oursMs: number): number {
  const reference = typeof anchorMs === 'number' ? anchorMs : (anchorMs[0] + anchorMs[1]) / 2;
  if (!(oursMs > 0)) return NaN;
  const value = reference / oursMs;
  return value >= 10 ? Math.round(value) : Math.round(value * 10) / 10;
}
