/**
 * What one role may be offered on one agent right now (Mesos's
 * `offerable` resources in `__allocate`): the agent's unreserved free scalars
 * shrunk to the role's quota limit and to the headroom other roles'
 * guarantees need, the role's (and its ancestors') reserved parts, and the
 * free ports. Scratch vectors are reused from walk to walk: nothing here
 * allocates per agent.
 */
import type { AgentTable } from '../agents/agentTable.js';
import { AGENT_HAS_FREE_RESERVED } from '../agents/agentTable.js';
import type { Ranges } from '../resources/ranges.js';
import { NO_RANGES } from '../resources/ranges.js';
import type { ReservedPart } from '../resources/resourceSet.js';
import { addInto, contains, isEmpty, minInto, SCALAR_EPSILON } from '../resources/vector.js';
import { isSelfOrAncestor } from '../roles/roleName.js';
import type { QuotaLedger } from '../roles/quota.js';
import type { CycleAgents } from './cycleAgents.js';
import type { RoleState } from './client.js';
import type { DecisionOutcome } from './decisions.js';

export class Offerable {
  /** Unreserved scalars that may be offered. */
  readonly scalars: Float64Array;
  /** `scalars` plus the reserved parts' scalars. */
  readonly total: Float64Array;
  /** The reserved parts that may be offered (a scratch list: copy it to keep it). */
  readonly reserved: ReservedPart[] = [];
  #table: AgentTable | null = null;
  #index = -1;
  /** Unmet guarantee of the role last asked about (stage 1). */
  readonly unmet: Float64Array;
  readonly #limit: Float64Array;
  readonly #required: Float64Array;
  readonly #scratch: Float64Array;

  constructor(size: number) {
    this.scalars = new Float64Array(size);
    this.total = new Float64Array(size);
    this.unmet = new Float64Array(size);
    this.#limit = new Float64Array(size);
    this.#required = new Float64Array(size);
    this.#scratch = new Float64Array(size);
  }

  /** The agent's free ports (all of them are offerable; read from the table, not copied per walk). */
  get ports(): Ranges {
    return this.#table === null ? NO_RANGES : this.#table.portsOf(this.#index);
  }

  /**
   * Fills this scratch for a role on the agent at `index`, reading its hot state from the
   * table (the Agent object only when it has free reserved parts). Null when something is
   * offerable, else why not.
   */
  compute(
    role: RoleState,
    index: number,
    agents: CycleAgents,
    stage: 1 | 2,
    quota: QuotaLedger,
    freeUnreserved: Float64Array,
  ): DecisionOutcome | null {
    const table: AgentTable = agents.table;
    const offer = this.scalars;
    const total = this.total;
    const buffer = table.hot;
    const size = offer.length;
    const at = index * table.stride;
    for (let slot = 0; slot < size; slot++) offer[slot] = buffer[at + slot];
    let quotaShrunk = false;
    if (quota.active) {
      if (quota.hasLimit(role.name)) minInto(offer, offer, quota.limitRemainingInto(this.#limit, role.name));
      quota.requiredHeadroomInto(this.#required, this.#scratch);
      const ownUnmet = quota.unmetGuaranteeInto(this.unmet, role.name);
      for (let slot = 0; slot < size; slot++) {
        const surplus = Math.max(0, freeUnreserved[slot] - this.#required[slot]);
        let cap: number;
        if (stage === 1) cap = quota.guaranteedSlot(role.name, slot) ? this.unmet[slot] : surplus;
        else cap = this.#required[slot] > 0 ? surplus + (ownUnmet ? this.unmet[slot] : 0) : Infinity;
        if (cap < offer[slot]) offer[slot] = cap;
      }
      for (let slot = 0; slot < size; slot++) if (offer[slot] + SCALAR_EPSILON < buffer[at + slot]) quotaShrunk = true;
    }
    if (this.reserved.length !== 0) this.reserved.length = 0;
    let empty = true;
    for (let slot = 0; slot < size; slot++) {
      total[slot] = offer[slot];
      if (offer[slot] > SCALAR_EPSILON) empty = false;
    }
    if ((table.flags[index] & AGENT_HAS_FREE_RESERVED) !== 0) {
      for (const part of agents.byIndex(index).freeReserved) {
        if (!isSelfOrAncestor(part.role, role.name) || isEmpty(part.scalars)) continue;
        this.reserved.push(part);
        addInto(total, total, part.scalars);
        empty = false;
      }
    }
    if (this.#table !== table) this.#table = table;
    this.#index = index;
    if (!empty) return null;
    return quotaShrunk ? 'quota_limit' : 'no_resources';
  }
}

/** Resources are allocatable when they contain any one of the minimum alternatives. */
export function isAllocatable(total: Float64Array, minimums: readonly Float64Array[]): boolean {
  if (isEmpty(total)) return false;
  if (minimums.length === 0) return true;
  for (const minimum of minimums) if (contains(total, minimum)) return true;
  return false;
}
