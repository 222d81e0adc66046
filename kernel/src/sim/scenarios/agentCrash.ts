/**
 * An agent host crashes at 30 s with tasks of two frameworks on it. The master
 * disconnects it at once and marks it unreachable after 75 s: the ordinary
 * framework sees TASK_LOST, the partition-aware one TASK_UNREACHABLE, and both
 * relaunch elsewhere (the ordinary one at once, the partition-aware one when
 * the restarted agent comes back without the task: TASK_GONE).
 */
import type { ScenarioInput } from '../scenario.js';

export const agentCrash: ScenarioInput = {
  name: 'agent-crash',
  description:
    'An agent crashes: tasks of an ordinary framework are LOST, those of a partition-aware one UNREACHABLE then GONE when the agent restarts; both relaunch elsewhere.',
  seed: 1,
  durationMs: 240000,
  roles: [{ name: 'web' }, { name: 'jobs' }],
  agents: [{ id: 'agent', count: 3, resources: { cpus: 4, mem: 8192 } }],
  frameworks: [
    {
      id: 'ordinary',
      role: 'jobs',
      kind: 'batch',
      tasks: { count: 4, resources: { cpus: 1, mem: 1024 } },
      maxTasksPerOffer: 2,
      relaunch: true,
    },
    {
      id: 'aware',
      role: 'web',
      kind: 'batch',
      partitionAware: true,
      tasks: { count: 4, resources: { cpus: 1, mem: 1024 } },
      maxTasksPerOffer: 2,
      relaunch: true,
    },
  ],
  faults: [
    { atMs: 30000, type: 'agent.crash', agent: 'agent-1' },
    { atMs: 180000, type: 'agent.restart', agent: 'agent-1' },
  ],
};
