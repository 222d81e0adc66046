import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../kernel/src/prng.js';
import type { StatusUpdate } from '../../../kernel/src/tasks/statusUpdateManager.js';
import { StatusUpdateManager, uuidFromPrng } from '../../../kernel/src/tasks/statusUpdateManager.js';
import { TaskKeys } from '../../../kernel/src/sim/taskKeys.js';
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
    // A Prng without nextUint32 (a host's own) gives the same uuids from the same draws.
    const plain = createPrng(1);
    expect(uuidFromPrng({ next: plain.next, nextInt: plain.nextInt })).toBe(a);
  });

  it('behaves the same with interned keys as with string keys, order of resends included', () => {
    const script = (manager: StatusUpdateManager, keys: TaskKeys | null): string[] => {
      const prng = createPrng(3);
      const out: string[] = [];
      let uuid = 0;
      for (let nowMs = 0; nowMs < 200_000; nowMs += 1000) {
        const frameworkId = `f${prng.nextInt(3)}`;
        const taskId = `t${prng.nextInt(20)}`;
        if (prng.nextInt(2) === 0) {
          const pending = manager.pending(frameworkId, taskId);
          if (pending.length < 3 && !pending.some((u) => u.state === 'TASK_FINISHED')) {
            const state = pending.length === 2 ? 'TASK_FINISHED' : 'TASK_RUNNING';
            const sent = manager.add({ ...update(`u${uuid++}`, state, taskId, frameworkId), timestampMs: nowMs }, nowMs);
            out.push(`add ${sent?.uuid ?? '-'}`);
          }
        } else {
          const head = manager.pending(frameworkId, taskId)[0];
          const result = manager.acknowledge(frameworkId, taskId, head?.uuid ?? 'none', nowMs);
          out.push(`ack ${result.ok ? (result.next?.uuid ?? 'done') : result.code}`);
          if (result.ok && !result.next && keys) keys.drop(frameworkId, taskId);
        }
        out.push(`due ${manager.due(nowMs).map((u) => u.uuid)} ${manager.pendingCount} ${manager.nextRetryAtMs()}`);
      }
      out.push(`in flight ${manager.inFlight().map((u) => u.uuid)}`);
      return out;
    };
    const keys = new TaskKeys();
    const interned = script(new StatusUpdateManager(keys), keys);
    expect(interned).toEqual(script(new StatusUpdateManager(), null));
    expect(interned.some((line) => /^due u/.test(line))).toBe(true);
  });

  it('interns (framework, task) pairs to small keys, made again after a drop', () => {
    const keys = new TaskKeys();
    const a = keys.keyFor('fw-a', 'task-0');
    expect(keys.keyFor('fw-a', 'task-0')).toBe(a);
    expect(keys.keyFor('fw-b', 'task-0')).not.toBe(a);
    expect(keys.find('fw-a', 'task-1')).toBeUndefined();
    keys.drop('fw-a', 'task-0');
    expect(keys.find('fw-a', 'task-0')).toBeUndefined();
    expect(keys.keyFor('fw-a', 'task-0')).not.toBe(a);
  });
});
