/**
 * Explain's answer in the playground's words: from the kernel's explanation
 * (the allocator's decision log), with times in seconds, cycles numbered as
 * the Offers view numbers them (through failovers), the agent's state now
 * first when it is not up, and how far back the log reaches when it has
 * nothing to say.
 */
import type { AllocationDecision, Explanation, Master } from '@allot/kernel';
import type { AgentDetail, ExplainResult } from './frame.js';
import { seconds, share } from '../lib/format.js';

export interface ExplainContext {
  master: Master;
  /** Cycles of the masters before this one: a run-wide cycle number is this plus the master's own. */
  cycleBase: number;
  agentStatus: AgentDetail['status'];
  intervalMs: number;
}

const AGENT_NOW: Record<AgentDetail['status'], string> = {
  up: '',
  down: 'is down now: its host crashed or the master gave up on it, so no cycle considers it',
  partitioned: 'is cut off from the master by a network partition: no cycle considers it until the partition heals',
  reregistering: 'has not re-registered with the new master yet (the master failed over): the allocator considers it again once it has',
};

export function explainAnswer(explanation: Explanation, context: ExplainContext): ExplainResult {
  const log = context.master.allocator.decisionLog;
  const kept = log?.cycles ?? [];
  const decisions = explanation.decision ?? explanation.considered[0];
  const cycle = decisions ? context.cycleBase + decisions.cycle : null;
  const atMs = decisions ? decisions.atMs : null;
  const parts: string[] = [];
  const agentNow = AGENT_NOW[context.agentStatus];
  if (agentNow) parts.push(`${explanation.agentId} ${agentNow}.`);
  const answer = answerText(explanation, context, kept.length, kept[0]?.atMs ?? null);
  const agoMs = atMs === null ? 0 : context.master.nowMs - atMs;
  const when =
    atMs === null
      ? ''
      : agoMs > 2 * context.intervalMs
        ? `In cycle ${cycle} at ${seconds(atMs)} (${seconds(agoMs)} ago, the latest that looked at ${explanation.agentId}), `
        : `In cycle ${cycle} at ${seconds(atMs)}, `;
  parts.push(when + answer);
  return {
    outcome: explanation.outcome,
    message: parts.join(' '),
    cycle,
    atMs,
    keptCycles: kept.length,
    keptSinceMs: kept[0]?.atMs ?? null,
    agentStatus: context.agentStatus,
    considered: explanation.considered.map((d) => ({ frameworkId: d.frameworkId, role: d.role, outcome: d.outcome, share: d.share })),
    reasons: explanation.reasons.map(({ code, message }) => ({ code, message })),
  };
}

function answerText(explanation: Explanation, context: ExplainContext, keptCycles: number, keptSinceMs: number | null): string {
  const { frameworkId, agentId } = explanation;
  const d = explanation.decision;
  switch (explanation.outcome) {
    case 'offered':
      return `${frameworkId} came first in DRF order on ${agentId} (its dominant share ${share(d!.share)}, role ${d!.role}'s ${share(d!.roleShare)}) and was offered what was left there.`;
    case 'filtered':
      return `${frameworkId} was skipped on ${agentId}: it declined these resources before, and its decline filter holds until ${seconds(d!.filteredUntilMs ?? 0)}.`;
    case 'not_allocatable':
      return `what was left on ${agentId} was below the minimum allocatable resources, so nobody was offered it.`;
    case 'quota_limit':
      return `role ${d!.role} is at its quota limit on ${agentId}, or what is left there is headroom kept for other roles' quota guarantees.`;
    case 'missing_capability':
      return `${agentId} has GPUs and ${frameworkId} did not declare the GPU_RESOURCES capability.`;
    case 'no_resources':
      return `nothing was left on ${agentId} that role ${d!.role} may use: frameworks earlier in DRF order took it (or it is reserved for another role).`;
    case 'not_reached':
      return notReached(explanation.considered, frameworkId, agentId);
    case 'suppressed':
      return `${frameworkId} has suppressed its offers: it told the master it wants none for now (SUPPRESS), so the allocator skips it on every agent until it revives (REVIVE).`;
    case 'disconnected':
      return `${frameworkId} is disconnected from the master: it gets no offers until it subscribes again.`;
    case 'no_record':
      return noRecord(agentId, keptCycles, keptSinceMs, context.cycleBase);
    default:
      return explanation.message;
  }
}

function notReached(considered: readonly AllocationDecision[], frameworkId: string, agentId: string): string {
  const winners = considered.filter((d) => d.outcome === 'offered');
  if (winners.length === 0) return `${frameworkId} was not considered on ${agentId}.`;
  const first = winners.map((d) => `${d.frameworkId} (dominant share ${share(d.share)})`).join(', ');
  return `${agentId} went to ${first}, ahead of ${frameworkId} in DRF order; ${frameworkId} was not reached.`;
}

function noRecord(agentId: string, keptCycles: number, keptSinceMs: number | null, cycleBase: number): string {
  if (keptCycles === 0 || keptSinceMs === null)
    return 'No allocation cycle has run since this master took over, so there is nothing to explain yet.';
  const since = cycleBase > 0 ? ' (this master took over after a failover, and its log starts with it)' : '';
  return `No cycle the allocator still remembers looked at ${agentId}: its decision log keeps the latest ${keptCycles} cycle${keptCycles === 1 ? '' : 's'}, back to ${seconds(keptSinceMs)}${since}.`;
}
