/**
 * Weighted DRF: a role's share is divided by its weight, so a weight-2 role
 * is served until its dominant share is twice that of a weight-1 role. Three
 * agents give 12 slots of <1 cpu, 2 GB>; the split ends at 8 tasks against 4.
 * refuseSeconds 0 installs no filters, so the split follows the sorter alone.
 */
import type { ScenarioInput } from '../scenario.js';

export const weightedRoles: ScenarioInput = {
  name: 'weighted-roles',
  description:
    'Two roles with weights 1 and 2 make the same demands on three agents, and the weight-2 role ends with twice the dominant share (8 tasks against 4).',
  seed: 1,
  durationMs: 30000,
  roles: [
    { name: 'light', weight: 1 },
    { name: 'heavy', weight: 2 },
  ],
  agents: [{ id: 'agent', count: 3, resources: { cpus: 4, mem: 8192 } }],
  frameworks: [
    {
      id: 'light-jobs',
      role: 'light',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 2048 }, durationMs: null },
      maxTasksPerOffer: 1,
      refuseSeconds: 0,
    },
    {
      id: 'heavy-jobs',
      role: 'heavy',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 2048 }, durationMs: null },
      maxTasksPerOffer: 1,
      refuseSeconds: 0,
    },
  ],
};
