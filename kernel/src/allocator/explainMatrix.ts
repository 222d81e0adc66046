/**
 * The framework × agent matrix of one moment: for every pair, the outcome of
 * the latest allocation cycle that looked at the agent and every reason that
 * applies (explainReasons.ts), and per framework the agents counted by
 * outcome, so that a cluster of 10,000 agents reads as a few lines first.
 * The decision log is indexed by agent once, not searched per pair.
 */
import type { Master } from '../master/master.js';
import type { ExplainReason, ReasonCode } from './explainReasons.js';
import { reasonsFrom } from './explainReasons.js';

export interface MatrixCell {
  readonly frameworkId: string;
  readonly agentId: string;
  /** The first reason's code. */
  readonly outcome: ReasonCode;
  readonly reasons: readonly ExplainReason[];
}

export interface ExplainMatrix {
  readonly atMs: number;
  /** The latest recorded cycle, or null without a decision log or before the first cycle. */
  readonly cycle: number | null;
  readonly frameworks: readonly string[];
  readonly agents: readonly string[];
  /** Per framework: how many agents have each outcome. */
  readonly summary: Readonly<Record<string, Readonly<Partial<Record<ReasonCode, number>>>>>;
  readonly cells: readonly MatrixCell[];
}

export function explainMatrix(master: Master, frameworkIds?: readonly string[]): ExplainMatrix {
  const log = master.allocator.decisionLog;
  const byAgent = log?.byAgent() ?? new Map();
  const frameworks = frameworkIds ?? [...master.frameworks.keys()].sort();
  const agents = [...master.agents.keys()].sort();
  const summary: Record<string, Partial<Record<ReasonCode, number>>> = {};
  const cells: MatrixCell[] = [];
  for (const frameworkId of frameworks) {
    const counts: Partial<Record<ReasonCode, number>> = {};
    summary[frameworkId] = counts;
    for (const agentId of agents) {
      const cycle = byAgent.get(agentId);
      const reasons = reasonsFrom(master, frameworkId, agentId, cycle?.decisions ?? [], cycle);
      const outcome = reasons[0]?.code ?? 'NO_RECORD';
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      cells.push({ frameworkId, agentId, outcome, reasons });
    }
  }
  const latest = log?.cycles[log.cycles.length - 1];
  return { atMs: master.nowMs, cycle: latest?.cycle ?? null, frameworks, agents, summary, cells };
}
