/**
 * The DRF-order law, checked independently of the sorters: after a step that
 * ran an allocation cycle, rebuild every client's allocation from outstanding
 * offers and live tasks, take back the offers the cycle made, and replay the
 * cycle's decision log agent by agent. Per agent walk, roles must come in the
 * pre-order of the role tree with siblings sorted by weighted share, each role
 * once; within a role, frameworks by share; the offer goes to the last one
 * considered; nobody eligible with a lower share is passed over; in stage 2
 * every role with an eligible framework is considered; and the shares the
 * allocator recorded equal the recomputed ones. Ties pass (their keys, count
 * and name, are not in the log). Needs `decisionCycles` >= 1 and DRF sorters.
 */
import type { AllocationDecision } from '../allocator/decisions.js';
import type { KernelEvent } from '../master/events.js';
import type { Master } from '../master/master.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { allScalarsInto } from '../resources/resourceSet.js';
import { dominantShare } from '../resources/vector.js';
import { isSelfOrAncestor } from '../roles/roleName.js';
import { releasesResources } from '../tasks/taskState.js';
import type { Violation } from './invariants.js';

const SHARE_EPSILON = 1e-7;

export function checkDrfShares(master: Master, stepEvents: readonly KernelEvent[]): Violation[] {
  const completed = stepEvents.find((event) => event.type === 'allocation.completed');
  const allocator = master.allocator;
  if (!completed || allocator.options.roleSorter !== 'drf' || allocator.options.frameworkSorter !== 'drf' || !allocator.decisionLog)
    return [];
  const latest = allocator.decisionLog.cycles[allocator.decisionLog.cycles.length - 1];
  if (!latest || latest.cycle !== completed.cycle) return [drf(`the decision log does not hold cycle ${completed.cycle}`)];
  const made = stepEvents.flatMap((event) => (event.type === 'offer.made' ? [event.offer] : []));
  const ledger = new ShareLedger(master);
  for (const offer of made) ledger.add(offer.frameworkId, offer.role, offer.resources, -1);
  const violations: Violation[] = [];
  let next = 0;
  for (const walk of walksOf(latest.decisions)) {
    violations.push(...checkWalk(walk, ledger, master));
    const granted: Offer[] = [];
    for (const decision of walk) {
      if (decision.outcome !== 'offered') continue;
      const offer = made[next++];
      if (!offer || offer.frameworkId !== decision.frameworkId || offer.role !== decision.role || offer.agentId !== decision.agentId) {
        violations.push(
          drf(
            `cycle ${decision.cycle}: decision "offered" to ${decision.frameworkId}/${decision.role} on ${decision.agentId} has no matching offer (got ${offer ? `${offer.frameworkId}/${offer.role} on ${offer.agentId}` : 'none'})`,
          ),
        );
        return violations;
      }
      granted.push(offer);
    }
    // The allocator re-sorts after each agent, so the next walk sees these offers.
    for (const offer of granted) ledger.add(offer.frameworkId, offer.role, offer.resources, 1);
  }
  if (next !== made.length)
    violations.push(drf(`cycle ${completed.cycle} made ${made.length} offers but recorded ${next} "offered" decisions`));
  return violations;
}

function drf(message: string): Violation {
  return { invariant: 'drf-order', message };
}

/** Consecutive decisions of one stage on one agent. */
function walksOf(decisions: readonly AllocationDecision[]): AllocationDecision[][] {
  const walks: AllocationDecision[][] = [];
  for (const decision of decisions) {
    const walk = walks[walks.length - 1];
    if (walk && walk[0].stage === decision.stage && walk[0].agentId === decision.agentId) walk.push(decision);
    else walks.push([decision]);
  }
  return walks;
}

function checkWalk(walk: readonly AllocationDecision[], ledger: ShareLedger, master: Master): Violation[] {
  const violations: Violation[] = [];
  const where = `cycle ${walk[0].cycle} stage ${walk[0].stage} agent ${walk[0].agentId}`;
  const runs: AllocationDecision[][] = [];
  for (const decision of walk) {
    const run = runs[runs.length - 1];
    if (run && run[0].role === decision.role) run.push(decision);
    else runs.push([decision]);
  }
  const seen = new Set<string>();
  for (const run of runs) {
    if (seen.has(run[0].role)) violations.push(drf(`${where}: role ${run[0].role} was considered twice`));
    seen.add(run[0].role);
    violations.push(...checkRun(run, ledger, master, where));
  }
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const [before, after] = ledger.divergence(runs[i][0].role, runs[j][0].role);
      if (before.share > after.share + SHARE_EPSILON) {
        violations.push(
          drf(
            `${where}: role ${runs[i][0].role} came before ${runs[j][0].role}, but ${before.path} has share ${before.share} > ${after.path} share ${after.share}`,
          ),
        );
      }
    }
  }
  if (walk[0].stage === 2) {
    for (const role of ledger.rolesWithEligibleClients(master)) {
      if (!seen.has(role)) violations.push(drf(`${where}: role ${role} has an eligible framework but was not considered`));
    }
  }
  return violations;
}

