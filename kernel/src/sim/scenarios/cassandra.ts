/**
 * Cassandra on the SDK: three nodes deployed serially, each step complete
 * only once the node has joined the ring (its readiness check); the first two
 * are seeds. A node's host crashes for good: after the failure timeout the
 * node is replaced on the spare agent with new reservations and volume, and
 * the ring is re-seeded; the old reservations are given back when that host
 * comes back.
 */
import type { ScenarioInput } from '../scenario.js';

const node = {
  type: 'node',
  count: 3,
  placement: [['hostname', 'UNIQUE']],
  volumes: [{ type: 'ROOT', containerPath: 'cassandra-data', sizeMb: 5000 }],
  tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessDelayMs: 15000 }],
};

export const cassandra: ScenarioInput = {
  name: 'cassandra',
  description:
    'A Cassandra ring on reservations and volumes: serial deploy gated on joining the ring, a host lost for good, the node replaced on the spare agent and re-seeded.',
  seed: 1,
  durationMs: 600000,
  roles: [{ name: 'cassandra' }],
  agents: [{ id: 'agent', count: 4, resources: { cpus: 4, mem: 8192, disk: 20480 } }],
  frameworks: [
    {
      id: 'cassandra',
      role: 'cassandra',
      kind: 'stateful',
      flavor: 'cassandra',
      service: { name: 'cassandra', pods: [node], seeds: 2, failureTimeoutMs: 180000 },
    },
  ],
  faults: [
    // agent-3 holds node-1, a seed (with seed 1 the nodes land on agent-1, agent-3 and agent-2; agent-4 is spare).
    { atMs: 90000, type: 'agent.crash', agent: 'agent-3' },
    { atMs: 500000, type: 'agent.restart', agent: 'agent-3' },
  ],
};
