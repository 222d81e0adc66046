/**
 * Why the allocator did what it did: per (agent, framework, role) it
 * considered, every reason that applied (not only the first), kept for recent
 * cycles so a host can ask "why did framework F get nothing from agent X at
 * time T?". Recording is compact and cheap: references and numbers pushed
 * into per-cycle columns; `AllocationDecision` objects are made only when
 * someone reads a cycle's `decisions`.
 */
import type { Client } from './client.js';

export type DecisionOutcome =
  /** The framework got an offer of this agent. */
  | 'offered'
  /** A decline filter still covers everything that would be offered. */
  | 'filtered'
  /** What is left is below the minimum allocatable resources. */
  | 'not_allocatable'
  /** The role's quota limit (or headroom kept for other roles' guarantees) leaves nothing. */
  | 'quota_limit'
  /** The agent has resources the framework cannot take (e.g. GPUs without GPU_RESOURCES). */
  | 'missing_capability'
  /** Nothing on the agent is allocatable to this role any more. */
  | 'no_resources';

/** Outcomes by bit: a decision's `reasons` is a mask of these, its `outcome` the first one set. */
export const DECISION_OUTCOMES: readonly DecisionOutcome[] = [
  'missing_capability',
  'not_allocatable',
  'filtered',
  'quota_limit',
  'no_resources',
  'offered',
];
export const REASON_MISSING_CAPABILITY = 1;
export const REASON_NOT_ALLOCATABLE = 2;
export const REASON_FILTERED = 4;
export const REASON_QUOTA_LIMIT = 8;
export const REASON_NO_RESOURCES = 16;
export const REASON_OFFERED = 32;

export interface AllocationDecision {
  readonly cycle: number;
  readonly atMs: number;
  readonly stage: 1 | 2;
  readonly agentId: string;
  readonly frameworkId: string;
  readonly role: string;
  /** The first reason, in the order the allocator checks them (capability, minimum, filter). */
  readonly outcome: DecisionOutcome;
  /** Every reason that applied, in that same order; `['offered']` for the framework that got the agent. */
  readonly reasons: readonly DecisionOutcome[];
  /** The framework's weighted DRF share within its role, and its role's, when considered. */
  readonly share: number;
  readonly roleShare: number;
  /** When a filter applied: when it expires. */
  readonly filteredUntilMs?: number;
}

/** One cycle's decisions, recorded as columns and turned into objects on first read. */
export class CycleDecisions {
  readonly #agentIds: string[] = [];
  readonly #clients: Client[] = [];
  readonly #numbers: number[] = [];
  #decisions: AllocationDecision[] | null = null;
  /** Made by `of`: the decisions are the objects given, not columns. */
  #made = false;

  constructor(
    readonly cycle: number,
    readonly atMs: number,
  ) {}

  /** A cycle's decisions already made into objects (e.g. one agent's, kept after the cycle left the log). */
  static of(cycle: number, atMs: number, decisions: AllocationDecision[]): CycleDecisions {
    const made = new CycleDecisions(cycle, atMs);
    made.#decisions = decisions;
    made.#made = true;
    return made;
  }

  get size(): number {
    return this.#made ? this.#decisions!.length : this.#agentIds.length;
  }

  /** Appends one decision; `reasons` is a mask of REASON_* bits. */
  record(stage: 1 | 2, agentId: string, client: Client, reasons: number, share: number, roleShare: number, filteredUntilMs: number): void {
    if (this.#made) throw new Error('CycleDecisions: a cycle made of decision objects takes no more');
    this.#agentIds.push(agentId);
    this.#clients.push(client);
    this.#numbers.push(stage, reasons, share, roleShare, filteredUntilMs);
    this.#decisions = null;
  }

