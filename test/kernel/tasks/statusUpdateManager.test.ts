import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../kernel/src/prng.js';
import type { StatusUpdate } from '../../../kernel/src/tasks/statusUpdateManager.js';
import { StatusUpdateManager, uuidFromPrng } from '../../../kernel/src/tasks/statusUpdateManager.js';
import type { TaskState } from '../../../kernel/src/tasks/taskState.js';

const update = (uuid: string, state: TaskState, taskId = 't1', frameworkId = 'f'): StatusUpdate => ({
  uuid,
  taskId,
  frameworkId,
  agentId: 'a',
  state,
  timestampMs: 0,
});

describe('status update manager (reliable updates)', () => {
  it('keeps one update per task in flight and sends the next on acknowledgement', () => {
    const manager = new StatusUpdateManager();
    expect(manager.add(update('u1', 'TASK_RUNNING'), 0)?.uuid).toBe('u1');
    expect(manager.add(update('u2', 'TASK_FINISHED'), 0)).toBeNull(); // queued behind u1
    const ack = manager.acknowledge('f', 't1', 'u1', 5);
    expect(ack).toMatchObject({ ok: true, terminal: false, next: { uuid: 'u2' } });
    expect(manager.acknowledge('f', 't1', 'u2', 6)).toMatchObject({ ok: true, terminal: true, next: null });
    expect(manager.pendingCount).toBe(0);
  });

  it('resends after 10 s, doubling up to 10 minutes', () => {
    const manager = new StatusUpdateManager();
    manager.add(update('u1', 'TASK_RUNNING'), 0);
    const resendTimes: number[] = [];
    let now = 0;
    while (resendTimes.length < 9) {
      now = manager.nextRetryAtMs();
      if (manager.due(now).length > 0) resendTimes.push(now);
    }
    // 10 s, then +20, +40, +80, +160, +320, +600 (capped), +600, +600
    expect(resendTimes).toEqual([10_000, 30_000, 70_000, 150_000, 310_000, 630_000, 1_230_000, 1_830_000, 2_430_000]);
  });

  it('ignores stale and duplicate acknowledgements', () => {
    const manager = new StatusUpdateManager();
    manager.add(update('u1', 'TASK_RUNNING'), 0);
    manager.add(update('u2', 'TASK_FINISHED'), 0);
    expect(manager.acknowledge('f', 't1', 'u2', 1)).toMatchObject({ ok: false, code: 'stale_acknowledgement' });
    expect(manager.acknowledge('f', 't1', 'u1', 1).ok).toBe(true);
    expect(manager.acknowledge('f', 't1', 'u1', 2)).toMatchObject({ ok: false, code: 'stale_acknowledgement' });
    expect(manager.pending('f', 't1').map((u) => u.uuid)).toEqual(['u2']);
  });

  it('keeps the streams of two frameworks with the same task id apart', () => {
    const manager = new StatusUpdateManager();
    expect(manager.add(update('a1', 'TASK_RUNNING', 'task-0', 'fw-a'), 0)?.uuid).toBe('a1');
    expect(manager.add(update('b1', 'TASK_RUNNING', 'task-0', 'fw-b'), 0)?.uuid).toBe('b1'); // in flight too, not queued
    expect(manager.acknowledge('fw-a', 'task-0', 'b1', 1)).toMatchObject({ ok: false, code: 'stale_acknowledgement' });
    expect(manager.acknowledge('fw-b', 'task-0', 'b1', 1).ok).toBe(true);
    expect(manager.pending('fw-a', 'task-0').map((u) => u.uuid)).toEqual(['a1']);
    const restored = StatusUpdateManager.restore(JSON.parse(JSON.stringify(manager.snapshot())));
    expect(restored.pending('fw-a', 'task-0').map((u) => u.uuid)).toEqual(['a1']);
    expect(restored.pending('fw-b', 'task-0')).toEqual([]);
  });

  it('refuses updates after a terminal one (terminal is sticky)', () => {
    const manager = new StatusUpdateManager();
    manager.add(update('u1', 'TASK_FAILED'), 0);
    expect(() => manager.add(update('u2', 'TASK_RUNNING'), 0)).toThrow(/after terminal/);
  });

  it('survives a checkpoint round trip', () => {
    const manager = new StatusUpdateManager();
    manager.add(update('u1', 'TASK_RUNNING'), 0);
    manager.add(update('u2', 'TASK_FINISHED'), 0);
    const restored = StatusUpdateManager.restore(JSON.parse(JSON.stringify(manager.snapshot())));
    expect(restored.inFlight().map((u) => u.uuid)).toEqual(['u1']);
    expect(restored.nextRetryAtMs()).toBe(10_000);
  });

  it('makes version-4 uuids from a seeded prng, reproducibly', () => {
    const a = uuidFromPrng(createPrng(1));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidFromPrng(createPrng(1))).toBe(a);
  });
});
