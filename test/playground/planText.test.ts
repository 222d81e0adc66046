/**
 * Plans in words (playground/src/lib/planText.ts): the step reasons the SDK
 * records are split into agent, stage and text, and each step gets one
 * sentence on why it is where it is.
 */
import { describe, expect, test } from 'vitest';
import { parseReason, statusLook, stepPod, whyStep } from '../../playground/src/lib/planText.js';
import type { PlanFrame, PlanPhaseFrame } from '../../playground/src/worker/frame.js';

function plan(
  strategy: string,
  steps: Array<[string, string, string[]]>,
  status = 'IN_PROGRESS',
): { plan: PlanFrame; phase: PlanPhaseFrame } {
  const phase: PlanPhaseFrame = {
    name: 'node',
    status,
    strategy,
    steps: steps.map(([name, stepStatus, reasons]) => ({ name, status: stepStatus, reasons })),
  };
  return { plan: { framework: 'cassandra', name: 'deploy', kind: 'deploy', status, strategy: 'serial', phases: [phase] }, phase };
}

describe('parseReason', () => {
  test('an offer turned down names its agent, the stage and why', () => {
    expect(parseReason("agent-4: placement: node-1's reservations and volumes are on agent-3, not agent-4")).toEqual({
      agent: 'agent-4',
      stage: 'placement',
      text: "node-1's reservations and volumes are on agent-3, not agent-4",
    });
  });

  test('the offer taken lists its stages without an agent', () => {
    expect(parseReason('scalars: reserve cpus 1, mem 2048, disk 5000')).toEqual({
      agent: null,
      stage: 'scalars',
      text: 'reserve cpus 1, mem 2048, disk 5000',
    });
  });

  test('anything else is kept whole', () => {
    expect(parseReason("node-0 is not deployed yet: a plan's tasks run on its reservations")).toEqual({
      agent: null,
      stage: null,
      text: "node-0 is not deployed yet: a plan's tasks run on its reservations",
    });
  });
});

describe('whyStep', () => {
  test('a step behind another in a serial phase waits for it', () => {
    const { plan: p, phase } = plan('serial', [
      ['node-0:[server]', 'STARTED', []],
      ['node-1:[server]', 'PENDING', []],
    ]);
    expect(whyStep(phase.steps[1], phase, p)).toBe('node-1 waits for node-0: the node phase goes one step at a time.');
  });

  test('a step whose offers were all turned down says how many and at which stage', () => {
    const reasons = ['agent-4: placement: on agent-3, not agent-4', 'agent-2: placement: on agent-3, not agent-2'];
    const { plan: p, phase } = plan('serial', [['node-1:[server]', 'PREPARED', reasons]]);
    expect(whyStep(phase.steps[0], phase, p)).toBe('node-1 is not placed: the last 2 offers were turned down (placement ×2).');
  });

  test('a canary step waits for Continue', () => {
    const { plan: p, phase } = plan('canary', [['broker-0:[kafka]', 'WAITING', []]], 'WAITING');
    expect(whyStep(phase.steps[0], phase, p)).toContain('press Continue on the node phase');
  });

  test('a complete step says where it was launched', () => {
    const { plan: p, phase } = plan('serial', [['node-0:[server]', 'COMPLETE', ['launch: first launch of node-0 on agent-1']]]);
    expect(whyStep(phase.steps[0], phase, p)).toBe('node-0: first launch of node-0 on agent-1.');
  });
});

test('every status has a word beside its colour; unknown ones get their own name', () => {
  expect(statusLook('WAITING').label).toBe('waiting');
  expect(statusLook('SOMETHING_NEW').label).toBe('something new');
  expect(stepPod({ name: 'node-2:[server]', status: 'PENDING', reasons: [] })).toBe('node-2');
});