  /** Whether any decision of this cycle is about the agent. */
  considered(agentId: string): boolean {
    if (this.#made) return this.#decisions!.some((decision) => decision.agentId === agentId);
    return this.#agentIds.includes(agentId);
  }

  get decisions(): AllocationDecision[] {
    if (this.#decisions) return this.#decisions;
    const out: AllocationDecision[] = [];
    for (let i = 0; i < this.#agentIds.length; i++) {
      const client = this.#clients[i];
      const at = i * 5;
      const mask = this.#numbers[at + 1];
      const reasons = DECISION_OUTCOMES.filter((_, bit) => (mask & (1 << bit)) !== 0);
      const filteredUntilMs = this.#numbers[at + 4];
      out.push({
        cycle: this.cycle,
        atMs: this.atMs,
        stage: this.#numbers[at] as 1 | 2,
        agentId: this.#agentIds[i],
        frameworkId: client.frameworkId,
        role: client.role.name,
        outcome: reasons[0],
        reasons,
        share: this.#numbers[at + 2],
        roleShare: this.#numbers[at + 3],
        ...((mask & REASON_FILTERED) !== 0 ? { filteredUntilMs } : {}),
      });
    }
    this.#decisions = out;
    return out;
  }
}

/** A bounded log of the decisions of the most recent cycles. */
export class DecisionLog {
  readonly #cycles: CycleDecisions[] = [];
  readonly #cyclesMax: number;
  /**
   * Per agent, its decisions in the latest cycle that looked at it. The fast
   * paths skip an agent while nothing about it changed, for longer than the
   * log keeps cycles: its last decisions still hold and must stay answerable.
   */
  readonly #latestByAgent = new Map<string, CycleDecisions>();

  constructor(cyclesMax: number) {
    if (!(cyclesMax >= 1)) throw new Error(`decision log must keep at least one cycle, got ${cyclesMax}`);
    this.#cyclesMax = cyclesMax;
  }

  begin(cycle: number, atMs: number): CycleDecisions {
    const previous = this.#cycles[this.#cycles.length - 1];
    if (previous) this.#index(previous);
    const entry = new CycleDecisions(cycle, atMs);
    this.#cycles.push(entry);
    if (this.#cycles.length > this.#cyclesMax) this.#cycles.shift();
    return entry;
  }

  get cycles(): readonly CycleDecisions[] {
    return this.#cycles;
  }

  /** The latest recorded cycle at or before `atMs` that looked at this agent (older ones: that agent's decisions only). */
  latestFor(agentId: string, atMs: number): CycleDecisions | undefined {
    for (let i = this.#cycles.length - 1; i >= 0; i--) {
      const cycle = this.#cycles[i];
      if (cycle.atMs <= atMs && cycle.considered(agentId)) return cycle;
    }
    const latest = this.#latestByAgent.get(agentId);
    return latest && latest.atMs <= atMs ? latest : undefined;
  }

  /** Every agent's latest recorded cycle, its decisions only: one pass over the log, for the matrix. */
  byAgent(): Map<string, CycleDecisions> {
    const out = new Map(this.#latestByAgent);
    for (const cycle of this.#cycles) {
      for (const [agentId, decisions] of groupByAgent(cycle.decisions))
        out.set(agentId, CycleDecisions.of(cycle.cycle, cycle.atMs, decisions));
    }
    return out;
  }

  /** An agent that left the cluster: its decisions are of no further use. */
  forgetAgent(agentId: string): void {
    this.#latestByAgent.delete(agentId);
  }

  #index(cycle: CycleDecisions): void {
    for (const [agentId, decisions] of groupByAgent(cycle.decisions))
      this.#latestByAgent.set(agentId, CycleDecisions.of(cycle.cycle, cycle.atMs, decisions));
  }
}

function groupByAgent(decisions: readonly AllocationDecision[]): Map<string, AllocationDecision[]> {
  const byAgent = new Map<string, AllocationDecision[]>();
  for (const decision of decisions) {
    let list = byAgent.get(decision.agentId);
    if (!list) byAgent.set(decision.agentId, (list = []));
    list.push(decision);
  }
  return byAgent;
}
