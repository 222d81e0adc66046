/** Each aggregation rule of the SDK (docs/semantics.md "Services"), each strategy, and the controls. */
import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../kernel/src/prng.js';
import {
  activeSteps,
  forceComplete,
  interrupt,
  newPhase,
  newPlan,
  newStep,
  phaseStatus,
  planStatus,
  proceed,
  restart,
} from '../../../kernel/src/sdk/plan.js';
import type { Status } from '../../../kernel/src/sdk/status.js';
import { AGGREGATION_RULES, aggregateStatus } from '../../../kernel/src/sdk/status.js';
import { Strategy } from '../../../kernel/src/sdk/strategy.js';

const agg = (children: Status[], candidates: Status[], interrupted = false): Status =>
  aggregateStatus(children, candidates, interrupted).status;

describe('aggregation rules, in order', () => {
  it("lists the rules in the SDK's order", () => {
    expect(AGGREGATION_RULES.map((rule) => rule.result)).toEqual([
      'ERROR',
      'COMPLETE',
      'WAITING',
      'DELAYED',
      'IN_PROGRESS',
      'WAITING',
      'IN_PROGRESS',
      'IN_PROGRESS',
      'PENDING',
      'WAITING',
      'STARTING',
      'STARTED',
    ]);
  });

  it.each<[string, Status[], Status[], boolean, Status]>([
    ['any child ERROR wins over everything', ['COMPLETE', 'ERROR', 'PREPARED'], ['PREPARED'], true, 'ERROR'],
    ['all COMPLETE', ['COMPLETE', 'COMPLETE'], [], true, 'COMPLETE'],
    ['parent interrupted', ['COMPLETE', 'PENDING'], ['PENDING'], true, 'WAITING'],
    ['all candidates and unfinished children DELAYED', ['COMPLETE', 'DELAYED'], ['DELAYED'], false, 'DELAYED'],
    ['a DELAYED candidate with another child still pending is not DELAYED', ['DELAYED', 'PENDING'], ['DELAYED'], false, 'ERROR'],
    ['any child PREPARED', ['PREPARED', 'WAITING'], ['WAITING'], false, 'IN_PROGRESS'],
    ['any candidate WAITING', ['PENDING', 'WAITING'], ['WAITING'], false, 'WAITING'],
    ['any candidate IN_PROGRESS', ['IN_PROGRESS', 'PENDING'], ['IN_PROGRESS'], false, 'IN_PROGRESS'],
    ['some child COMPLETE and a candidate STARTED', ['COMPLETE', 'STARTED'], ['STARTED'], false, 'IN_PROGRESS'],
    ['a candidate PENDING', ['PENDING', 'PENDING'], ['PENDING'], false, 'PENDING'],
    ['any child WAITING (not a candidate)', ['WAITING', 'STARTING'], ['STARTING'], false, 'WAITING'],
    ['a candidate STARTING', ['STARTING'], ['STARTING'], false, 'STARTING'],
    ['a candidate STARTED', ['STARTED'], ['STARTED'], false, 'STARTED'],
    ['nothing matches', ['STARTED'], [], false, 'ERROR'],
  ])('%s', (_name, children, candidates, interrupted, expected) => {
    expect(agg(children, candidates, interrupted)).toBe(expected);
  });
});

