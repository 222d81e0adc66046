/**
 * The master's per-framework history for `allot fork` (frameworkHistory.ts)
 * on hand-made steps: only tasks that ran to TASK_FINISHED give a duration
 * (killed or failed ones were cut short), declines count their offers and
 * keep their refuse_seconds (Mesos's 5 s when none), samples and frameworks
 * are bounded, and a removed framework is forgotten.
 */
import type { Command, KernelEvent, StepResult, TaskState } from '@allot/kernel';
import { describe, expect, it } from 'vitest';
import { FrameworkHistory } from '../../../adapters/src/master/frameworkHistory.js';

type Json = Record<string, any>;

const tick = (nowMs: number): Command => ({ type: 'tick', nowMs });
const result = (events: KernelEvent[], ok = true): StepResult => ({ ok, rejection: null, events, effects: [] });
const update = (atMs: number, frameworkId: string, taskId: string, state: TaskState): KernelEvent => ({
  type: 'task.updated',
  atMs,
  previous: null,
  status: { taskId, frameworkId, agentId: 'a1', state, timestampMs: atMs },
});
const decline = (nowMs: number, frameworkId: string, offers: number, refuseSeconds?: number): Command => ({
  type: 'offer.decline',
  nowMs,
  frameworkId,
  offerIds: Array.from({ length: offers }, (_, i) => `o${i}`),
  ...(refuseSeconds !== undefined ? { refuseSeconds } : {}),
});
const entry = (history: FrameworkHistory, id: string): Json | undefined =>
  (history.toJson(0).frameworks as Json[]).find((framework) => framework.framework_id === id);

describe('FrameworkHistory', () => {
  it('times running to finished only, and counts declines with their filters', () => {
    const history = new FrameworkHistory();
    history.observe(tick(0), result([update(0, 'f1', 't1', 'TASK_RUNNING'), update(0, 'f1', 't2', 'TASK_RUNNING')]));
    history.observe(tick(0), result([update(0, 'f1', 't3', 'TASK_RUNNING'), update(10, 'f1', 't1', 'TASK_RUNNING')]));
    history.observe(tick(3000), result([update(3000, 'f1', 't1', 'TASK_FINISHED'), update(3000, 'f1', 't2', 'TASK_KILLED')]));
    history.observe(tick(5000), result([update(5000, 'f1', 't4', 'TASK_RUNNING')]));
    history.observe(decline(6000, 'f1', 2, 30), result([]));
    history.observe(decline(6100, 'f1', 1), result([]));
    history.observe(decline(6200, 'f1', 1, 99), result([], false));
    expect(entry(history, 'f1')).toEqual({
      framework_id: 'f1',
      tasks_finished: 1,
      task_duration_ms: { median: 3000, min: 3000, max: 3000, samples: 1 },
      running_since_ms: { t3: 0, t4: 5000 },
      declines: 3,
      refuse_seconds: { median: 17.5, min: 5, max: 30, samples: 2 },
    });
  });

  it('keeps the latest samples, at most so many frameworks, and forgets a removed one', () => {
    const history = new FrameworkHistory({ samplesMax: 3, frameworksMax: 2 });
    for (let i = 0; i < 5; i++) {
      history.observe(tick(i * 100), result([update(i * 100, 'f1', `t${i}`, 'TASK_RUNNING')]));
      history.observe(tick(i * 100 + (i + 1) * 10), result([update(i * 100 + (i + 1) * 10, 'f1', `t${i}`, 'TASK_FINISHED')]));
    }
    expect(entry(history, 'f1')?.task_duration_ms).toEqual({ median: 40, min: 30, max: 50, samples: 3 });
    expect(entry(history, 'f1')?.tasks_finished).toBe(5);
    history.observe(decline(0, 'f2', 1), result([]));
    history.observe(decline(0, 'f3', 1), result([]));
    expect(entry(history, 'f3')).toBeUndefined();
    history.observe(tick(1000), result([{ type: 'framework.removed', atMs: 1000, frameworkId: 'f1' }]));
    expect(entry(history, 'f1')).toBeUndefined();
    history.observe(decline(0, 'f3', 1), result([]));
    expect(entry(history, 'f3')?.declines).toBe(1);
  });
});
