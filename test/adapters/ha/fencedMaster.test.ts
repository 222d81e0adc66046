/**
 * A master whose state write is refused with not_leader (it lost leadership
 * and has not noticed yet) must not act: the step's effects never leave it,
 * and it marks itself fenced so that the daemon stops serving. So must a
 * master told by its election that it no longer leads, between two steps.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Effect } from '@allot/kernel';
import { frameworkSpec } from '../../../adapters/src/master/frameworkInfo.js';
import { MasterHost } from '../../../adapters/src/master/masterHost.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import type { CommitResult, StoreWrite } from '../../../adapters/src/store/stateStore.js';

class DeposableStore extends MemoryStore {
  leading = true;
  override async commit(writes: readonly StoreWrite[]): Promise<CommitResult> {
    if (!this.leading) return { ok: false, code: 'not_leader', message: 'leadership ended', key: null, actualVersion: 0 };
    return super.commit(writes);
  }
}

describe('a fenced master', () => {
  it('sends no effects once a write was refused with not_leader', async () => {
    const store = new DeposableStore();
    const host = new MasterHost(store, pino({ level: 'silent' }), {});
    await host.recover();
    const sent: Effect[] = [];
    host.onEffects((effects) => sent.push(...effects));
    try {
      await host.run((nowMs) => ({
        type: 'framework.subscribe',
        nowMs,
        framework: frameworkSpec('fw-1', { name: 'one', roles: ['a'] }, ['a']),
      }));
      const reconcile = () =>
        host.run((nowMs) => ({ type: 'framework.reconcile', nowMs, frameworkId: 'fw-1', tasks: [{ taskId: 'nope' }] }));
      await reconcile();
      const whileLeading = sent.length;
      expect(whileLeading).toBeGreaterThan(0); // the reconciliation answer went out
      expect(host.fenced).toBe(false);

      // Leadership ends: the next durable change cannot be stored...
      store.leading = false;
      await host.run((nowMs) => ({ type: 'agent.add', nowMs, agent: { id: 'agent-1', resources: { cpus: 4, mem: 4096 } } }));
      expect(host.fenced).toBe(true);
      // ...and from then on it runs nothing: no command reaches the kernel, nothing leaves the master.
      const result = await reconcile();
      expect(result.rejection?.code).toBe('not_leader');
      expect(sent.length).toBe(whileLeading);
    } finally {
      host.close();
    }
  });

  it('runs no step once its election says it no longer leads, and sends nothing of a step it lost during', async () => {
    let leading = true;
    const host = new MasterHost(new MemoryStore(), pino({ level: 'silent' }), {}, undefined, () => leading);
    await host.recover();
    const sent: Effect[] = [];
    host.onEffects((effects) => sent.push(...effects));
    try {
      await host.run((nowMs) => ({
        type: 'framework.subscribe',
        nowMs,
        framework: frameworkSpec('fw-1', { name: 'one', roles: ['a'] }, ['a']),
      }));
      const before = sent.length;
      // The leadership ends while a step runs: that step's effects stay in.
      const lostDuring = await host.run((nowMs) => {
        leading = false;
        return { type: 'framework.reconcile', nowMs, frameworkId: 'fw-1', tasks: [{ taskId: 'nope' }] };
      });
      expect(lostDuring.effects.length).toBeGreaterThan(0);
      expect(sent.length).toBe(before);
      expect(host.fenced).toBe(true);
      const after = await host.run((nowMs) => ({ type: 'agent.add', nowMs, agent: { id: 'agent-1', resources: { cpus: 1, mem: 64 } } }));
      expect(after.rejection?.code).toBe('not_leader');
      expect(host.master.agents.size).toBe(0);
    } finally {
      host.close();
    }
  });
});
