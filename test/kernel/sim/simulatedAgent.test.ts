import { describe, expect, it } from 'vitest';
import { createPrng } from '../../../kernel/src/prng.js';
import { SimulatedAgent } from '../../../kernel/src/sim/simulatedAgent.js';
import type { StatusUpdate } from '../../../kernel/src/tasks/statusUpdateManager.js';
import { TaskRecord } from '../../../kernel/src/tasks/taskRecord.js';

/** An agent whose timers run when `advance` says so and whose updates are collected. */
function harness() {
  const sent: StatusUpdate[] = [];
  const timers: Array<{ atMs: number; run: () => void }> = [];
  const agent = new SimulatedAgent('a1', {
    schedule: (atMs, run) => timers.push({ atMs, run }),
    send: (update) => sent.push(update),
    prng: createPrng(1),
  });
  const advance = (toMs: number): void => {
    for (;;) {
      timers.sort((x, y) => x.atMs - y.atMs);
      if (timers.length === 0 || timers[0].atMs > toMs) return;
      timers.shift()!.run();
    }
  };
  const task = (frameworkId: string, id: string) =>
    new TaskRecord({
      id,
      frameworkId,
      role: 'r',
      agentId: 'a1',
      resources: { scalars: new Float64Array(1), ports: [], reserved: [] },
      state: 'TASK_STAGING',
    });
  return { agent, sent, advance, task };
}

describe('simulated agent', () => {
  it('keeps tasks of two frameworks with the same id apart, and relaunches an id once its updates are acknowledged', () => {
    const { agent, sent, advance, task } = harness();
    agent.launch(task('f1', 't'), 0);
    agent.launch(task('f2', 't'), 0);
    expect(sent.map((u) => `${u.frameworkId}/${u.taskId} ${u.state}`)).toEqual(['f1/t TASK_RUNNING', 'f2/t TASK_RUNNING']);
    for (const update of sent.splice(0)) agent.acknowledge(update.frameworkId, update.taskId, update.uuid, 1);
    agent.kill('f1', 't', 5000, false, 10);
    advance(2000);
    expect(sent.map((u) => `${u.frameworkId}/${u.taskId} ${u.state}`)).toEqual(['f1/t TASK_KILLED']);
    expect(agent.runningTasks.size).toBe(1);
    agent.acknowledge('f1', 't', sent.splice(0)[0].uuid, 2000);
    expect(agent.pendingUpdates).toBe(0);
    // The same ids again: a new task, reported and killable like the first.
    agent.launch(task('f1', 't'), 3000);
    expect(sent.map((u) => `${u.frameworkId}/${u.taskId} ${u.state}`)).toEqual(['f1/t TASK_RUNNING']);
    expect(agent.fail('f1', 't', 'boom', 3001)).toBe(true);
    expect(agent.fail('f1', 't', 'boom', 3002)).toBe(false);
    expect(agent.report().map((t) => `${t.frameworkId}/${t.taskId} ${t.state}`)).toEqual(['f2/t TASK_RUNNING']);
  });

  it('resends unacknowledged updates in the order they were first sent', () => {
    const { agent, sent, advance, task } = harness();
    for (const id of ['x', 'y', 'z']) agent.launch(task(id === 'y' ? 'f2' : 'f1', id), 0);
    agent.acknowledge('f2', 'y', sent[1].uuid, 5);
    sent.length = 0;
    advance(10_000);
    expect(sent.map((u) => u.taskId)).toEqual(['x', 'z']);
  });
});
