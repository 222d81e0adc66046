/**
 * Spark-like batch jobs: eight jobs of many short tasks arrive over two
 * minutes on a cluster of four agents, and are served in arrival order. Every
 * job finishes; the report gives each job's completion time and their mean,
 * p50 and p95. The big job at 30 s queues the jobs behind it.
 */
import type { ScenarioInput } from '../scenario.js';

const job = (id: string, atMs: number, tasks: number, durationMs: number) => ({
  id,
  atMs,
  tasks,
  resources: { cpus: 1, mem: 2048 },
  durationMs,
});

export const spark: ScenarioInput = {
  name: 'spark',
  description:
    'Spark-like jobs of many short tasks arriving over time on four agents; every job finishes and the report gives job completion times (mean, p50, p95).',
  seed: 1,
  durationMs: 150000,
  roles: [{ name: 'analytics' }],
  agents: [{ id: 'agent', count: 4, resources: { cpus: 8, mem: 32768, disk: 102400 } }],
  frameworks: [
    {
      id: 'spark',
      role: 'analytics',
      kind: 'batch',
      jobs: [
        job('etl-1', 0, 40, 4000),
        job('etl-2', 10000, 40, 4000),
        job('report', 20000, 16, 8000),
        job('train', 30000, 200, 5000),
        job('etl-3', 40000, 40, 4000),
        job('adhoc-1', 60000, 8, 2000),
        job('etl-4', 90000, 40, 4000),
        job('adhoc-2', 120000, 8, 2000),
      ],
      maxTasksPerOffer: 8,
      refuseSeconds: 1,
    },
  ],
  faults: [],
};
