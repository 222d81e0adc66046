/**
 * Every reason framework F gets (or does not get) agent X, as named codes
 * (like Nomad's feasibility reasons) with a sentence and the figures: what the
 * allocator's decision log recorded for F on X in the latest cycle that looked
 * at X, together with what holds now (framework disconnected or suppressed,
 * agent draining or disconnected, nothing free on the agent, the role at its
 * quota limit, GPUs without GPU_RESOURCES). The first reason is the outcome.
 */
import type { Agent } from '../agents/agent.js';
import type { ExplainSource } from './explainSource.js';
import type { FrameworkState } from '../master/frameworkState.js';
import { SCALAR_EPSILON } from '../resources/vector.js';
import type { AllocationDecision, DecisionOutcome } from './decisions.js';

export const REASON = {
  OFFERED: 'OFFERED',
  FILTERED: 'FILTERED',
  NOT_ALLOCATABLE: 'NOT_ALLOCATABLE',
  QUOTA_LIMIT: 'QUOTA_LIMIT',
  MISSING_CAPABILITY: 'MISSING_CAPABILITY',
  NO_RESOURCES: 'NO_RESOURCES',
  NOT_REACHED: 'NOT_REACHED',
  SUPPRESSED: 'SUPPRESSED',
  FRAMEWORK_DISCONNECTED: 'FRAMEWORK_DISCONNECTED',
  FRAMEWORK_UNKNOWN: 'FRAMEWORK_UNKNOWN',
  AGENT_UNKNOWN: 'AGENT_UNKNOWN',
  AGENT_DRAINING: 'AGENT_DRAINING',
  AGENT_DISCONNECTED: 'AGENT_DISCONNECTED',
  AGENT_FULLY_USED: 'AGENT_FULLY_USED',
  AGENT_IN_MAINTENANCE: 'AGENT_IN_MAINTENANCE',
  NO_RECORD: 'NO_RECORD',
} as const;

export type ReasonCode = (typeof REASON)[keyof typeof REASON];

/** Reasons that hold now and stop any offer of the agent to the framework, whatever the last cycle did. */
const BLOCKING: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  REASON.FRAMEWORK_UNKNOWN,
  REASON.AGENT_UNKNOWN,
  REASON.FRAMEWORK_DISCONNECTED,
  REASON.SUPPRESSED,
  REASON.AGENT_DRAINING,
  REASON.AGENT_DISCONNECTED,
]);

/** One resource of a quota limit: the role's limit and what it consumes now. */
export interface QuotaFigure {
  readonly resource: string;
  readonly limit: number;
  readonly consumed: number;
}

export interface ExplainReason {
  readonly code: ReasonCode;
  readonly message: string;
  /** From the decision log: the cycle and role it was recorded for. */
  readonly cycle?: number;
  readonly role?: string;
  readonly filteredUntilMs?: number;
  readonly quota?: readonly QuotaFigure[];
}

const FROM_OUTCOME: Record<DecisionOutcome, ReasonCode> = {
  offered: REASON.OFFERED,
  filtered: REASON.FILTERED,
  not_allocatable: REASON.NOT_ALLOCATABLE,
  quota_limit: REASON.QUOTA_LIMIT,
  missing_capability: REASON.MISSING_CAPABILITY,
  no_resources: REASON.NO_RESOURCES,
};

