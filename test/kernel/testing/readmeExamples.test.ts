/**
 * The examples of kernel/src/testing/README.md, run through the package entry
 * points (`@allot/kernel`, `@allot/kernel/testing`) exactly as a user would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Master, Simulation, createPrng } from '@allot/kernel';
import type { Command, Offer } from '@allot/kernel';
import {
  assertLaw,
  carveTask,
  checkInvariants,
  clusterArbitrary,
  expectNoViolations,
  runWorkload,
  scenarioArbitrary,
  STATIC_CLUSTER_EXCLUDED,
  workloadArbitrary,
  workloadMasterOptions,
} from '@allot/kernel/testing';

/** The policy under test: launch one task on half of each offer, decline the rest for 5 s. */
function halfEachOffer(offer: Offer, nowMs: number): Command {
  const resources = carveTask(offer.resources, { fraction: 0.5, reservedFraction: 0.5, ports: 1, oversized: false, reuseId: false });
  const tasks = [{ taskId: `${offer.id}-task`, resources }];
  return {
    type: 'offer.accept',
    nowMs,
    frameworkId: offer.frameworkId,
    offerIds: [offer.id],
    operations: [{ type: 'LAUNCH', tasks }],
    refuseSeconds: 5,
  };
}

describe('README examples', () => {
  it('property-testing the kernel', () => {
    const law = fc.property(workloadArbitrary({ exclude: STATIC_CLUSTER_EXCLUDED }), (workload) => {
      const master = new Master(workloadMasterOptions(workload, { decisionCycles: 1 }));
      runWorkload(master, workload, ({ index, command }) =>
        expectNoViolations(checkInvariants(master), `after step ${index} (${command.type})`),
      );
    });
    assertLaw('invariants', law, { numRuns: 100, seed: 1 });
  });

  it('property-testing your own policy', () => {
    let launched = 0;
    fc.assert(
      fc.property(clusterArbitrary(), fc.integer({ min: 0, max: 1000 }), (cluster, seed) => {
        const master = new Master({ prng: createPrng(seed) });
        let nowMs = 0;
        const send = (command: Command) => {
          const result = master.step(command);
          expectNoViolations(checkInvariants(master), `after ${command.type} at ${nowMs} ms`);
          // The policy's own law: it never launches a task the master finds invalid.
          for (const event of result.events)
            if (event.type === 'task.updated' && event.status.state === 'TASK_ERROR') throw new Error(event.status.message);
          launched += result.events.filter((event) => event.type === 'task.launched').length;
          return result;
        };
        for (const agent of cluster.agents) send({ type: 'agent.add', nowMs, agent });
        for (const framework of cluster.frameworks) send({ type: 'framework.subscribe', nowMs, framework });
        for (let round = 0; round < 10; round++, nowMs += 1000) {
          for (const effect of send({ type: 'tick', nowMs }).effects) {
            if (effect.type === 'framework.offers') for (const offer of effect.offers) send(halfEachOffer(offer, nowMs));
          }
        }
      }),
      { numRuns: 100, seed: 1 },
    );
    expect(launched).toBeGreaterThan(100);
  });

  it('whole simulations', () => {
    fc.assert(
      fc.property(scenarioArbitrary(), (scenario) => {
        const simulation = new Simulation(scenario, { invariants: 'step', decisionCycles: 1 });
        simulation.runUntil(scenario.durationMs);
        expect(simulation.violations).toEqual([]);
      }),
      { numRuns: 50, seed: 1 },
    );
  });
});
