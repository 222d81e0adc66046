import { describe, expect, it } from 'vitest';
import { canTransition, isTerminal, releasesResources, TASK_STATES, TASK_TRANSITIONS } from '../../../kernel/src/tasks/taskState.js';
import { visibleState } from '../../../kernel/src/tasks/visibleState.js';

describe('task state machine', () => {
  it('makes terminal states sticky', () => {
    for (const from of TASK_STATES.filter(isTerminal))
      for (const to of TASK_STATES) expect(canTransition(from, to), `${from} -> ${to}`).toBe(false);
  });

  it('allows the usual path STAGING -> STARTING -> RUNNING -> KILLING -> KILLED', () => {
    expect(canTransition('TASK_STAGING', 'TASK_STARTING')).toBe(true);
    expect(canTransition('TASK_STARTING', 'TASK_RUNNING')).toBe(true);
    expect(canTransition('TASK_RUNNING', 'TASK_KILLING')).toBe(true);
    expect(canTransition('TASK_KILLING', 'TASK_KILLED')).toBe(true);
    expect(canTransition('TASK_RUNNING', 'TASK_STAGING')).toBe(false);
    expect(canTransition('TASK_KILLING', 'TASK_RUNNING')).toBe(false);
  });

  it('lets an unreachable task come back, and never stores TASK_UNKNOWN', () => {
    expect(canTransition('TASK_UNREACHABLE', 'TASK_RUNNING')).toBe(true);
    for (const from of TASK_STATES) expect(canTransition(from, 'TASK_UNKNOWN')).toBe(false);
    expect(TASK_TRANSITIONS.TASK_UNKNOWN).toEqual([]);
  });

  it('releases resources in terminal states and in TASK_UNREACHABLE only', () => {
    const releasing = TASK_STATES.filter(releasesResources);
    expect(releasing).toEqual([
      'TASK_FINISHED',
      'TASK_FAILED',
      'TASK_KILLED',
      'TASK_ERROR',
      'TASK_LOST',
      'TASK_DROPPED',
      'TASK_UNREACHABLE',
      'TASK_GONE',
      'TASK_GONE_BY_OPERATOR',
    ]);
  });

  it('shows partition-unaware frameworks TASK_LOST for the finer states', () => {
    for (const state of ['TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN'] as const) {
      expect(visibleState(state, false)).toBe('TASK_LOST');
      expect(visibleState(state, true)).toBe(state);
    }
    expect(visibleState('TASK_FAILED', false)).toBe('TASK_FAILED');
  });
});
