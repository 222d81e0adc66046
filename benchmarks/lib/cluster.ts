/**
 * The DeclineOffers cluster (Mesos `HierarchicalAllocator_BENCHMARK_Test.DeclineOffers`):
 * F frameworks in one role; A agents of `cpus:24;mem:4096;disk:4096;ports:[31000-32000]`,
 * agent i arriving with a RUNNING task of `cpus:16;mem:2014;disk:1024` that
 * belongs to framework i % F. Building it is set-up, never timed.
 */
import { Master, createPrng } from '@allot/kernel';
import type { Range } from '@allot/kernel';

export const ROLE = 'role1';
export const ALLOCATION_INTERVAL_MS = 1000;
export const YEAR_SECONDS = 365 * 24 * 3600;
export const AGENT_RESOURCES = { cpus: 24, mem: 4096, disk: 4096 } as const;
export const AGENT_PORTS: readonly Range[] = [[31000, 32000]];
export const TASK_RESOURCES = { cpus: 16, mem: 2014, disk: 1024 } as const;

export interface ClusterOptions {
  agents: number;
  frameworks: number;
  /** false runs the allocator's plain reference path. */
  fastPaths: boolean;
  /**
   * Ports held by each pre-allocated task. The workload specifies none; Mesos's
   * benchmark gives the task 16 ports out of [31000-32000], which fragments the
   * agents' free port ranges (use 16 to reproduce that).
   */
  taskPorts: number;
  seed: number;
}

export function frameworkId(index: number): string {
  return `framework-${index}`;
}

/** Subscribes every framework and adds every agent; allocation has not run yet. */
export function buildCluster(options: ClusterOptions): Master {
  if (!(options.agents >= 1 && options.frameworks >= 1))
    throw new Error(`need at least one agent and one framework, got ${options.agents} x ${options.frameworks}`);
  if (!(options.taskPorts >= 0 && options.taskPorts <= 500)) throw new Error(`taskPorts must be within 0..500, got ${options.taskPorts}`);
  const master = new Master({ prng: createPrng(options.seed), allocationIntervalMs: ALLOCATION_INTERVAL_MS, fastPaths: options.fastPaths });
  const nowMs = 0;
  for (let i = 0; i < options.frameworks; i++) {
    const result = master.step({ type: 'framework.subscribe', nowMs, framework: { id: frameworkId(i), roles: [ROLE] } });
    if (!result.ok) throw new Error(`subscribe ${frameworkId(i)}: ${result.rejection?.message}`);
  }
  const taskScalars = master.layout.vector(TASK_RESOURCES);
  const taskPorts = spreadPorts(options.taskPorts);
  for (let i = 0; i < options.agents; i++) {
    const result = master.step({
      type: 'agent.add',
      nowMs,
      agent: { id: `agent-${i}`, resources: AGENT_RESOURCES, ports: AGENT_PORTS },
      tasks: [
        {
          taskId: `task-${i}`,
          frameworkId: frameworkId(i % options.frameworks),
          role: ROLE,
          state: 'TASK_RUNNING',
          // Each task gets its own copy: the kernel may keep references to what it is given.
          resources: { scalars: taskScalars.slice(), ports: taskPorts, reserved: [] },
        },
      ],
    });
    if (!result.ok) throw new Error(`agent.add agent-${i}: ${result.rejection?.message}`);
  }
  return master;
}

/** `count` single ports spread evenly over [31000-32000], as sorted disjoint ranges. */
function spreadPorts(count: number): Range[] {
  const [begin, end] = AGENT_PORTS[0];
  const ports: Range[] = [];
  const step = Math.floor((end - begin + 1) / (count + 1));
  for (let i = 1; i <= count; i++) ports.push([begin + i * step, begin + i * step]);
  return ports;
}

/** Every agent's free scalar vector, in agent-index order (views into the kernel's shared pool). */
export function freeVectors(master: Master): Float64Array[] {
  return [...master.agents.values()].sort((a, b) => a.index - b.index).map((agent) => agent.freeScalars);
}
