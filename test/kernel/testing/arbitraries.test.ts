/**
 * The arbitraries generate valid input: every cluster is accepted by a master
 * as it is, quotas sit on top-level roles with guarantee <= limit and hold
 * their subtree's reservations, and workloads resolve into commands whose
 * clock never goes back and which reach the master's main paths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../kernel/src/master/commands.js';
import { Master } from '../../../kernel/src/master/master.js';
import { roleNameProblem } from '../../../kernel/src/roles/roleName.js';
import type { Workload, WorkloadStepType } from '../../../kernel/src/testing/index.js';
import {
  clusterArbitrary,
  runWorkload,
  STATIC_CLUSTER_EXCLUDED,
  subtreeReservations,
  workloadArbitrary,
  workloadMasterOptions,
} from '../../../kernel/src/testing/index.js';

const SEED = 20240601;

function run(workload: Workload): { commands: Command[]; events: Set<string>; rejections: Set<string> } {
  const master = new Master(workloadMasterOptions(workload));
  const commands: Command[] = [];
  const events = new Set<string>();
  const rejections = new Set<string>();
  runWorkload(master, workload, ({ command, result }) => {
    commands.push(command);
    for (const event of result.events) events.add(event.type === 'task.updated' ? `task.updated:${event.status.state}` : event.type);
    if (result.rejection) rejections.add(`${command.type}:${result.rejection.code}`);
  });
  return { commands, events, rejections };
}

describe('clusterArbitrary', () => {
  it('generates clusters a master accepts as they are', () => {
    fc.assert(
      fc.property(clusterArbitrary(), (cluster) => {
        const { commands, rejections } = run({
          seed: 1,
          settings: {
            allocationIntervalMs: 1000,
            offerTimeoutMs: null,
            fairSharingExcludedResourceNames: [],
            roleSorter: 'drf',
            frameworkSorter: 'drf',
          },
          cluster,
          steps: [],
        });
        expect(rejections).toEqual(new Set());
        expect(commands.filter((c) => c.type === 'agent.add')).toHaveLength(cluster.agents.length);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('names valid roles and puts quota only on top-level roles, guarantee <= limit >= reservations', () => {
    fc.assert(
      fc.property(clusterArbitrary(), (cluster) => {
        for (const role of cluster.roles) {
          expect(roleNameProblem(role.name)).toBeNull();
          expect(role.weight).toBeGreaterThan(0);
          if (!role.quota) continue;
          expect(role.name).not.toContain('/');
          const reserved = subtreeReservations(cluster.agents, role.name);
          for (const [name, limit] of Object.entries(role.quota.limit ?? {})) {
            expect(limit).toBeGreaterThanOrEqual(role.quota.guarantee?.[name] ?? 0);
            expect(limit).toBeGreaterThanOrEqual(reserved[name] ?? 0);
          }
        }
        const names = new Set(cluster.roles.map((role) => role.name));
        for (const framework of cluster.frameworks) for (const role of framework.roles) expect(names.has(role)).toBe(true);
        for (const agent of cluster.agents)
          for (const reservation of agent.reservations ?? []) expect(names.has(reservation.role)).toBe(true);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('workloadArbitrary and runWorkload', () => {
  it('resolve into commands whose nowMs never decreases', () => {
    fc.assert(
      fc.property(workloadArbitrary(), (workload) => {
        const { commands } = run(workload);
        for (let i = 1; i < commands.length; i++) expect(commands[i].nowMs).toBeGreaterThanOrEqual(commands[i - 1].nowMs);
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it('reach the master main paths across a sample', () => {
    const commandTypes = new Set<string>();
    const events = new Set<string>();
    const rejections = new Set<string>();
    for (const workload of fc.sample(workloadArbitrary(), { numRuns: 400, seed: SEED })) {
      const result = run(workload);
      result.commands.forEach((command) => commandTypes.add(command.type));
      result.events.forEach((event) => events.add(event));
      result.rejections.forEach((rejection) => rejections.add(rejection));
    }
    const expectedCommands: Command['type'][] = [
      'tick',
      'agent.add',
      'agent.remove',
      'agent.disconnect',
      'agent.unreachable',
      'agent.reregister',
      'agent.updateAttributes',
      'framework.subscribe',
      'framework.disconnect',
      'framework.teardown',
      'framework.suppress',
      'framework.revive',
      'offer.decline',
      'offer.accept',
      'task.status',
      'task.kill',
      'role.update',
    ];
    for (const type of expectedCommands) expect(commandTypes, type).toContain(type);
    const expectedEvents = [
      'offer.made',
      'offer.declined',
      'offer.accepted',
      'offer.rescinded',
      'task.launched',
      'task.updated:TASK_RUNNING',
      'task.updated:TASK_FINISHED',
      'task.updated:TASK_FAILED',
      'task.updated:TASK_KILLED',
      'task.updated:TASK_ERROR',
      'task.updated:TASK_LOST',
      'framework.removed',
      'framework.disconnected',
      'framework.suppressed',
      'framework.revived',
      'agent.removed',
      'agent.disconnected',
      'agent.unreachable',
      'agent.reregistered',
      'task.updated:TASK_UNREACHABLE',
    ];
    for (const type of expectedEvents) expect(events, type).toContain(type);
    for (const rejection of ['offer.decline:unknown_offer', 'offer.accept:invalid_offers', 'task.status:illegal_transition'])
      expect(rejections, rejection).toContain(rejection);
  });

  it('leave out excluded step types', () => {
    const exclude: readonly WorkloadStepType[] = STATIC_CLUSTER_EXCLUDED;
    for (const workload of fc.sample(workloadArbitrary({ exclude }), { numRuns: 200, seed: SEED })) {
      for (const step of workload.steps) expect(exclude).not.toContain(step.type);
    }
  });

  it('use the random sorters only when asked', () => {
    const sorters = (options: { randomSorters?: boolean }): Set<string> =>
      new Set(
        fc
          .sample(workloadArbitrary(options), { numRuns: 100, seed: SEED })
          .flatMap((w) => [w.settings.roleSorter, w.settings.frameworkSorter]),
      );
    expect(sorters({})).toEqual(new Set(['drf']));
    expect(sorters({ randomSorters: true })).toEqual(new Set(['drf', 'random']));
  });
});
