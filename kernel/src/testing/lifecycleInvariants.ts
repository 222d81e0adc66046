/**
 * Invariants of the task lifecycle, reservations and frameworks, cheap enough
 * to run after every step:
 * - task-history: every task's history is a path in the transition table;
 * - volumes: every live task's volume exists on its agent (no volume was
 *   destroyed, or reservation released, under a running task);
 * - teardown: no outstanding offer or live task belongs to a framework the
 *   master no longer knows (a torn-down framework holds nothing);
 * - live-tasks: live tasks are on registered agents, or UNREACHABLE.
 */
import type { Master } from '../master/master.js';
import { canTransition, isTerminal, releasesResources } from '../tasks/taskState.js';
import type { Violation } from './invariants.js';

export function checkLifecycleInvariants(master: Master): Violation[] {
  return [...checkTaskHistories(master), ...checkVolumes(master), ...checkNoOrphans(master)];
}

export function checkTaskHistories(master: Master): Violation[] {
  const violations: Violation[] = [];
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) {
      for (let i = 1; i < task.history.length; i++) {
        const from = task.history[i - 1].state;
        const to = task.history[i].state;
        if (!canTransition(from, to)) {
          violations.push({
            invariant: 'task-history',
            message: `task ${framework.id}/${task.id} moved ${from} -> ${to}, which the transition table does not allow`,
          });
        }
      }
      const last = task.history[task.history.length - 1];
      if (last && last.state !== task.state)
        violations.push({
          invariant: 'task-history',
          message: `task ${framework.id}/${task.id} is ${task.state} but its history ends in ${last.state}`,
        });
    }
  }
  return violations;
}

export function checkVolumes(master: Master): Violation[] {
  const violations: Violation[] = [];
  for (const [agentId, tasks] of master.tasksByAgent) {
    const agent = master.agents.get(agentId);
    for (const task of tasks) {
      if (releasesResources(task.state)) continue;
      if (!agent) {
        violations.push({
          invariant: 'live-tasks',
          message: `task ${task.frameworkId}/${task.id} is ${task.state} on ${agentId}, which is not registered`,
        });
        continue;
      }
      for (const part of task.resources.reserved) {
        if (!agent.total.reserved.some((owned) => owned.key === part.key)) {
          const what = part.volume ? `volume ${part.volume.persistenceId}` : `reservation for ${part.role}`;
          violations.push({
            invariant: 'volumes',
            message: `task ${task.frameworkId}/${task.id} uses ${what}, which agent ${agentId} no longer has`,
          });
        }
      }
    }
  }
  return violations;
}

export function checkNoOrphans(master: Master): Violation[] {
  const violations: Violation[] = [];
  for (const offer of master.offers.all()) {
    if (!master.frameworks.has(offer.frameworkId))
      violations.push({ invariant: 'teardown', message: `offer ${offer.id} is held for removed framework ${offer.frameworkId}` });
  }
  for (const tasks of master.tasksByAgent.values()) {
    for (const task of tasks) {
      if (!master.frameworks.has(task.frameworkId))
        violations.push({
          invariant: 'teardown',
          message: `task ${task.id} of removed framework ${task.frameworkId} is still ${task.state}`,
        });
      if (isTerminal(task.state))
        violations.push({ invariant: 'live-tasks', message: `terminal task ${task.frameworkId}/${task.id} is still indexed as live` });
    }
  }
  return violations;
}