describe('strategies', () => {
  const children = (...statuses: Status[]) => statuses.map((status, i) => ({ name: `s${i}`, status }));

  it('serial: the first unfinished child', () => {
    expect(new Strategy({ kind: 'serial' }).candidates(children('COMPLETE', 'PENDING', 'PENDING'))).toEqual([1]);
  });

  it('parallel: every unfinished child', () => {
    expect(new Strategy({ kind: 'parallel' }).candidates(children('COMPLETE', 'PENDING', 'STARTING'))).toEqual([1, 2]);
  });

  it('dependency: children whose dependencies are complete', () => {
    const strategy = new Strategy({ kind: 'dependency', dependencies: { s2: ['s0', 's1'], s1: ['s0'] } });
    expect(strategy.candidates(children('PENDING', 'PENDING', 'PENDING'))).toEqual([0]);
    expect(strategy.candidates(children('COMPLETE', 'PENDING', 'PENDING'))).toEqual([1]);
    expect(strategy.candidates(children('COMPLETE', 'COMPLETE', 'PENDING'))).toEqual([2]);
  });

  it('canary: the first n steps wait for a proceed each, then serial', () => {
    const phase = newPhase(
      'update',
      ['a', 'b', 'c'].map((n) => newStep(n, ['t'], 'launch')),
      { kind: 'canary', canaries: 2 },
    );
    const plan = newPlan('update', 'deploy', [phase]);
    expect(phaseStatus(phase)).toBe('WAITING');
    expect(activeSteps(plan)).toEqual([]);
    expect(proceed(plan, 'update')).toMatchObject({ changed: true });
    expect(activeSteps(plan).map((s) => s.podInstance)).toEqual(['a']);
    phase.steps[0].status = 'COMPLETE';
    expect(activeSteps(plan)).toEqual([]); // the second canary waits too
    proceed(plan, 'update');
    expect(activeSteps(plan).map((s) => s.podInstance)).toEqual(['b']);
    phase.steps[1].status = 'COMPLETE';
    expect(activeSteps(plan).map((s) => s.podInstance)).toEqual(['c']); // after the canaries: serial
    expect(proceed(plan, 'update')).toMatchObject({ changed: false, message: expect.stringMatching(/^already done/) });
  });

  it('random: serial in a seeded random order', () => {
    const order = (seed: number): number[] => {
      const strategy = new Strategy({ kind: 'random' }, createPrng(seed));
      const statuses: Status[] = ['PENDING', 'PENDING', 'PENDING', 'PENDING'];
      const out: number[] = [];
      for (let i = 0; i < 4; i++) {
        const [next] = strategy.candidates(children(...statuses));
        out.push(next);
        statuses[next] = 'COMPLETE';
      }
      return out;
    };
    expect(order(5)).toEqual(order(5));
    expect([...order(5)].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('plans and controls', () => {
  function deploy() {
    const phase = newPhase(
      'node',
      [0, 1, 2].map((i) => newStep(`node-${i}`, ['server'], 'launch')),
      { kind: 'serial' },
    );
    return { plan: newPlan('deploy', 'deploy', [phase]), phase };
  }

  it('rolls up step statuses to the phase and the plan', () => {
    const { plan, phase } = deploy();
    expect(planStatus(plan)).toBe('PENDING');
    phase.steps[0].status = 'STARTING';
    expect(phaseStatus(phase)).toBe('STARTING');
    phase.steps[0].status = 'COMPLETE';
    expect(planStatus(plan)).toBe('IN_PROGRESS');
    for (const step of phase.steps) step.status = 'COMPLETE';
    expect(planStatus(plan)).toBe('COMPLETE');
  });

  it('interrupt stops before the next step; continue resumes; no-ops say already done', () => {
    const { plan, phase } = deploy();
    phase.steps[0].status = 'COMPLETE';
    expect(interrupt(plan, 'node')).toMatchObject({ changed: true });
    expect(activeSteps(plan)).toEqual([]);
    expect(phaseStatus(phase)).toBe('WAITING');
    expect(interrupt(plan, 'node')).toMatchObject({ changed: false });
    expect(proceed(plan, 'node')).toMatchObject({ changed: true });
    expect(activeSteps(plan).map((s) => s.podInstance)).toEqual(['node-1']);
  });

  it('restart and force-complete', () => {
    const { plan, phase } = deploy();
    expect(forceComplete(plan, 'node', 'node-0')).toMatchObject({ changed: true });
    expect(phase.steps[0].status).toBe('COMPLETE');
    expect(forceComplete(plan, 'node', 'node-0')).toMatchObject({ changed: false });
    expect(restart(plan, 'node', 'node-0')).toMatchObject({ changed: true });
    expect(phase.steps[0].status).toBe('PENDING');
    expect(restart(plan, 'node', 'nope')).toMatchObject({ ok: false, code: 'unknown_step' });
  });

  it('custom plans start interrupted', () => {
    const custom = newPlan('backup', 'custom', [newPhase('all', [newStep('node-0', ['backup'], 'launch')], { kind: 'serial' })]);
    expect(planStatus(custom)).toBe('WAITING');
    expect(proceed(custom)).toMatchObject({ changed: true });
    expect(planStatus(custom)).toBe('PENDING');
  });
});
