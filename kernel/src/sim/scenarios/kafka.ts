/**
 * Kafka on the SDK: three brokers, then a configuration update (more cpus)
 * rolled out as a canary: the first two brokers each wait for an operator's
 * continue, the last follows on its own; each relaunch reserves only the
 * difference on its own reservation.
 */
import type { ScenarioInput } from '../scenario.js';

const broker = (cpus: number) => ({
  type: 'broker',
  count: 3,
  placement: [['hostname', 'UNIQUE']],
  volumes: [{ type: 'ROOT', containerPath: 'kafka-logs', sizeMb: 4000 }],
  tasks: [{ name: 'kafka', goal: 'RUNNING', cpus, memMb: 2048, ports: 1, readinessDelayMs: 5000 }],
});

export const kafka: ScenarioInput = {
  name: 'kafka',
  description:
    'Kafka brokers on reservations and volumes, then a canary configuration update: two brokers wait for a continue each, the third follows.',
  seed: 1,
  durationMs: 180000,
  roles: [{ name: 'kafka' }],
  agents: [{ id: 'agent', count: 3, resources: { cpus: 4, mem: 8192, disk: 20480 }, ports: [[9092, 9099]] }],
  frameworks: [
    {
      id: 'kafka',
      role: 'kafka',
      kind: 'stateful',
      flavor: 'kafka',
      service: { name: 'kafka', pods: [broker(1)], updateStrategy: { kind: 'canary', canaries: 2 } },
    },
  ],
  faults: [
    {
      atMs: 60000,
      type: 'service.update',
      framework: 'kafka',
      service: { name: 'kafka', pods: [broker(2)], updateStrategy: { kind: 'canary', canaries: 2 } },
    },
    { atMs: 80000, type: 'plan.continue', framework: 'kafka', plan: 'deploy', phase: 'broker' },
    { atMs: 100000, type: 'plan.continue', framework: 'kafka', plan: 'deploy', phase: 'broker' },
  ],
};
