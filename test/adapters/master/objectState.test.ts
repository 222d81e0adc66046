/**
 * The master's state as one store key per object: which keys a cluster
 * leaves (meta, agent, resources, framework, role; never a task), that a
 * task launch, its status updates and their acknowledgements write nothing,
 * that an agent re-registering unchanged writes nothing, that every value
 * stays the size of one object, and that a store in the old single-document
 * layout is migrated (and migrated again if the migration was cut short).
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Master } from '@allot/kernel';
import { createPrng, Master as KernelMaster, snapshotMaster } from '@allot/kernel';
import { frameworkSpec } from '../../../adapters/src/master/frameworkInfo.js';
import { MasterHost } from '../../../adapters/src/master/masterHost.js';
import { LEGACY_DOCUMENT_KEY } from '../../../adapters/src/master/stateKeys.js';
import { loadState } from '../../../adapters/src/master/stateLoader.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';

const quiet = pino({ level: 'silent' });

async function hostOn(store: MemoryStore): Promise<MasterHost> {
  const host = new MasterHost(store, quiet, { allocationIntervalMs: 100 });
  await host.recover();
  return host;
}

/** An agent, a framework in role r, and a weight on r. */
async function busyCluster(host: MasterHost): Promise<void> {
  const agent = { id: 'agent-1', hostname: 'h1', resources: { cpus: 4, mem: 4096 }, attributes: { rack: 'r1' } };
  await host.run((nowMs) => ({ type: 'agent.add', nowMs, agent }));
  host.registry.frameworks.set('fw-1', { id: 'fw-1', info: { name: 'one' }, roles: ['r'], failoverTimeoutMs: 0, registeredAtMs: 0 });
  await host.run((nowMs) => ({
    type: 'framework.subscribe',
    nowMs,
    framework: frameworkSpec('fw-1', { name: 'one', roles: ['r'] }, ['r']),
  }));
  await host.run((nowMs) => ({ type: 'role.update', nowMs, role: 'r', weight: 3 }));
}

async function launch(host: MasterHost, taskId: string): Promise<void> {
  // The host's own tick timer makes offers; wait for one (a few allocation intervals at most).
  let offer = host.master.offers.ofFramework('fw-1')[0];
  for (let tries = 0; !offer && tries < 100; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await host.run((nowMs) => ({ type: 'tick', nowMs }));
    offer = host.master.offers.ofFramework('fw-1')[0];
  }
  if (!offer) throw new Error('no offer');
  const resources = { ...offer.resources, scalars: host.master.layout.vector({ cpus: 0.1, mem: 32 }) };
  await host.run((nowMs) => ({
    type: 'offer.accept',
    nowMs,
    frameworkId: 'fw-1',
    offerIds: [offer.id],
    operations: [{ type: 'LAUNCH', tasks: [{ taskId, resources }] }],
    refuseSeconds: 0,
  }));
  await host.run((nowMs) => ({
    type: 'task.status',
    nowMs,
    agentId: 'agent-1',
    frameworkId: 'fw-1',
    taskId,
    state: 'TASK_RUNNING',
    uuid: `u-${taskId}`,
  }));
  await host.run((nowMs) => ({ type: 'task.acknowledge', nowMs, frameworkId: 'fw-1', agentId: 'agent-1', taskId, uuid: `u-${taskId}` }));
}

