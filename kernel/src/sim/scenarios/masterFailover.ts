/**
 * The master fails over twice while batch jobs run and finish. The new master
 * starts from the persisted registry; agents re-register with their running
 * tasks, frameworks re-subscribe and reconcile, and no task is lost.
 */
import type { ScenarioInput } from '../scenario.js';

export const masterFailover: ScenarioInput = {
  name: 'master-failover',
  description:
    'The master fails over twice mid-run; agents re-register, frameworks re-subscribe and reconcile, and every task still finishes: none is lost.',
  seed: 1,
  durationMs: 120000,
  roles: [{ name: 'analytics' }, { name: 'etl' }],
  agents: [{ id: 'agent', count: 4, resources: { cpus: 8, mem: 16384 } }],
  frameworks: [
    {
      id: 'spark',
      role: 'analytics',
      kind: 'batch',
      tasks: { count: 40, resources: { cpus: 1, mem: 2048 }, durationMs: 20000 },
      maxTasksPerOffer: 4,
    },
    {
      id: 'etl',
      role: 'etl',
      kind: 'batch',
      tasks: { count: 20, resources: { cpus: 2, mem: 1024 }, durationMs: 30000 },
      maxTasksPerOffer: 2,
    },
  ],
  faults: [
    { atMs: 15000, type: 'master.failover' },
    { atMs: 50000, type: 'master.failover' },
  ],
};
