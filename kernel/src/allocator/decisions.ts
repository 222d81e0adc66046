/**
 * Why the allocator did what it did: one reason per (agent, framework, role)
 * it considered, kept for recent cycles so a host can ask "why did framework F
 * get nothing from agent X at time T?". Recording is optional: it costs a
 * record per client visited, which large benchmarks cannot afford.
 */

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

export interface AllocationDecision {
  readonly cycle: number;
  readonly atMs: number;
  readonly stage: 1 | 2;
  readonly agentId: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly outcome: DecisionOutcome;
  /** The framework's weighted DRF share within its role, and its role's, when considered. */
  readonly share: number;
  readonly roleShare: number;
  /** For 'filtered': when the filter expires. */
  readonly filteredUntilMs?: number;
}

export interface CycleDecisions {
  readonly cycle: number;
  readonly atMs: number;
  readonly decisions: AllocationDecision[];
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
    const entry: CycleDecisions = { cycle, atMs, decisions: [] };
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
      if (cycle.atMs <= atMs && cycle.decisions.some((d) => d.agentId === agentId)) return cycle;
    }
    const latest = this.#latestByAgent.get(agentId);
    return latest && latest.atMs <= atMs ? latest : undefined;
  }

  /** Every agent's latest recorded cycle, its decisions only: one pass over the log, for the matrix. */
  byAgent(): Map<string, CycleDecisions> {
    const out = new Map(this.#latestByAgent);
    for (const cycle of this.#cycles) {
      for (const [agentId, decisions] of groupByAgent(cycle.decisions))
        out.set(agentId, { cycle: cycle.cycle, atMs: cycle.atMs, decisions });
    }
    return out;
  }

  /** An agent that left the cluster: its decisions are of no further use. */
  forgetAgent(agentId: string): void {
    this.#latestByAgent.delete(agentId);
  }

  #index(cycle: CycleDecisions): void {
    for (const [agentId, decisions] of groupByAgent(cycle.decisions))
      this.#latestByAgent.set(agentId, { cycle: cycle.cycle, atMs: cycle.atMs, decisions });
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
