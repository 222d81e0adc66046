/**
 * The benchmark registry that `allot bench [NAME]` (adapters/src/cli) and
 * benchmarks/run.ts load. Each benchmark prints its own output (a table, or
 * with `json` only JSON on stdout; progress goes to stderr on a terminal) and
 * resolves to the report it printed. Arguments after the name arrive in `argv`.
 */
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import { runDeclineOffers } from './declineOffers.js';
import { runScan } from './scan.js';
import { runPlayground } from './playground.js';
import { runMillionTasks } from './millionTasks.js';
import { runMultiFramework } from './multiFramework.js';
import { runCliStart } from './cliStart.js';
import { runFleetLoad } from './fleetLoad.js';

export type { BenchmarkOptions } from './lib/benchmarkArgs.js';

export interface Benchmark {
  name: string;
  description: string;
  run(options: BenchmarkOptions): Promise<unknown>;
}

export const benchmarks: Benchmark[] = [
  {
    name: 'decline-offers',
    description:
      'Mesos DeclineOffers: agents x frameworks grid, every offer declined with a year-long filter, one timed allocation cycle per round; includes the free-vector scan lower bound per point (options: --agents N --frameworks N, --reference, --rounds N, --task-ports 16, --max-minutes N)',
    run: runDeclineOffers,
  },
  {
    name: 'scan',
    description: "lower bound alone: one pass reading every agent's free vector, per agent count (options: --agents N[,N...])",
    run: runScan,
  },
  {
    name: 'playground',
    description:
      'Playground with 10,000 agents running in Chromium: frame interval p50/p95, map draw time, bytes per snapshot (options: --seconds N, --speed N)',
    run: runPlayground,
  },
  {
    name: 'million-tasks',
    description:
      '1000 batch jobs x 1000 tasks on 5000 agents, simulated until all RUNNING: placements/s and peak heap (options: --jobs N --tasks N --agents N; --quick: 100 jobs on 500 agents)',
    run: runMillionTasks,
  },
  {
    name: 'multi-framework',
    description:
      'Mesos MultiFrameworkAllocations: 4 service, 500 CI and 50 batch frameworks on 80 agents; time until all 19,500 tasks run (--quick: a tenth of it)',
    run: runMultiFramework,
  },
  {
    name: 'cli-start',
    description: 'allot --version and allot scenarios as whole processes, beside a bare node start; target under 0.5 s (options: --runs N)',
    run: runCliStart,
  },
  {
    name: 'fleet-load',
    description:
      'etcd + 3 HA masters + a fleet of 10,000 simulated agents; schedulers launch 100,000 tasks; launches/s, call latency, store bytes per launch, largest stored value, leader RSS; then the leader is killed: offers, agents back, reconciliation, nothing lost (options: --agents N --tasks N --frameworks N --store etcd|file --no-failover --keep; --quick: 50 agents, 1000 tasks)',
    run: runFleetLoad,
  },
];
