/** docs/semantics.md "Agents and failures" on a real Master: agents through disconnection, partitions, drains and failover. */
import { describe, expect, it } from 'vitest';
import type { Effect, KernelEvent } from '../../../kernel/src/index.js';
import { restoreMaster, snapshotMaster } from '../../../kernel/src/master/snapshot.js';
import { createPrng } from '../../../kernel/src/prng.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

const updates = (effects: Effect[]): string[] =>
  effects.flatMap((e) => (e.type === 'framework.update' ? [`${e.frameworkId}/${e.status.taskId}:${e.status.state}`] : []));

/** Two frameworks, partition-aware "pa" and plain "old", each with one task on a1. */
function twoTasks(): Harness {
  const h = new Harness({ agentUnreachableTimeoutMs: 10_000 }).agent('a1', { cpus: 4, mem: 4096 });
  h.framework('old', ['r']);
  h.framework('pa', ['r'], { capabilities: ['PARTITION_AWARE'] });
  h.launch(h.tick().get('old')![0], 'x', { cpus: 1 }, 0);
  h.launch(h.tick(1000).get('pa')![0], 'y', { cpus: 1 }, 0);
  h.status('a1', 'old', 'x', 'TASK_RUNNING', 'u1');
  h.status('a1', 'pa', 'y', 'TASK_RUNNING', 'u2');
  return h;
}

describe('disconnection and partitions', () => {
  it('a disconnected agent gets no offers and turns unreachable after the timeout', () => {
    const h = twoTasks();
    const disconnect = h.step({ type: 'agent.disconnect', agentId: 'a1' });
    expect(disconnect.events.map((e) => e.type)).toContain('agent.disconnected');
    expect(h.tick(5000).size).toBe(0);
    h.nowMs += 5000;
    const timeout = h.step({ type: 'tick' });
    expect(updates(timeout.effects)).toEqual(['old/x:TASK_LOST', 'pa/y:TASK_UNREACHABLE']);
    expect(h.master.unreachableAgents.has('a1')).toBe(true);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('an unreachable agent that comes back: partition-aware tasks run again, the others are killed', () => {
    const h = twoTasks();
    h.step({ type: 'agent.unreachable', agentId: 'a1' });
    const back = h.step({
      type: 'agent.reregister',
      agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } },
      tasks: [
        { taskId: 'x', frameworkId: 'old', role: 'r', state: 'TASK_RUNNING', resources: h.unreserved({ cpus: 1 }) },
        { taskId: 'y', frameworkId: 'pa', role: 'r', state: 'TASK_RUNNING', resources: h.unreserved({ cpus: 1 }) },
      ],
    });
    expect(updates(back.effects)).toEqual(['pa/y:TASK_RUNNING']);
    expect(back.effects.filter((e) => e.type === 'agent.kill').map((e) => (e.type === 'agent.kill' ? e.taskId : ''))).toEqual(['x']);
    expect(h.task('pa', 'y').history.map((entry) => entry.state)).toEqual([
      'TASK_STAGING',
      'TASK_RUNNING',
      'TASK_UNREACHABLE',
      'TASK_RUNNING',
    ]);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('a crashed agent that restarts without its tasks: UNREACHABLE then GONE for partition-aware tasks', () => {
    const h = twoTasks();
    h.step({ type: 'agent.unreachable', agentId: 'a1' });
    const back = h.step({ type: 'agent.reregister', agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } }, tasks: [] });
    expect(updates(back.effects)).toEqual(['pa/y:TASK_GONE']);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('a disconnected agent that re-registers keeps what it reports and loses the rest', () => {
    const h = twoTasks();
    h.step({ type: 'agent.disconnect', agentId: 'a1' });
    const back = h.step({
      type: 'agent.reregister',
      agent: { id: 'a1', resources: { cpus: 4, mem: 4096 } },
      tasks: [{ taskId: 'y', frameworkId: 'pa', role: 'r', state: 'TASK_RUNNING', resources: h.unreserved({ cpus: 1 }) }],
    });
    expect(updates(back.effects)).toEqual(['old/x:TASK_LOST']);
    expect(h.master.agents.get('a1')!.connection).toBe('active');
    expect(checkInvariants(h.master)).toEqual([]);
  });
});

describe('operator: gone, drain, attributes', () => {
  it('marks an agent gone: GONE_BY_OPERATOR (or LOST), and it may never register again', () => {
    const h = twoTasks();
    const gone = h.step({ type: 'agent.markGone', agentId: 'a1' });
    expect(updates(gone.effects)).toEqual(['old/x:TASK_LOST', 'pa/y:TASK_GONE_BY_OPERATOR']);
    const again = h.step({ type: 'agent.add', agent: { id: 'a1', resources: { cpus: 1 } } });
    expect(again.rejection).toMatchObject({ code: 'agent_gone' });
    expect(again.effects).toMatchObject([{ type: 'agent.shutdown', agentId: 'a1' }]);
  });

  it('drains: kills every task, makes no offers, reports drained, and can mark the agent gone', () => {
    const h = twoTasks();
    const drain = h.step({ type: 'agent.drain', agentId: 'a1', markGone: true });
    expect(drain.effects.filter((e) => e.type === 'agent.kill')).toHaveLength(2);
    expect(h.tick(1000).size).toBe(0);
    h.status('a1', 'old', 'x', 'TASK_KILLED', 'k1');
    const last = h.status('a1', 'pa', 'y', 'TASK_KILLED', 'k2');
    expect(last.events.map((e: KernelEvent) => e.type)).toEqual(expect.arrayContaining(['agent.drained', 'agent.gone']));
    expect(h.master.goneAgents.has('a1')).toBe(true);
  });

  it('an attribute change clears every filter on the agent', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['r']);
    h.decline(h.tick().get('f')![0], 3600);
    expect(h.tick(1000).size).toBe(0);
    h.step({ type: 'agent.updateAttributes', agentId: 'a1', attributes: { rack: 'r2' } });
    expect(h.tick().get('f')!.length).toBe(1);
  });
});