describe('per-object state', () => {
  it('keeps one key per agent, its resources, framework and role, and none per task', async () => {
    const store = new MemoryStore();
    const host = await hostOn(store);
    try {
      await busyCluster(host);
      await launch(host, 'task-1');
      const keys = [...(await store.list()).keys()].sort();
      expect(keys).toEqual(['agent.agent-1', 'framework.fw-1', 'meta', 'resources.agent-1', 'role.r']);
      const agent = JSON.parse((await store.get('agent.agent-1'))!.value);
      expect(agent).toMatchObject({ id: 'agent-1', status: 'admitted', hostname: 'h1', attributes: { rack: 'r1' } });
    } finally {
      host.close();
    }
  });

  it('writes nothing for task launches, updates and acknowledgements, however many', async () => {
    const store = new MemoryStore();
    const host = await hostOn(store);
    try {
      await busyCluster(host);
      const before = { ...host.storeStats };
      for (let index = 0; index < 20; index++) await launch(host, `task-${index}`);
      expect(host.master.frameworks.get('fw-1')!.tasks.size).toBe(20);
      expect(host.storeStats).toEqual(before);
      expect(Math.max(...[...(await store.list()).values()].map((stored) => stored.value.length))).toBeLessThan(2000);
    } finally {
      host.close();
    }
  });

  it('writes nothing when an agent re-registers unchanged, and its entry when it changes', async () => {
    const store = new MemoryStore();
    const host = await hostOn(store);
    try {
      await busyCluster(host);
      const before = host.storeStats.commits;
      const agent = { id: 'agent-1', hostname: 'h1', resources: { cpus: 4, mem: 4096 }, attributes: { rack: 'r1' } };
      await host.run((nowMs) => ({ type: 'agent.disconnect', nowMs, agentId: 'agent-1' }));
      await host.run((nowMs) => ({ type: 'agent.reregister', nowMs, agent, tasks: [] }));
      expect(host.storeStats.commits).toBe(before);
      await host.run((nowMs) => ({ type: 'agent.updateAttributes', nowMs, agentId: 'agent-1', attributes: { rack: 'r2' } }));
      expect(host.storeStats.commits).toBe(before + 1);
      expect(JSON.parse((await store.get('agent.agent-1'))!.value).attributes).toEqual({ rack: 'r2' });
    } finally {
      host.close();
    }
  });

  it('migrates a store holding the old single document, and again if the migration was cut short', async () => {
    const legacyMaster: Master = new KernelMaster({ prng: createPrng(1) });
    legacyMaster.step({ type: 'agent.add', nowMs: 0, agent: { id: 'old-agent', hostname: 'old', resources: { cpus: 2, mem: 1024 } } });
    legacyMaster.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: 'm-0003', name: 'old', roles: ['x'] } });
    legacyMaster.step({ type: 'role.update', nowMs: 0, role: 'x', weight: 2 });
    const document = {
      format: 'allot-master-state',
      version: 1,
      masterId: 'm',
      clockBaseMs: Date.now() - 10_000,
      lastNowMs: 5000,
      nextFrameworkSeq: 4,
      kernel: snapshotMaster(legacyMaster),
      frameworks: [
        { id: 'm-0003', info: { name: 'old', id: { value: 'm-0003' } }, roles: ['x'], failoverTimeoutMs: 60_000, registeredAtMs: 1 },
      ],
      agents: [{ id: 'old-agent', hostname: 'old', ip: '10.0.0.9', port: 5051, registeredAtMs: 2 }],
      tasks: [{ frameworkId: 'm-0003', taskId: 't', agentId: 'old-agent' }],
    };
    const store = new MemoryStore();
    await store.put(LEGACY_DOCUMENT_KEY, JSON.stringify(document));
    // A migration cut short left a few per-object keys beside the document: the document still wins.
    await store.put('agent.stale', JSON.stringify({ id: 'stale', status: 'admitted', sinceMs: null }));
    expect(loadState(await store.list())?.migrated).toBe(true);

    const host = await hostOn(store);
    try {
      const keys = [...(await store.list()).keys()].sort();
      expect(keys).toEqual(['agent.old-agent', 'framework.m-0003', 'meta', 'resources.old-agent', 'role.x']);
      expect([...host.master.recoveredAgents.keys()]).toEqual(['old-agent']);
      expect(host.registry.frameworks.get('m-0003')?.failoverTimeoutMs).toBe(60_000);
      expect(host.registry.agents.get('old-agent')?.ip).toBe('10.0.0.9');
      expect(host.registry.nextFrameworkSeq).toBe(4);
      expect(host.master.allocator.weight('x')).toBe(2);
      expect(host.master.epoch).toBe(2);
    } finally {
      host.close();
    }
    // And a restart reads the per-object layout, in the next epoch.
    const again = await hostOn(store);
    try {
      expect([...again.master.recoveredAgents.keys()]).toEqual(['old-agent']);
      expect(again.master.epoch).toBe(3);
    } finally {
      again.close();
    }
  });

  it('refuses a store with objects but no meta record rather than guessing', () => {
    const stored = new Map([['agent.x', { value: '{}', version: 1 }]]);
    expect(() => loadState(stored)).toThrow(/no "meta" record/);
    expect(loadState(new Map([['not-ours', { value: 'x', version: 1 }]]))).toBeNull();
  });
});
