/**
 * "Why did framework F get nothing from agent X at time T?" Answered from the
 * allocator's decision log: the reason recorded for F on X in the latest cycle
 * at or before T, or, when F was never reached, who got the agent first.
 * Needs the master to keep decisions (`decisionCycles` > 0).
 */
import type { Master } from '../master/master.js';
import type { AllocationDecision, DecisionOutcome } from './decisions.js';
import type { ExplainReason } from './explainReasons.js';
import { reasonsFrom } from './explainReasons.js';

export interface Explanation {
  readonly frameworkId: string;
  readonly agentId: string;
  readonly atMs: number;
  readonly outcome: DecisionOutcome | 'not_reached' | 'suppressed' | 'disconnected' | 'no_record';
  readonly message: string;
  /** The decision recorded for this framework, when there is one. */
  readonly decision?: AllocationDecision;
  /** Who was considered on that agent in that cycle, in order. */
  readonly considered: readonly AllocationDecision[];
  /** Every reason that applied, the outcome first (explainReasons.ts). */
  readonly reasons: readonly ExplainReason[];
}

const MESSAGES: Record<DecisionOutcome, (d: AllocationDecision) => string> = {
  offered: (d) =>
    `offered: ${d.frameworkId} was first in DRF order (role ${d.role} share ${fmt(d.roleShare)}, framework share ${fmt(d.share)})`,
  filtered: (d) => `filtered: ${d.frameworkId} declined these resources and its filter holds until ${d.filteredUntilMs} ms`,
  not_allocatable: () => 'not allocatable: what was left is below the minimum allocatable resources',
  quota_limit: (d) => `quota: role ${d.role} is at its quota limit, or the rest is headroom kept for other roles' guarantees`,
  missing_capability: (d) => `capability: the agent has GPUs and ${d.frameworkId} did not declare GPU_RESOURCES`,
  no_resources: (d) => `no resources: nothing left on the agent that role ${d.role} may use`,
};

export function explainAllocation(master: Master, frameworkId: string, agentId: string, atMs: number = master.nowMs): Explanation {
  const cycle = master.allocator.decisionLog?.latestFor(agentId, atMs);
  const considered = cycle ? cycle.decisions.filter((d) => d.agentId === agentId) : [];
  return { ...firstReason(master, frameworkId, agentId, atMs), reasons: reasonsFrom(master, frameworkId, agentId, considered, cycle) };
}

function firstReason(master: Master, frameworkId: string, agentId: string, atMs: number): Omit<Explanation, 'reasons'> {
  const base = { frameworkId, agentId, atMs };
  const framework = master.frameworks.get(frameworkId);
  if (framework && !framework.connected)
    return { ...base, outcome: 'disconnected', message: `${frameworkId} is disconnected: it gets no offers`, considered: [] };
  if (framework && [...framework.clients.values()].every((client) => client.suppressed)) {
    return { ...base, outcome: 'suppressed', message: `${frameworkId} has suppressed offers in all its roles`, considered: [] };
  }
  const log = master.allocator.decisionLog;
  const cycle = log?.latestFor(agentId, atMs);
  if (!log || !cycle) {
    const why = log
      ? `no recorded cycle looked at ${agentId} at or before ${atMs} ms`
      : 'the master keeps no decision log (decisionCycles = 0)';
    return { ...base, outcome: 'no_record', message: why, considered: [] };
  }
  const considered = cycle.decisions.filter((d) => d.agentId === agentId);
  const mine = considered.filter((d) => d.frameworkId === frameworkId);
  const decision = mine.find((d) => d.outcome === 'offered') ?? mine[mine.length - 1];
  if (decision)
    return {
      ...base,
      outcome: decision.outcome,
      message: `cycle ${cycle.cycle} at ${cycle.atMs} ms: ${MESSAGES[decision.outcome](decision)}`,
      decision,
      considered,
    };
  const winners = considered.filter((d) => d.outcome === 'offered');
  const message = winners.length
    ? `cycle ${cycle.cycle} at ${cycle.atMs} ms: not reached; the agent went first to ${winners.map((d) => `${d.frameworkId} (role ${d.role}, share ${fmt(d.share)})`).join(', ')}, ahead in DRF order`
    : `cycle ${cycle.cycle} at ${cycle.atMs} ms: ${frameworkId} was not considered on this agent`;
  return { ...base, outcome: 'not_reached', message, considered };
}

function fmt(share: number): string {
  return share.toFixed(4);
}
