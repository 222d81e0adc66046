/**
 * The DRF-order law, checked on the allocator's recorded decisions (it needs
 * `decisionCycles` > 0; without a log there is nothing to check). Within one
 * cycle, stage and agent, clients were considered in sorted order: roles by
 * weighted share, then frameworks in a role by share (ties by count and name,
 * which the log does not carry, so ties pass), and the offer went to the first
 * client that had no recorded reason to be skipped. Top-level roles with child
 * roles are ordered by subtree share, which only checkDrfShares recomputes.
 */
import type { AllocationDecision } from '../allocator/decisions.js';
import type { Master } from '../master/master.js';
import type { Violation } from './invariants.js';

const SHARE_EPSILON = 1e-9;

export function checkDrfOrder(master: Master): Violation[] {
  const log = master.allocator.decisionLog;
  if (
    !log ||
    log.cycles.length === 0 ||
    master.allocator.options.roleSorter !== 'drf' ||
    master.allocator.options.frameworkSorter !== 'drf'
  )
    return [];
  const latest = log.cycles[log.cycles.length - 1];
  const walks = new Map<string, AllocationDecision[]>();
  for (const decision of latest.decisions) {
    const key = `${decision.stage}:${decision.agentId}`;
    const walk = walks.get(key);
    if (walk) walk.push(decision);
    else walks.set(key, [decision]);
  }
  // A role with child roles is placed by its subtree's share, which the log does not carry.
  const roles = [...master.allocator.roles.keys()];
  const hasChildren = (role: string): boolean => roles.some((other) => other.startsWith(`${role}/`));
  const violations: Violation[] = [];
  for (const walk of walks.values()) violations.push(...checkWalk(walk, hasChildren));
  return violations;
}

function checkWalk(walk: AllocationDecision[], hasChildren: (role: string) => boolean): Violation[] {
  const violations: Violation[] = [];
  // Roles appear in runs; a role's share is read before any offer on this agent changed it.
  const roleRuns: AllocationDecision[] = [];
  for (let i = 0; i < walk.length; i++) {
    const decision = walk[i];
    const previous = walk[i - 1];
    if (!previous || previous.role !== decision.role) roleRuns.push(decision);
    else if (decision.share + SHARE_EPSILON < previous.share) {
      violations.push({
        invariant: 'drf-order',
        message: `cycle ${decision.cycle}, agent ${decision.agentId}: framework ${decision.frameworkId} (share ${decision.share}) was considered after ${previous.frameworkId} (share ${previous.share}) in role ${decision.role}`,
      });
    }
    if (previous && previous.role === decision.role && previous.outcome === 'offered') {
      violations.push({
        invariant: 'drf-order',
        message: `cycle ${decision.cycle}, agent ${decision.agentId}: role ${decision.role} was offered to ${previous.frameworkId} and then considered for ${decision.frameworkId}`,
      });
    }
  }
  for (let i = 1; i < roleRuns.length; i++) {
    const [before, after] = [roleRuns[i - 1], roleRuns[i]];
    const comparable = !before.role.includes('/') && !after.role.includes('/') && !hasChildren(before.role) && !hasChildren(after.role);
    if (comparable && after.roleShare + SHARE_EPSILON < before.roleShare) {
      violations.push({
        invariant: 'drf-order',
        message: `cycle ${after.cycle}, agent ${after.agentId}: role ${after.role} (share ${after.roleShare}) was considered after role ${before.role} (share ${before.roleShare})`,
      });
    }
  }
  return violations;
}