describe('master failover', () => {
  it('restores agents, reservations and frameworks; agents re-register with their tasks; nothing is lost', () => {
    const h = twoTasks();
    h.step({ type: 'operator.reserve', agentId: 'a1', role: 'r', resources: h.reserved('r', { mem: 1024 }) });
    const snapshot = JSON.parse(JSON.stringify(snapshotMaster(h.master)));
    const master = restoreMaster(snapshot, { prng: createPrng(9), agentReregisterTimeoutMs: 60_000 }, h.nowMs);
    expect([...master.recoveredAgents.keys()]).toEqual(['a1']);
    expect(master.frameworks.get('pa')!.connected).toBe(false);
    const total = h.master.agents.get('a1')!.total;
    const now = h.nowMs + 2000;
    const back = master.step({
      type: 'agent.reregister',
      nowMs: now,
      agent: { id: 'a1', resources: {}, checkpointedTotal: total },
      tasks: [...h.master.frameworks.values()].flatMap((f) =>
        [...f.tasks.values()].map((t) => ({
          taskId: t.id,
          name: `name of ${t.id}`,
          frameworkId: f.id,
          role: t.role,
          state: t.state,
          resources: t.resources,
        })),
      ),
    });
    expect(back.ok).toBe(true);
    // The snapshot holds no tasks: the agent's report brings each one back, name included.
    expect(master.frameworks.get('pa')!.tasks.get('y')!.name).toBe('name of y');
    master.step({ type: 'framework.subscribe', nowMs: now, framework: { id: 'pa', roles: ['r'] } });
    expect(master.frameworks.get('pa')!.tasks.get('y')!.state).toBe('TASK_RUNNING');
    expect(master.frameworks.get('old')!.tasks.get('x')!.state).toBe('TASK_RUNNING');
    expect(master.agents.get('a1')!.total.reserved.map((part) => part.role)).toEqual(['r']);
    expect(checkInvariants(master)).toEqual([]);
    const offer = master.step({ type: 'tick', nowMs: now }).events.find((e) => e.type === 'offer.made');
    expect(offer && offer.type === 'offer.made' && offer.offer.id.startsWith('O2-')).toBe(true); // new epoch, new ids
  });

  it('agents that never come back turn unreachable after the re-registration timeout', () => {
    const h = twoTasks();
    const master = restoreMaster(snapshotMaster(h.master), { prng: createPrng(9), agentReregisterTimeoutMs: 60_000 }, h.nowMs);
    const result = master.step({ type: 'tick', nowMs: h.nowMs + 60_000 });
    expect(result.events.map((e) => e.type)).toContain('agent.unreachable');
    expect(master.unreachableAgents.has('a1')).toBe(true);
  });
});
