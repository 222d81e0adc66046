/**
 * Marathon-like services on five agents in two racks. `web` (one per host,
 * health-checked) rolls to version 2 within its upgrade strategy, scales to 5
 * while a host is in maintenance, then back to 2, youngest first. `api`
 * (spread over racks) rolls to a broken version whose instances fail their
 * health checks: minHealthy old instances keep serving while the launch
 * backoff grows, until version 3 fixes it. `gpu-batch` never fits: no agent
 * has gpus, and its latest rejection says so.
 */
import type { ScenarioInput } from '../scenario.js';

const agent = (id: string, rack: string) => ({
  id,
  resources: { cpus: 4, mem: 8192, disk: 20480 },
  ports: [[31000, 31099]] as Array<[number, number]>,
  attributes: { rack },
});

export const marathon: ScenarioInput = {
  name: 'marathon',
  description:
    'Marathon-like apps: a rolling upgrade within minimumHealthCapacity/maximumOverCapacity, a broken version held back by health checks and launch backoff, scale up past a host in maintenance and down youngest first, and the rejection reasons.',
  seed: 1,
  durationMs: 150000,
  roles: [{ name: 'services' }],
  agents: [agent('a-1', 'a'), agent('a-2', 'a'), agent('a-3', 'a'), agent('b-1', 'b'), agent('b-2', 'b')],
  frameworks: [
    {
      id: 'marathon',
      role: 'services',
      kind: 'service',
      refuseSeconds: 1,
      apps: [
        {
          id: 'web',
          instances: 3,
          resources: { cpus: 1, mem: 1024 },
          ports: 1,
          constraints: [['hostname', 'UNIQUE']],
          healthCheck: { gracePeriodMs: 10000, intervalMs: 2000, maxConsecutiveFailures: 3, startupMs: 4000 },
          upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0.5 },
          changes: [
            { atMs: 30000, version: '2' },
            { atMs: 60000, instances: 5 },
            { atMs: 100000, instances: 2 },
          ],
        },
        {
          id: 'api',
          instances: 4,
          resources: { cpus: 0.5, mem: 512 },
          constraints: [['rack', 'GROUP_BY', '2']],
          healthCheck: {
            gracePeriodMs: 4000,
            intervalMs: 2000,
            maxConsecutiveFailures: 2,
            startupMs: 2000,
            unhealthyVersions: ['2-broken'],
          },
          upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
          changes: [
            { atMs: 40000, version: '2-broken' },
            { atMs: 110000, version: '3' },
          ],
        },
        { id: 'gpu-batch', instances: 1, resources: { cpus: 1, gpus: 1 } },
      ],
      maintenance: [{ hostname: 'a-1', startMs: 55000, durationMs: 30000 }],
    },
  ],
  faults: [],
};
