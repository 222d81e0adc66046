/**
 * "A big data stack on one datacenter": Spark-like jobs, Marathon-like
 * services, a Cassandra ring on reservations and volumes, and Myriad's
 * elastic YARN share twelve agents through DRF offers. `allot simulate
 * datacenter --silos` also runs the same frameworks on a static partition of
 * the same agents (three each) and compares utilisation and the work done.
 */
import type { ScenarioInput } from '../scenario.js';

const job = (id: string, atMs: number, tasks: number, durationMs: number) => ({
  id,
  atMs,
  tasks,
  resources: { cpus: 1, mem: 2048 },
  durationMs,
});

export const datacenter: ScenarioInput = {
  name: 'datacenter',
  description:
    'Spark jobs, Marathon services, a Cassandra ring and Myriad YARN on one cluster of twelve agents; with --silos, compared against a static partition of the same agents.',
  seed: 1,
  durationMs: 240000,
  roles: [{ name: 'analytics' }, { name: 'services', weight: 2 }, { name: 'db' }, { name: 'yarn' }],
  agents: [{ id: 'agent', count: 12, resources: { cpus: 8, mem: 32768, disk: 102400 }, ports: [[31000, 31099]] }],
  frameworks: [
    {
      id: 'spark',
      role: 'analytics',
      kind: 'batch',
      jobs: [job('etl', 0, 120, 6000), job('train', 30000, 480, 8000), job('report', 90000, 80, 5000), job('adhoc', 150000, 40, 3000)],
      maxTasksPerOffer: 8,
      refuseSeconds: 1,
    },
    {
      id: 'marathon',
      role: 'services',
      kind: 'service',
      refuseSeconds: 1,
      apps: [
        { id: 'web', instances: 4, resources: { cpus: 1, mem: 2048 }, ports: 1, constraints: [['hostname', 'UNIQUE']] },
        { id: 'api', instances: 6, resources: { cpus: 0.5, mem: 1024 } },
      ],
    },
    {
      id: 'cassandra',
      role: 'db',
      kind: 'stateful',
      flavor: 'cassandra',
      service: {
        name: 'cassandra',
        seeds: 2,
        pods: [
          {
            type: 'node',
            count: 3,
            placement: [['hostname', 'UNIQUE']],
            volumes: [{ type: 'ROOT', containerPath: 'data', sizeMb: 20000 }],
            tasks: [{ name: 'server', goal: 'RUNNING', cpus: 2, memMb: 8192, readinessDelayMs: 10000 }],
          },
        ],
      },
    },
    {
      id: 'myriad',
      role: 'yarn',
      kind: 'elastic',
      refuseSeconds: 1,
      flex: [
        { atMs: 0, action: 'up', profile: 'medium', count: 2 },
        { atMs: 60000, action: 'up', profile: 'large', count: 1 },
        { atMs: 180000, action: 'down', profile: 'large', count: 1 },
      ],
      applications: [
        { id: 'hive', atMs: 5000, containers: 6, resources: { cpus: 1, mem: 1024 }, durationMs: 30000 },
        { id: 'mapreduce', atMs: 70000, containers: 12, resources: { cpus: 1, mem: 1024 }, durationMs: 20000 },
      ],
    },
  ],
  faults: [],
};
