/**
 * Quota on top-level roles: a guarantee (the allocator sets resources aside for
 * it in stage 1 and keeps headroom for it) and a limit (never exceeded).
 * Consumed quota = every reservation in the role's subtree, allocated or not,
 * plus the unreserved resources allocated (offered or used) to the subtree.
 * Invariant: consumed never exceeds a limit through an allocation.
 */
import type { ResourceLayout, ResourceQuantities } from '../resources/layout.js';
import { addInto, SCALAR_EPSILON, subtractInto } from '../resources/vector.js';
import { topLevelRole } from './roleName.js';

export interface QuotaSpec {
  guarantee?: ResourceQuantities;
  limit?: ResourceQuantities;
}

interface RoleQuota {
  /** 0 where no guarantee is set. */
  guarantee: Float64Array;
  /** Infinity where no limit is set. */
  limit: Float64Array;
  hasGuarantee: boolean;
  hasLimit: boolean;
}

export class QuotaLedger {
  readonly #layout: ResourceLayout;
  readonly #quotas = new Map<string, RoleQuota>();
  readonly #consumed = new Map<string, Float64Array>();
  /** Changes whenever anything that shrinks an offer by quota or headroom may have changed. */
  epoch = 0;

  constructor(layout: ResourceLayout) {
    this.#layout = layout;
  }

  get active(): boolean {
    return this.#quotas.size > 0;
  }

  set(role: string, spec: QuotaSpec | undefined): void {
    if (role.includes('/')) throw new Error(`quota is only allowed on top-level roles, not "${role}"`);
    if (!spec || (!spec.guarantee && !spec.limit)) this.#quotas.delete(role);
    else {
      const guarantee = this.#layout.vector(spec.guarantee ?? {});
      const limit = new Float64Array(this.#layout.size).fill(Infinity);
      for (const [name, amount] of Object.entries(spec.limit ?? {})) limit[this.#layout.slotOf(name)] = amount;
      this.#quotas.set(role, {
        guarantee,
        limit,
        hasGuarantee: Object.values(spec.guarantee ?? {}).some((amount) => amount > 0),
        hasLimit: spec.limit !== undefined && Object.keys(spec.limit).length > 0,
      });
    }
    this.epoch++;
  }

  quotaOf(role: string): { guarantee: ResourceQuantities; limit: ResourceQuantities } | undefined {
    const quota = this.#quotas.get(topLevelRole(role));
    if (!quota) return undefined;
    const limit: ResourceQuantities = {};
    quota.limit.forEach((amount, slot) => {
      if (amount !== Infinity) limit[this.#layout.names[slot]] = amount;
    });
    return { guarantee: this.#layout.quantities(quota.guarantee), limit };
  }

  /** What the role consumes, without creating its entry (reads for explain must not change the ledger). */
  consumedOf(role: string): Float64Array | undefined {
    return this.#consumed.get(topLevelRole(role));
  }

  consumed(role: string): Float64Array {
    const top = topLevelRole(role);
    let consumed = this.#consumed.get(top);
    if (!consumed) {
      consumed = this.#layout.zero();
      this.#consumed.set(top, consumed);
    }
    return consumed;
  }

  /** Reservations and unreserved allocations both move consumed quota. */
  charge(role: string, scalars: Float64Array, sign: 1 | -1): void {
    const consumed = this.consumed(role);
    if (sign > 0) addInto(consumed, consumed, scalars);
    else subtractInto(consumed, consumed, scalars);
    if (this.#quotas.size > 0) this.epoch++;
  }

  hasLimit(role: string): boolean {
    return this.#quotas.get(topLevelRole(role))?.hasLimit ?? false;
  }

  /** Writes limit - consumed (Infinity where unlimited) into out. */
  limitRemainingInto(out: Float64Array, role: string): Float64Array {
    const quota = this.#quotas.get(topLevelRole(role));
    if (!quota) return out.fill(Infinity);
    const consumed = this.consumed(role);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, quota.limit[i] - consumed[i]);
    return out;
  }

  /** Writes max(0, guarantee - consumed) into out; true when any of it is unmet. */
  unmetGuaranteeInto(out: Float64Array, role: string): boolean {
    out.fill(0);
    const quota = this.#quotas.get(topLevelRole(role));
    if (!quota?.hasGuarantee) return false;
    const consumed = this.consumed(role);
    let unmet = false;
    for (let i = 0; i < out.length; i++) {
      const gap = quota.guarantee[i] - consumed[i];
      if (gap > SCALAR_EPSILON) {
        out[i] = gap;
        unmet = true;
      }
    }
    return unmet;
  }

  /** Slots in which the role has a guarantee at all. */
  guaranteedSlot(role: string, slot: number): boolean {
    const quota = this.#quotas.get(topLevelRole(role));
    return quota !== undefined && quota.guarantee[slot] > 0;
  }

  /** Σ over roles of their unmet guarantees: the headroom others must leave free. */
  requiredHeadroomInto(out: Float64Array, scratch: Float64Array): Float64Array {
    out.fill(0);
    for (const role of this.#quotas.keys()) if (this.unmetGuaranteeInto(scratch, role)) addInto(out, out, scratch);
    return out;
  }

  /** True when any role still waits for part of its guarantee. */
  anyUnmetGuarantee(scratch: Float64Array): boolean {
    for (const role of this.#quotas.keys()) if (this.unmetGuaranteeInto(scratch, role)) return true;
    return false;
  }

  roles(): string[] {
    return [...this.#quotas.keys()];
  }
}
