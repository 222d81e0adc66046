/**
 * A network partition cuts two agents off from the master at 20 s; after a
 * missed ping and the unreachable timeout their tasks are UNREACHABLE. The
 * partition heals at 150 s: the agents re-register with their tasks still
 * running, which come back TASK_RUNNING, and reconciliation agrees.
 */
import type { ScenarioInput } from '../scenario.js';

export const partitionHeal: ScenarioInput = {
  name: 'partition-heal',
  description:
    'Two agents are partitioned away and their tasks turn UNREACHABLE; when the partition heals the agents re-register and the tasks come back RUNNING.',
  seed: 1,
  durationMs: 200000,
  roles: [{ name: 'web' }],
  agents: [{ id: 'agent', count: 4, resources: { cpus: 2, mem: 4096 } }],
  frameworks: [
    {
      id: 'service',
      role: 'web',
      kind: 'batch',
      partitionAware: true,
      tasks: { count: 8, resources: { cpus: 1, mem: 1024 } },
      maxTasksPerOffer: 2,
    },
  ],
  faults: [
    { atMs: 20000, type: 'network.partition', agents: ['agent-1', 'agent-2'] },
    { atMs: 150000, type: 'network.heal', agents: ['agent-1', 'agent-2'] },
  ],
};
