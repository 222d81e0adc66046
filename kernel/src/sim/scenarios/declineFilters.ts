/**
 * Offer filters and revive. "steady" launches 2 tasks from its first offer and
 * refuses the rest for 60 s; the filter holds while what could be offered is
 * within what it refused, so when "burst"'s tasks end the freed cpus stay idle.
 * The revive at 20 s clears the filter and steady launches its last 2 tasks,
 * 40 s before the filter would have expired.
 */
import type { ScenarioInput } from '../scenario.js';

export const declineFilters: ScenarioInput = {
  name: 'decline-filters',
  description:
    "A framework that refuses resources for 60 s gets no offers even after another framework's tasks end, until a revive at 20 s clears its filter.",
  seed: 1,
  durationMs: 40000,
  roles: [
    { name: 'steady', weight: 1 },
    { name: 'burst', weight: 1 },
  ],
  agents: [{ id: 'agent', resources: { cpus: 6, mem: 12288 } }],
  frameworks: [
    {
      id: 'steady',
      role: 'steady',
      kind: 'batch',
      tasks: { count: 4, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      maxTasksPerOffer: 2,
      refuseSeconds: 60,
    },
    {
      id: 'burst',
      role: 'burst',
      kind: 'batch',
      tasks: { count: 4, resources: { cpus: 1, mem: 1024 }, durationMs: 5000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
      startAtMs: 1000,
    },
  ],
  faults: [{ atMs: 20000, type: 'framework.revive', framework: 'steady' }],
};
