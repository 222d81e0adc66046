/**
 * The playground's worker session without a browser: frames, faults at the
 * current time, and rewind by deterministic replay (same digest back), plus
 * the share-URL codec.
 */
import { describe, expect, test } from 'vitest';
import { builtinScenarios, findBuiltinScenario } from '@allot/kernel';
import { jainIndex, trimDetails } from '../../playground/src/worker/frameSections.js';
import { EMPTY_VIEW, SimulatorSession } from '../../playground/src/worker/simulatorSession.js';
import { failureRecovery } from '../../playground/src/scenarios/playgroundScenarios.js';
import { decodeSharedState, encodeSharedState } from '../../playground/src/lib/shareUrl.js';

function loaded(scenario = findBuiltinScenario('drf-paper')!): SimulatorSession {
  const session = new SimulatorSession();
  const result = session.load({ scenario }, 1, EMPTY_VIEW);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return session;
}

describe('SimulatorSession', () => {
  test('the DRF paper example ends with A at 3 tasks and B at 2, shares 2/3 each', () => {
    const session = loaded();
    const frame = session.advance(15000, 2, EMPTY_VIEW);
    const byId = Object.fromEntries(frame.frameworks.map((framework) => [framework.id, framework]));
    expect(byId.A.running).toBe(3);
    expect(byId.B.running).toBe(2);
    expect(byId.A.share).toBeCloseTo(2 / 3, 6);
    expect(byId.B.share).toBeCloseTo(2 / 3, 6);
    expect(frame.agents.count).toBe(1);
    expect(frame.violations).toEqual([]);
  });

  test('seeking back replays to the identical state, injected faults included', () => {
    const session = loaded(failureRecovery);
    session.advance(8000, 2, EMPTY_VIEW);
    session.inject({ type: 'agent.crash', agent: 'agent-3' }, 3, EMPTY_VIEW);
    const at30 = session.advance(30000, 4, EMPTY_VIEW).digest;
    const at88 = session.advance(88000, 5, EMPTY_VIEW);
    expect(at88.taskStates.TASK_LOST).toBeGreaterThan(0);
    expect(session.seek(30000, 6, EMPTY_VIEW).digest).toBe(at30);
    expect(session.seek(88000, 7, EMPTY_VIEW).digest).toBe(at88.digest);
    expect(session.faults).toEqual([{ type: 'agent.crash', agent: 'agent-3', atMs: 8000 }]);
  });

  test('a load with faults and a time reaches the same state as the live run', () => {
    const live = loaded(failureRecovery);
    live.advance(8000, 2, EMPTY_VIEW);
    const frame = live.inject({ type: 'agent.crash', agent: 'agent-3' }, 3, EMPTY_VIEW);
    const later = live.advance(50000, 4, EMPTY_VIEW);
    const replayed = new SimulatorSession().load({ scenario: failureRecovery, faults: frame.faults, untilMs: 50000 }, 1, EMPTY_VIEW);
    expect(replayed.ok && replayed.frame.digest).toBe(later.digest);
  });

  test('a frame sends only what the view does not have yet', () => {
    const session = loaded();
    const first = session.advance(5000, 2, EMPTY_VIEW);
    const view = {
      epoch: first.epoch,
      agentsVersion: first.agents.version,
      samples: first.samples.length,
      eventSeq: first.events[first.events.length - 1].seq,
    };
    const next = session.advance(6000, 3, view);
    expect(next.agents.ids).toBeNull();
    expect(next.samplesFrom).toBe(first.samples.length);
    expect(next.events.every((event) => event.seq > view.eventSeq)).toBe(true);
  });

  test('sections the view holds unchanged are left out and named', () => {
    const session = loaded(findBuiltinScenario('cassandra')!);
    const first = session.advance(20000, 2, EMPTY_VIEW);
    expect(first.unchanged).toEqual([]);
    expect(first.plans.map((plan) => `${plan.framework}/${plan.name}`)).toEqual(['cassandra/deploy']);
    const view = {
      epoch: first.epoch,
      agentsVersion: first.agents.version,
      samples: first.samples.length,
      eventSeq: first.events[first.events.length - 1].seq,
      versions: first.versions,
    };
    const same = session.frame(3, view);
    expect(same.unchanged).toEqual(['offerCycles', 'plans', 'details', 'controls']);
    expect(same.plans).toEqual([]);
    const later = session.advance(60000, 4, view);
    expect(later.unchanged).not.toContain('plans');
    expect(later.plans[0].status).toBe('COMPLETE');
  });

  test('plan and pod controls come back with their answers, "already done" included', () => {
    const session = loaded(findBuiltinScenario('cassandra')!);
    session.advance(60000, 2, EMPTY_VIEW);
    session.inject({ type: 'plan.interrupt', framework: 'cassandra', plan: 'deploy' }, 3, EMPTY_VIEW);
    const frame = session.inject({ type: 'plan.interrupt', framework: 'cassandra', plan: 'deploy' }, 4, EMPTY_VIEW);
    expect(frame.controls.map((control) => [control.control, control.ok, control.changed])).toEqual([
      ['plan.interrupt', true, true],
      ['plan.interrupt', true, false],
    ]);
    expect(frame.controls[1].message).toMatch(/^already done/);
    const replaced = session.inject({ type: 'pod.replace', framework: 'cassandra', pod: 'node-0' }, 5, EMPTY_VIEW);
    expect(replaced.plans.map((plan) => plan.name)).toEqual(['deploy', 'recovery']);
  });

  test("counts are of the cluster: every built-in scenario ends with the report's counts, master failovers included", () => {
    for (const input of builtinScenarios) {
      const session = loaded(input);
      const frame = session.advance(Number.MAX_SAFE_INTEGER, 2, EMPTY_VIEW);
      const report = session.report();
      for (const framework of report.frameworks)
        expect(frame.frameworks.find((f) => f.id === framework.id)?.tasks, `${input.name} ${framework.id}`).toEqual(framework.tasks);
      for (const [name, value] of Object.entries(report.counters)) expect(frame.counters[name], `${input.name} ${name}`).toBe(value);
      const cycles = frame.offerCycles.map((cycle) => cycle.cycle);
      expect(new Set(cycles).size, input.name).toBe(cycles.length);
    }
  });

  test('after a failover the cycles go on numbering, agents wait to re-register, and a rewind keeps the faults ahead', () => {
    const session = loaded(failureRecovery);
    const before = session.advance(10000, 2, EMPTY_VIEW);
    const failedOver = session.inject({ type: 'master.failover' }, 3, EMPTY_VIEW);
    expect([...failedOver.agents.statusCounts]).toEqual([0, 0, 0, 6]);
    expect(session.agentDetail('agent-1')).toMatchObject({ status: 'reregistering', hostUp: true });
    const later = session.advance(20000, 4, EMPTY_VIEW);
    expect(later.agents.statusCounts[0]).toBe(6);
    const last = later.offerCycles[later.offerCycles.length - 1];
    expect(last.incarnation).toBe(2);
    expect(last.cycle).toBeGreaterThan(before.offerCycles[before.offerCycles.length - 1].cycle);
    expect(later.taskStates.TASK_RUNNING).toBe(before.taskStates.TASK_RUNNING);
    const rewound = session.seek(5000, 5, EMPTY_VIEW);
    expect(rewound.faults).toEqual([{ type: 'master.failover', atMs: 10000 }]);
    expect(rewound.faultsApplied).toBe(0);
  });

  test('faults injected at the same moment replay in the order they were applied', () => {
    const session = loaded(failureRecovery);
    session.advance(5000, 2, EMPTY_VIEW);
    session.inject({ type: 'network.partition', agents: ['agent-2'] }, 3, EMPTY_VIEW);
    session.advance(17000, 4, EMPTY_VIEW);
    session.inject({ type: 'network.heal', agents: ['agent-2'] }, 5, EMPTY_VIEW);
    session.inject({ type: 'master.failover' }, 6, EMPTY_VIEW);
    const live = session.advance(30000, 7, EMPTY_VIEW).digest;
    session.seek(0, 8, EMPTY_VIEW);
    expect(session.seek(30000, 9, EMPTY_VIEW).digest).toBe(live);
    const shared = new SimulatorSession().load({ scenario: failureRecovery, faults: [...session.faults], untilMs: 30000 }, 1, EMPTY_VIEW);
    expect(shared.ok && shared.frame.digest).toBe(live);
  });

  test('Explain answers in seconds, from a log long enough for what Offers shows, and says when an agent is down', () => {
    const session = loaded(findBuiltinScenario('weighted-roles')!);
    session.advance(11000, 2, EMPTY_VIEW);
    const offered = session.explain('light-jobs', 'agent-1');
    expect(offered.outcome).not.toBe('no_record');
    expect(offered.message).not.toMatch(/\d{4,} ms/);
    const recovery = loaded(failureRecovery);
    recovery.advance(8000, 2, EMPTY_VIEW);
    recovery.inject({ type: 'agent.crash', agent: 'agent-3' }, 3, EMPTY_VIEW);
    recovery.advance(15000, 4, EMPTY_VIEW);
    const down = recovery.explain('jobs', 'agent-3');
    expect(down.agentStatus).toBe('down');
    expect(down.message).toMatch(/^agent-3 is down now.*In cycle \d+ at 8 s \(7 s ago/);
  });

  test('the matrix counts every agent once per framework, and pages one framework by outcome', () => {
    const session = loaded(findBuiltinScenario('weighted-roles')!);
    session.advance(11000, 2, EMPTY_VIEW);
    const matrix = session.explainMatrix({});
    expect(matrix.frameworks.length).toBeGreaterThan(1);
    for (const id of matrix.frameworks)
      expect(Object.values(matrix.summary[id]).reduce((sum, count) => sum + count, 0)).toBe(matrix.agents);
    const [outcome, count] = Object.entries(matrix.summary[matrix.frameworks[1]])[0];
    const row = session.explainMatrix({ frameworkId: matrix.frameworks[1], outcome, limit: 1 });
    expect(row).toMatchObject({ framework: matrix.frameworks[1], matched: count });
    expect(row.cells).toHaveLength(1);
    expect(row.cells[0].outcome).toBe(outcome);
    expect(row.cells[0].reasons[0].code).toBe(outcome);
  });

  test('Explain lists every reason that applies, as GET /explain does', () => {
    const recovery = loaded(failureRecovery);
    recovery.advance(8000, 2, EMPTY_VIEW);
    recovery.inject({ type: 'framework.suppress', framework: 'jobs' }, 3, EMPTY_VIEW);
    recovery.inject({ type: 'agent.drain', agent: 'agent-3' }, 4, EMPTY_VIEW);
    recovery.advance(12000, 5, EMPTY_VIEW);
    const codes = recovery.explain('jobs', 'agent-3').reasons.map((reason) => reason.code);
    expect(codes).toEqual(expect.arrayContaining(['SUPPRESSED', 'AGENT_DRAINING']));
  });

  test('long lists in framework details keep their latest entries and say how many went', () => {
    expect(trimDetails({ jobs: [1, 2, 3, 4], summary: { finished: 4 } }, 2)).toEqual({
      jobs: [3, 4],
      jobsOmitted: 2,
      summary: { finished: 4 },
    });
  });

  test("Jain's index is 1 for equal shares and 1/n when one role has everything", () => {
    expect(jainIndex([0.5, 0.5])).toBe(1);
    expect(jainIndex([1, 0, 0, 0])).toBe(0.25);
    expect(jainIndex([])).toBe(1);
  });
});

describe('share URL', () => {
  test('round-trips scenario, seed, faults and time', () => {
    const state = {
      scenario: 'failure-recovery',
      seed: 9,
      faults: [{ atMs: 8000, type: 'agent.crash' as const, agent: 'agent-3' }],
      atMs: 88000,
    };
    expect(decodeSharedState(encodeSharedState(state))).toEqual(state);
  });

  test('carries an edited scenario whole', () => {
    const scenario = { ...findBuiltinScenario('drf-paper')!, name: 'mine ✓' };
    expect(decodeSharedState(encodeSharedState({ scenario, faults: [], atMs: 0 }))?.scenario).toEqual(scenario);
  });

  test('a hash without shared state decodes to null', () => {
    expect(decodeSharedState('#nothing=here')).toBeNull();
    expect(decodeSharedState('#json=%%%')).toBeNull();
  });
});
