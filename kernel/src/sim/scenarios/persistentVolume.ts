/**
 * A stateful task keeps its data: each task dynamically reserves its
 * resources (labelled with a resource_id) and creates a persistent volume,
 * all in one accept. When a task fails it is relaunched on the same agent, on
 * the same reservation and the same volume: no new RESERVE or CREATE.
 */
import type { ScenarioInput } from '../scenario.js';

export const persistentVolume: ScenarioInput = {
  name: 'persistent-volume',
  description:
    'Tasks reserve resources and create persistent volumes; failed tasks come back on the same reservation and volume, on the same agent.',
  seed: 1,
  durationMs: 60000,
  roles: [{ name: 'db' }],
  agents: [{ id: 'agent', count: 3, resources: { cpus: 4, mem: 8192, disk: 20480 } }],
  frameworks: [
    {
      id: 'cassandra',
      role: 'db',
      kind: 'batch',
      tasks: { count: 3, resources: { cpus: 1, mem: 2048 }, persistentVolume: { sizeMb: 5000, containerPath: 'data' } },
      maxTasksPerOffer: 1,
      relaunch: true,
    },
  ],
  faults: [
    { atMs: 20000, type: 'task.fail', framework: 'cassandra' },
    { atMs: 35000, type: 'task.fail', framework: 'cassandra' },
  ],
};
