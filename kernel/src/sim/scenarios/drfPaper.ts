/**
 * The worked example of the DRF paper (Ghodsi et al., "Dominant Resource
 * Fairness", NSDI 2011): <9 cpus, 18 GB> shared by A's <1 cpu, 4 GB> tasks and
 * B's <3 cpus, 1 GB> tasks. DRF equalizes dominant shares at 2/3 each: A runs 3
 * tasks (3 cpus, 12 GB) and B runs 2 (6 cpus, 2 GB).
 */
import type { ScenarioInput } from '../scenario.js';

export const drfPaper: ScenarioInput = {
  name: 'drf-paper',
  description:
    'The DRF paper example: one agent of 9 cpus and 18 GB shared by two frameworks, ending with A at 3 tasks and B at 2 (dominant shares 2/3 each).',
  seed: 1,
  durationMs: 60000,
  allocationIntervalMs: 1000,
  roles: [
    { name: 'a', weight: 1 },
    { name: 'b', weight: 1 },
  ],
  agents: [{ id: 'agent', resources: { cpus: 9, mem: 18432 } }],
  frameworks: [
    {
      id: 'A',
      role: 'a',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 4096 }, durationMs: null },
      maxTasksPerOffer: 1,
      refuseSeconds: 5,
    },
    {
      id: 'B',
      role: 'b',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 3, mem: 1024 }, durationMs: null },
      maxTasksPerOffer: 1,
      refuseSeconds: 5,
    },
  ],
  faults: [],
};