function checkRun(run: readonly AllocationDecision[], ledger: ShareLedger, master: Master, where: string): Violation[] {
  const violations: Violation[] = [];
  const role = run[0].role;
  const roleShare = ledger.ownRoleShare(role);
  let previous = -Infinity;
  run.forEach((decision, i) => {
    const share = ledger.frameworkShare(decision.frameworkId, role);
    if (Math.abs(decision.share - share) > SHARE_EPSILON)
      violations.push(drf(`${where}: recorded share ${decision.share} of ${decision.frameworkId} in ${role}, recomputed ${share}`));
    if (Math.abs(decision.roleShare - roleShare) > SHARE_EPSILON)
      violations.push(drf(`${where}: recorded share ${decision.roleShare} of role ${role}, recomputed ${roleShare}`));
    if (share + SHARE_EPSILON < previous)
      violations.push(
        drf(`${where}: ${decision.frameworkId} (share ${share}) was considered after a framework with share ${previous} in ${role}`),
      );
    if (decision.outcome === 'offered' && i !== run.length - 1)
      violations.push(
        drf(`${where}: role ${role} was offered to ${decision.frameworkId} and then considered for ${run[i + 1].frameworkId}`),
      );
    if (!isEligible(master, decision.frameworkId, role))
      violations.push(drf(`${where}: ${decision.frameworkId} in ${role} is not eligible (suppressed or disconnected) but was considered`));
    previous = Math.max(previous, share);
  });
  const last = run[run.length - 1];
  const considered = new Set(run.map((decision) => decision.frameworkId));
  const bound = last.outcome === 'offered' ? ledger.frameworkShare(last.frameworkId, role) : Infinity;
  for (const frameworkId of ledger.eligibleFrameworks(master, role)) {
    if (considered.has(frameworkId)) continue;
    const share = ledger.frameworkShare(frameworkId, role);
    if (share + SHARE_EPSILON < bound)
      violations.push(
        drf(
          `${where}: eligible ${frameworkId} (share ${share}) in ${role} was passed over${bound < Infinity ? ` for ${last.frameworkId} (share ${bound})` : ''}`,
        ),
      );
  }
  return violations;
}

function isEligible(master: Master, frameworkId: string, role: string): boolean {
  const framework = master.frameworks.get(frameworkId);
  const client = framework?.clients.get(role);
  return framework !== undefined && client !== undefined && framework.connected && !client.suppressed;
}

/** Allocations rebuilt from offers and live tasks; shares computed from them, not read from sorters. */
class ShareLedger {
  readonly #total: Float64Array;
  readonly #excluded: Uint8Array;
  readonly #weight: (path: string) => number;
  readonly #clients = new Map<string, Float64Array>();
  readonly #roles = new Map<string, Float64Array>();
  readonly #scratch: Float64Array;
  readonly #size: number;

  constructor(master: Master) {
    const layout = master.layout;
    this.#size = layout.size;
    this.#scratch = layout.zero();
    this.#total = layout.zero();
    for (const agent of master.agents.values()) addTo(this.#total, allScalarsInto(this.#scratch, agent.total), 1);
    this.#excluded = new Uint8Array(layout.size);
    for (const name of master.allocator.options.fairSharingExcludedResourceNames)
      if (layout.has(name)) this.#excluded[layout.slotOf(name)] = 1;
    this.#weight = (path) => master.allocator.weight(path);
    for (const offer of master.offers.all()) this.add(offer.frameworkId, offer.role, offer.resources, 1);
    for (const framework of master.frameworks.values()) {
      for (const task of framework.tasks.values()) if (!releasesResources(task.state)) this.add(framework.id, task.role, task.resources, 1);
    }
  }

  add(frameworkId: string, role: string, resources: ResourceSet, sign: 1 | -1): void {
    const scalars = allScalarsInto(this.#scratch, resources);
    addTo(this.#vector(this.#clients, `${frameworkId}\u0000${role}`), scalars, sign);
    addTo(this.#vector(this.#roles, role), scalars, sign);
  }

  frameworkShare(frameworkId: string, role: string): number {
    return this.#share(this.#clients.get(`${frameworkId}\u0000${role}`), 1);
  }

  /** The share of the role's own clients (its leaf, or its virtual leaf "role/." when it has child roles). */
  ownRoleShare(role: string): number {
    return this.#share(this.#roles.get(role), this.#weight(role));
  }

  subtreeShare(path: string): number {
    const sum = new Float64Array(this.#size);
    for (const [role, vector] of this.#roles) if (isSelfOrAncestor(path, role)) addTo(sum, vector, 1);
    return this.#share(sum, this.#weight(path));
  }

  /** The two sibling nodes where the tree paths to `first` and `second` part, with their shares. */
  divergence(first: string, second: string): [{ path: string; share: number }, { path: string; share: number }] {
    const a = first.split('/');
    const b = second.split('/');
    let common = 0;
    while (common < a.length && common < b.length && a[common] === b[common]) common++;
    const side = (parts: string[], role: string): { path: string; share: number } => {
      if (parts.length === common) return { path: `${role}/.`, share: this.ownRoleShare(role) };
      const path = parts.slice(0, common + 1).join('/');
      return { path, share: this.subtreeShare(path) };
    };
    return [side(a, first), side(b, second)];
  }

  eligibleFrameworks(master: Master, role: string): string[] {
    const ids: string[] = [];
    for (const framework of master.frameworks.values()) if (isEligible(master, framework.id, role)) ids.push(framework.id);
    return ids;
  }

  rolesWithEligibleClients(master: Master): string[] {
    const roles = new Set<string>();
    for (const framework of master.frameworks.values())
      for (const role of framework.clients.keys()) if (isEligible(master, framework.id, role)) roles.add(role);
    return [...roles];
  }

  #vector(map: Map<string, Float64Array>, key: string): Float64Array {
    let vector = map.get(key);
    if (!vector) map.set(key, (vector = new Float64Array(this.#size)));
    return vector;
  }

  #share(allocation: Float64Array | undefined, weight: number): number {
    return allocation ? dominantShare(allocation, this.#total, this.#excluded, weight) : 0;
  }
}

function addTo(out: Float64Array, values: Float64Array, sign: 1 | -1): void {
  for (let i = 0; i < out.length; i++) out[i] += sign * values[i];
}
