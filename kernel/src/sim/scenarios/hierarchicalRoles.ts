/**
 * Hierarchical DRF: shares are compared level by level, so the subtree "eng"
 * (eng/web + eng/batch) competes with "ops" as one node. With equal demands
 * the 12 cpus split 6 to ops and 3 to each eng child, where a flat sorter
 * would give 4 to each framework.
 */
import type { ScenarioInput } from '../scenario.js';

export const hierarchicalRoles: ScenarioInput = {
  name: 'hierarchical-roles',
  description:
    'Frameworks in roles eng/web, eng/batch and ops show hierarchical DRF: the eng subtree shares fairly with ops, so ops ends with half the cpus and each eng child with a quarter.',
  seed: 1,
  durationMs: 30000,
  roles: [
    { name: 'eng/web', weight: 1 },
    { name: 'eng/batch', weight: 1 },
    { name: 'ops', weight: 1 },
  ],
  agents: [{ id: 'agent', count: 3, resources: { cpus: 4, mem: 16384 } }],
  frameworks: [
    {
      id: 'web',
      role: 'eng/web',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      refuseSeconds: 0,
    },
    {
      id: 'batch',
      role: 'eng/batch',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      refuseSeconds: 0,
    },
    {
      id: 'ops',
      role: 'ops',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      refuseSeconds: 0,
    },
  ],
};