/** The reasons for F on X from the decisions of one cycle (those of other frameworks say who went first). */
export function reasonsFrom(
  master: ExplainSource,
  frameworkId: string,
  agentId: string,
  considered: readonly AllocationDecision[],
  cycle: { cycle: number; atMs: number } | undefined,
): ExplainReason[] {
  const framework = master.frameworks.get(frameworkId);
  const agent = master.agents.get(agentId);
  const now: ExplainReason[] = [];
  if (!framework) now.push({ code: REASON.FRAMEWORK_UNKNOWN, message: `no framework ${frameworkId} is registered` });
  if (!agent) now.push({ code: REASON.AGENT_UNKNOWN, message: `no agent ${agentId} is registered` });
  if (framework && agent) now.push(...standingReasons(master, framework, agent));
  const recorded: ExplainReason[] = [];
  const mine = considered.filter((d) => d.frameworkId === frameworkId);
  for (const decision of mine) recorded.push(decisionReason(master, decision, cycle!));
  if (cycle && mine.length === 0 && framework && agent) {
    const winners = considered.filter((d) => d.outcome === 'offered');
    if (winners.length)
      recorded.push({
        code: REASON.NOT_REACHED,
        cycle: cycle.cycle,
        message: `cycle ${cycle.cycle} at ${cycle.atMs} ms: the agent went first to ${winners
          .map((d) => `${d.frameworkId} (role ${d.role}, share ${d.share.toFixed(4)})`)
          .join(', ')}, ahead in DRF order`,
      });
  }
  if (!cycle && framework && agent && now.length === 0)
    now.push({
      code: REASON.NO_RECORD,
      message: master.allocator.decisionLog
        ? `no recorded allocation cycle looked at ${agentId} yet`
        : 'the master keeps no decision log (decisionCycles = 0)',
    });
  // What stops offers now comes first (a past offer does not outweigh a drain); then an offer in the log;
  // then the rest of what holds now and of what the log recorded, each code once (per role).
  const blocking = now.filter((r) => BLOCKING.has(r.code));
  const all = [
    ...blocking,
    ...recorded.filter((r) => r.code === REASON.OFFERED),
    ...now.filter((r) => !BLOCKING.has(r.code)),
    ...recorded.filter((r) => r.code !== REASON.OFFERED),
  ];
  const seen = new Set<string>();
  return all.filter((reason) => {
    const key = `${reason.code}/${reason.role ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What holds now, whatever the last cycle recorded. */
function standingReasons(master: ExplainSource, framework: FrameworkState, agent: Agent): ExplainReason[] {
  const reasons: ExplainReason[] = [];
  if (!framework.connected)
    reasons.push({ code: REASON.FRAMEWORK_DISCONNECTED, message: `${framework.id} is disconnected: it gets no offers` });
  const suppressed = [...framework.clients.values()].filter((client) => client.suppressed).map((client) => client.role.name);
  if (suppressed.length)
    reasons.push({ code: REASON.SUPPRESSED, message: `${framework.id} has suppressed offers in role(s) ${suppressed.join(', ')}` });
  if (agent.connection === 'draining')
    reasons.push({
      code: REASON.AGENT_DRAINING,
      message: `agent ${agent.id} is draining: its tasks are being killed and it is not offered`,
    });
  if (agent.connection === 'disconnected')
    reasons.push({ code: REASON.AGENT_DISCONNECTED, message: `agent ${agent.id} is disconnected: not offered until it re-registers` });
  const mode = master.maintenance.modeOf(agent);
  if (mode !== 'UP') {
    const window = master.maintenance.windowOf(agent);
    reasons.push({
      code: REASON.AGENT_IN_MAINTENANCE,
      message: `agent ${agent.id}'s machine ${agent.hostname} is ${mode} for maintenance${window ? ` (window from ${window.startMs} ms)` : ''}: its offers carry unavailability, and inverse offers ask for it back`,
    });
  }
  if (agent.connection === 'active' && !hasFree(agent))
    reasons.push({ code: REASON.AGENT_FULLY_USED, message: `agent ${agent.id} has nothing free: all of it is used by tasks or offered` });
  for (const client of framework.clients.values()) {
    const figures = quotaAtLimit(master, client.role.name);
    if (figures.length)
      reasons.push({
        code: REASON.QUOTA_LIMIT,
        role: client.role.name,
        quota: figures,
        message: `role ${client.role.name} is at its quota limit: ${figures.map((f) => `${f.resource} ${f.consumed} of ${f.limit}`).join(', ')}`,
      });
  }
  return reasons;
}

function decisionReason(master: ExplainSource, d: AllocationDecision, cycle: { cycle: number; atMs: number }): ExplainReason {
  const at = `cycle ${cycle.cycle} at ${cycle.atMs} ms`;
  const base = { code: FROM_OUTCOME[d.outcome], cycle: d.cycle, role: d.role };
  switch (d.outcome) {
    case 'offered':
      return {
        ...base,
        message: `${at}: offered to ${d.frameworkId}, first in DRF order (role ${d.role} share ${d.roleShare.toFixed(4)})`,
      };
    case 'filtered':
      return {
        ...base,
        filteredUntilMs: d.filteredUntilMs!,
        message: `${at}: ${d.frameworkId} declined these resources; its filter holds until ${d.filteredUntilMs} ms`,
      };
    case 'quota_limit': {
      const quota = quotaFigures(master, d.role);
      const figures = quota.map((f) => `${f.resource} ${f.consumed} of ${f.limit}`).join(', ');
      return {
        ...base,
        quota,
        message: `${at}: role ${d.role} is at its quota limit${figures ? ` (${figures})` : ''}, or the rest is headroom kept for other roles' guarantees`,
      };
    }
    case 'not_allocatable':
      return { ...base, message: `${at}: what was left is below the minimum allocatable resources` };
    case 'missing_capability':
      return { ...base, message: `${at}: the agent has GPUs and ${d.frameworkId} did not declare GPU_RESOURCES` };
    case 'no_resources':
      return { ...base, message: `${at}: nothing left on the agent that role ${d.role} may use` };
  }
}

function quotaFigures(master: ExplainSource, role: string): QuotaFigure[] {
  const quota = master.allocator.quota.quotaOf(role);
  if (!quota) return [];
  const consumed = master.allocator.quota.consumedOf(role);
  return Object.entries(quota.limit).map(([resource, limit]) => ({
    resource,
    limit,
    consumed: consumed ? Math.round(consumed[master.layout.slotOf(resource)] * 1000) / 1000 : 0,
  }));
}

function quotaAtLimit(master: ExplainSource, role: string): QuotaFigure[] {
  return quotaFigures(master, role).filter((figure) => figure.consumed >= figure.limit - SCALAR_EPSILON);
}

function hasFree(agent: Agent): boolean {
  if (agent.freeScalars.some((amount) => amount > SCALAR_EPSILON)) return true;
  return agent.freeReserved.some((part) => part.scalars.some((amount) => amount > SCALAR_EPSILON));
}
