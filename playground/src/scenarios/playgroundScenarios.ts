/**
 * Scenarios the playground adds to the kernel's built-in ones: the stage of
 * the failure tour, and a 10,000-agent cluster for the benchmark. Plain
 * ScenarioInput objects, exactly what a JSON file would hold.
 */
import type { ScenarioInput } from '@allot/kernel';

/** Long-running web tasks and short batch jobs, both relaunching what fails. */
export const failureRecovery: ScenarioInput = {
  name: 'failure-recovery',
  description:
    'Six agents run a web service (12 long-running instances) and a stream of short jobs that lasts the whole run; both relaunch what is lost. Crash an agent, fail a task, restart the agent and watch the cluster heal.',
  seed: 3,
  durationMs: 180000,
  roles: [
    { name: 'web', weight: 1 },
    { name: 'batch', weight: 1 },
  ],
  agents: [{ id: 'agent', count: 6, resources: { cpus: 4, mem: 8192 }, attributes: { zone: 'a' } }],
  frameworks: [
    {
      id: 'web',
      role: 'web',
      kind: 'batch',
      tasks: { count: 12, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      maxTasksPerOffer: 2,
      refuseSeconds: 2,
      relaunch: true,
    },
    {
      id: 'jobs',
      role: 'batch',
      kind: 'batch',
      // A stream that lasts the whole run (12 at a time, 2 a second): no drop in running tasks for a tour to explain away.
      tasks: { count: 400, resources: { cpus: 1, mem: 512 }, durationMs: 6000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 1,
      relaunch: true,
    },
  ],
  faults: [],
};

/** The benchmark's cluster: 10,000 agents under steady churn from eight frameworks in four roles. */
export const largeCluster: ScenarioInput = {
  name: 'large-cluster',
  description:
    '10,000 agents, four roles (one weighted, one with quota) and eight frameworks whose short tasks keep the offer cycle busy: the scale the playground is built for.',
  seed: 11,
  durationMs: 600000,
  allocationIntervalMs: 1000,
  roles: [
    { name: 'web', weight: 2 },
    { name: 'batch', weight: 1 },
    { name: 'ml', weight: 1, quota: { guarantee: { cpus: 20000 }, limit: { cpus: 60000 } } },
    { name: 'etl', weight: 1 },
  ],
  agents: [
    { id: 'a', count: 6000, resources: { cpus: 16, mem: 65536 }, attributes: { rack: 'r1' } },
    { id: 'b', count: 4000, resources: { cpus: 32, mem: 131072 }, attributes: { rack: 'r2' } },
  ],
  frameworks: [
    {
      id: 'web-frontend',
      role: 'web',
      kind: 'batch',
      tasks: { count: 12000, resources: { cpus: 4, mem: 8192 }, durationMs: 120000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
      relaunch: true,
    },
    {
      id: 'web-api',
      role: 'web',
      kind: 'batch',
      tasks: { count: 12000, resources: { cpus: 4, mem: 8192 }, durationMs: 90000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
    },
    {
      id: 'spark',
      role: 'batch',
      kind: 'batch',
      tasks: { count: 16000, resources: { cpus: 8, mem: 16384 }, durationMs: 60000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
    },
    {
      id: 'hadoop',
      role: 'batch',
      kind: 'batch',
      tasks: { count: 16000, resources: { cpus: 8, mem: 32768 }, durationMs: 75000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
    },
    {
      id: 'tensorflow',
      role: 'ml',
      kind: 'batch',
      tasks: { count: 4000, resources: { cpus: 16, mem: 65536 }, durationMs: 150000 },
      maxTasksPerOffer: 2,
      refuseSeconds: 10,
    },
    {
      id: 'pytorch',
      role: 'ml',
      kind: 'batch',
      tasks: { count: 4000, resources: { cpus: 16, mem: 32768 }, durationMs: 120000 },
      maxTasksPerOffer: 2,
      refuseSeconds: 10,
    },
    {
      id: 'airflow',
      role: 'etl',
      kind: 'batch',
      tasks: { count: 12000, resources: { cpus: 4, mem: 4096 }, durationMs: 45000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
    },
    {
      id: 'flink',
      role: 'etl',
      kind: 'batch',
      tasks: { count: 8000, resources: { cpus: 8, mem: 8192 }, durationMs: 100000 },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
      startAtMs: 20000,
    },
  ],
  faults: [],
};

export const playgroundScenarios: readonly ScenarioInput[] = [failureRecovery, largeCluster];
