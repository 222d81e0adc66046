/**
 * Reliable status updates through the runtime, with a fake clock driving
 * `tick()`: one update in flight per task, resent after 10 s then 20 s (the
 * kernel's StatusUpdateManager backoff), the next one sent only on the
 * acknowledgement of the current uuid, stale and duplicate acknowledgements
 * ignored, and the task forgotten (record removed) after its terminal update
 * is acknowledged.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWorkDir, removeWorkDir, startRuntime } from './harness.js';

const workDir = makeWorkDir('updates');
afterAll(() => removeWorkDir(workDir));

describe('AgentRuntime: status update retries and acknowledgements', () => {
  it('resends the update in flight with backoff until acknowledged, then sends the next', async () => {
    let nowMs = 1_000_000;
    const harness = await startRuntime(workDir, { clock: () => nowMs, autoResend: false, autoAcknowledge: false });
    const { runtime } = harness;

    await runtime.launch({ taskId: 't', frameworkId: 'fw', command: 'true' });
    expect(await runtime.whenTerminal('fw', 't')).toBe('TASK_FINISHED');
    // FINISHED is queued behind RUNNING: only RUNNING went out.
    expect(harness.states('t')).toEqual(['TASK_RUNNING']);
    const [running, finished] = runtime.pendingUpdates('fw', 't');
    expect([running.state, finished.state]).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);

    nowMs += 9_999;
    expect(runtime.tick()).toBe(0);
    nowMs += 1; // 10 s after the first send
    expect(runtime.tick()).toBe(1);
    nowMs += 19_999; // the backoff doubled to 20 s
    expect(runtime.tick()).toBe(0);
    nowMs += 1;
    expect(runtime.tick()).toBe(1);
    expect(harness.updates.map((update) => update.uuid)).toEqual([running.uuid, running.uuid, running.uuid]);

    expect(runtime.acknowledge('fw', 't', finished.uuid)).toMatchObject({ ok: false, code: 'stale_acknowledgement' });
    expect(runtime.acknowledge('fw', 't', running.uuid)).toEqual({ ok: true, terminal: false, next: finished });
    expect(harness.updates.at(-1)).toEqual(finished);
    expect(runtime.acknowledge('fw', 't', running.uuid)).toMatchObject({ ok: false, code: 'stale_acknowledgement' });

    const checkpoint = JSON.parse(readFileSync(join(workDir, 'meta', 'status_updates.json'), 'utf8'));
    expect(checkpoint.streams[0].queue.map((update: { uuid: string }) => update.uuid)).toEqual([finished.uuid]);
    expect(existsSync(join(workDir, 'meta', 'tasks', 'fw', 't.json'))).toBe(true);

    expect(runtime.acknowledge('fw', 't', finished.uuid)).toEqual({ ok: true, terminal: true, next: null });
    expect(runtime.tasks()).toEqual([]);
    expect(existsSync(join(workDir, 'meta', 'tasks', 'fw', 't.json'))).toBe(false);
    expect(runtime.acknowledge('fw', 't', finished.uuid)).toMatchObject({ ok: false, code: 'unknown_task' });
    runtime.close();
  });

  it('carries uuid, ids and a timestamp from the injected clock on every update', async () => {
    const harness = await startRuntime(makeWorkDir('updates-fields'), { clock: () => 42_000, autoResend: false });

    await harness.runtime.launch({ taskId: 'fields', frameworkId: 'fw-2', command: 'exit 0' });
    const finished = await harness.waitForState('fields', 'TASK_FINISHED');

    expect(finished).toMatchObject({
      taskId: 'fields',
      frameworkId: 'fw-2',
      agentId: 'agent-1',
      state: 'TASK_FINISHED',
      timestampMs: 42_000,
    });
    expect(finished.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    harness.runtime.close();
    removeWorkDir(harness.runtime.workDir);
  });
});
