/**
 * The master's compact task record reads as the `Task` interface: names and
 * executor ids default to the task id, histories share interned entries, the
 * latest status is rebuilt from fields, and unacknowledged uuids come and go.
 */
import { describe, expect, it } from 'vitest';
import { HistoryEntries, TaskRecord } from '../../../kernel/src/tasks/taskRecord.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { uuidFromPrng } from '../../../kernel/src/tasks/statusUpdateManager.js';

const base = { id: 't1', frameworkId: 'f', role: 'r', agentId: 'a1', resources: { scalars: new Float64Array(4), ports: [], reserved: [] } };

describe('TaskRecord', () => {
  it('reads as a Task', () => {
    const task = new TaskRecord({ ...base, state: 'TASK_STAGING' });
    expect([task.name, task.executorId, task.latest, task.history, task.unacknowledged]).toEqual(['t1', 't1', null, [], []]);
    const named = new TaskRecord({ ...base, name: 'web', executorId: 'e1', data: { x: 1 }, state: 'TASK_STAGING' });
    expect([named.name, named.executorId, named.data]).toEqual(['web', 'e1', { x: 1 }]);
  });

  it('keeps the latest status as fields, reason, message and health included', () => {
    const task = new TaskRecord({ ...base, state: 'TASK_RUNNING' });
    task.latest = { taskId: 't1', frameworkId: 'f', agentId: 'a1', state: 'TASK_RUNNING', uuid: 'u1', healthy: true, timestampMs: 5 };
    expect(task.latest).toEqual({
      taskId: 't1',
      frameworkId: 'f',
      agentId: 'a1',
      state: 'TASK_RUNNING',
      uuid: 'u1',
      healthy: true,
      timestampMs: 5,
    });
    task.latest = {
      taskId: 't1',
      frameworkId: 'f',
      agentId: 'a1',
      state: 'TASK_FAILED',
      reason: 'REASON_TASK_INVALID',
      message: 'no',
      timestampMs: 6,
    };
    expect(task.latest).toEqual({
      taskId: 't1',
      frameworkId: 'f',
      agentId: 'a1',
      state: 'TASK_FAILED',
      reason: 'REASON_TASK_INVALID',
      message: 'no',
      timestampMs: 6,
    });
    expect(task.latestUuid).toBeUndefined();
  });

  it('keeps a check status (Mesos check_status) with the latest status, and drops it with the next status without one', () => {
    const task = new TaskRecord({ ...base, state: 'TASK_RUNNING' });
    const checked = {
      taskId: 't1',
      frameworkId: 'f',
      agentId: 'a1',
      state: 'TASK_RUNNING' as const,
      reason: 'REASON_TASK_CHECK_STATUS_UPDATED' as const,
      uuid: 'u2',
      checkStatus: { exitCode: 0 },
      timestampMs: 7,
    };
    task.setLatest(checked);
    expect(task.latest).toEqual(checked);
    task.setLatest({ taskId: 't1', frameworkId: 'f', agentId: 'a1', state: 'TASK_FINISHED', uuid: 'u3', timestampMs: 8 });
    expect(task.latest).toEqual({ taskId: 't1', frameworkId: 'f', agentId: 'a1', state: 'TASK_FINISHED', uuid: 'u3', timestampMs: 8 });
  });

  it('shares history entries between tasks that move at the same moment', () => {
    const entries = new HistoryEntries();
    const a = new TaskRecord({ ...base, state: 'TASK_STAGING' });
    const b = new TaskRecord({ ...base, id: 't2', state: 'TASK_STAGING' });
    for (const task of [a, b]) {
      task.appendHistory(entries.entry('TASK_STAGING', 1000, undefined));
      task.appendHistory(entries.entry('TASK_RUNNING', 1000, undefined));
    }
    expect(a.history).toEqual([
      { state: 'TASK_STAGING', atMs: 1000 },
      { state: 'TASK_RUNNING', atMs: 1000 },
    ]);
    expect(a.history[1]).toBe(b.history[1]);
    expect(entries.entry('TASK_FAILED', 1000, 'REASON_TASK_INVALID')).not.toBe(entries.entry('TASK_FAILED', 1000, undefined));
  });

  it('shares whole histories, frozen, between tasks that moved alike', () => {
    const entries = new HistoryEntries();
    const [a, b, c] = ['t1', 't2', 't3'].map((id) => new TaskRecord({ ...base, id, state: 'TASK_STAGING' }));
    for (const task of [a, b, c]) task.appendSharedHistory(entries.entry('TASK_STAGING', 1000, undefined), entries);
    for (const task of [a, b]) task.appendSharedHistory(entries.entry('TASK_RUNNING', 2000, undefined), entries);
    c.appendSharedHistory(entries.entry('TASK_FAILED', 2000, 'REASON_TASK_INVALID'), entries);
    expect(a.history).toBe(b.history);
    expect(Object.isFrozen(a.history)).toBe(true);
    expect(a.history).toEqual([
      { state: 'TASK_STAGING', atMs: 1000 },
      { state: 'TASK_RUNNING', atMs: 2000 },
    ]);
    expect(c.history).toEqual([
      { state: 'TASK_STAGING', atMs: 1000 },
      { state: 'TASK_FAILED', atMs: 2000, reason: 'REASON_TASK_INVALID' },
    ]);
    expect(c.history[0]).toBe(a.history[0]);
  });

  it('tracks unacknowledged uuids oldest first', () => {
    const task = new TaskRecord({ ...base, state: 'TASK_RUNNING' });
    task.addUnacknowledged('u1');
    task.addUnacknowledged('u2');
    task.addUnacknowledged('u3');
    expect(task.unacknowledged).toEqual(['u1', 'u2', 'u3']);
    expect(task.acknowledge('u2')).toBe(true);
    expect(task.acknowledge('u2')).toBe(false);
    expect([task.isUnacknowledged('u1'), task.isUnacknowledged('u2'), task.unacknowledgedCount]).toEqual([true, false, 2]);
    task.acknowledge('u1');
    task.acknowledge('u3');
    expect(task.unacknowledged).toEqual([]);
  });
});

describe('uuidFromPrng', () => {
  it('gives version-4 uuids, reproducibly', () => {
    const first = Array.from(
      { length: 50 },
      (
        (prng) => () =>
          uuidFromPrng(prng)
      )(createPrng(9)),
    );
    const again = Array.from(
      { length: 50 },
      (
        (prng) => () =>
          uuidFromPrng(prng)
      )(createPrng(9)),
    );
    expect(first).toEqual(again);
    for (const uuid of first) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
