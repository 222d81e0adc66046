/**
 * The big data stack on one datacenter (issue 4): the `datacenter` scenario on
 * a shared cluster against the same frameworks on a static partition.
 */
import { describe, expect, it } from 'vitest';
import { compareWithSilos, findBuiltinScenario, parseScenario, siloScenarios } from '../../../kernel/src/index.js';

describe('shared cluster against static silos', () => {
  const parsed = parseScenario(findBuiltinScenario('datacenter'));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const scenario = parsed.scenario;

  it('partitions the agents one framework each, agent i to framework i mod F', () => {
    const silos = siloScenarios(scenario);
    expect(silos.map((silo) => silo.framework)).toEqual(['spark', 'marathon', 'cassandra', 'myriad']);
    expect(silos.map((silo) => silo.scenario.agents.length)).toEqual([3, 3, 3, 3]);
    expect(silos[0].scenario.agents.map((agent) => agent.id)).toEqual(['agent-1', 'agent-5', 'agent-9']);
  });

  it('sharing finishes the jobs sooner and places what the silos cannot', () => {
    const comparison = compareWithSilos(scenario);
    const sharedJobs = comparison.shared.frameworks.spark.jobs as { meanMs: number; finished: number };
    const siloJobs = comparison.silos.frameworks.spark.jobs as { meanMs: number; finished: number };
    expect(sharedJobs.finished).toBe(4);
    expect(sharedJobs.meanMs).toBeLessThan(siloJobs.meanMs / 2);
    expect(comparison.shared.tasksPending).toBe(0);
    expect(comparison.silos.frameworks.marathon.pendingTasks).toBe(1); // web wants 4 hosts, its silo has 3
    expect(comparison.shared.utilization.cpus).toBeGreaterThanOrEqual(comparison.silos.utilization.cpus);
  }, 60_000);
});
