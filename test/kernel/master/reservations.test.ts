/**
 * docs/semantics.md "Reservations and persistent volumes" on a real Master: dynamic reservations and persistent
 * volumes through the ACCEPT pipeline and the operator commands.
 */
import { describe, expect, it } from 'vitest';
import type { Offer } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

function offered(): { h: Harness; offer: Offer } {
  const h = new Harness().agent('a1', { cpus: 4, mem: 4096, disk: 10000 });
  h.framework('db', ['db'], { capabilities: ['PARTITION_AWARE'] });
  return { h, offer: h.tick().get('db')![0] };
}

describe('RESERVE, CREATE and LAUNCH in one ACCEPT', () => {
  it('reserves, creates a volume, launches on both and keeps them through a task restart', () => {
    const { h, offer } = offered();
    const labels = { resource_id: 'r-1' };
    const reserve = h.reserved('db', { cpus: 1, mem: 1024, disk: 2000 }, { labels });
    const volume = h.reserved('db', { disk: 2000 }, { labels, volume: 'data-0' });
    const taskResources = {
      scalars: h.master.layout.zero(),
      ports: [],
      reserved: [h.reserved('db', { cpus: 1, mem: 1024 }, { labels }).reserved[0], volume.reserved[0]],
    };
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [offer.id],
      operations: [
        { type: 'RESERVE', resources: reserve },
        { type: 'CREATE', volumes: volume },
        { type: 'LAUNCH', tasks: [{ taskId: 'node-0', resources: taskResources }] },
      ],
      refuseSeconds: 0,
    });
    expect(result.rejection).toBeNull();
    expect(result.effects.filter((e) => e.type === 'agent.resources')).toHaveLength(2);
    expect(h.master.layout.quantities(h.master.allocator.quota.consumed('db'))).toEqual({ cpus: 1, mem: 1024, disk: 2000 });
    expect(checkInvariants(h.master)).toEqual([]);

    h.status('a1', 'db', 'node-0', 'TASK_FAILED', 'u1');
    // The reservation and the volume stay, and come back in the next offer to db.
    const again = h.tick(1000).get('db')!;
    const keys = again[0].resources.reserved.map(
      (part) => `${part.role}:${part.volume?.persistenceId ?? '-'}:${JSON.stringify(h.master.layout.quantities(part.scalars))}`,
    );
    expect(keys.sort()).toEqual(['db:-:{"cpus":1,"mem":1024}', 'db:data-0:{"disk":2000}']);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('never offers a dynamic reservation outside its role subtree', () => {
    const { h, offer } = offered();
    h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [offer.id],
      operations: [{ type: 'RESERVE', resources: h.reserved('db', { cpus: 2 }) }],
    });
    h.step({ type: 'framework.suppress', frameworkId: 'db' });
    h.framework('web', ['web']);
    const webOffer = h.tick().get('web')![0];
    expect(webOffer.resources.reserved).toEqual([]);
    expect(h.quantities(webOffer)).toEqual({ cpus: 2, mem: 4096, disk: 10000 });
  });
});

describe('rules', () => {
  it("rejects RESERVE for another role than the offer's", () => {
    const { h, offer } = offered();
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [offer.id],
      operations: [{ type: 'RESERVE', resources: h.reserved('web', { cpus: 1 }) }],
    });
    expect(result.rejection).toMatchObject({ code: 'invalid_reservation' });
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('keeps persistence ids unique per role per agent', () => {
    const { h, offer } = offered();
    const volume = h.reserved('db', { disk: 100 }, { volume: 'v' });
    h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [offer.id],
      operations: [
        { type: 'RESERVE', resources: h.reserved('db', { disk: 200 }) },
        { type: 'CREATE', volumes: volume },
      ],
      refuseSeconds: 0,
    });
    const next = h.tick(1000).get('db')![0];
    const result = h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [next.id],
      operations: [{ type: 'CREATE', volumes: volume }],
    });
    expect(result.rejection).toMatchObject({ code: 'volume_exists' });
  });

  it('refuses to UNRESERVE disk that holds a volume, or to DESTROY a volume in use', () => {
    const { h, offer } = offered();
    const volume = h.reserved('db', { disk: 100 }, { volume: 'v' });
    h.step({
      type: 'offer.accept',
      frameworkId: 'db',
      offerIds: [offer.id],
      operations: [
        { type: 'RESERVE', resources: h.reserved('db', { disk: 100, cpus: 1 }) },
        { type: 'CREATE', volumes: volume },
        {
          type: 'LAUNCH',
          tasks: [
            {
              taskId: 't',
              resources: {
                scalars: h.master.layout.zero(),
                ports: [],
                reserved: [h.reserved('db', { cpus: 1 }).reserved[0], volume.reserved[0]],
              },
            },
          ],
        },
      ],
      refuseSeconds: 0,
    });
    expect(h.step({ type: 'operator.destroyVolumes', agentId: 'a1', role: 'db', volumes: volume }).rejection).toMatchObject({
      code: 'volume_in_use',
    });
    expect(h.step({ type: 'operator.unreserve', agentId: 'a1', role: 'db', resources: volume }).rejection).toMatchObject({
      code: 'volume_in_use',
    });
    h.status('a1', 'db', 't', 'TASK_FINISHED', 'u');
    expect(h.step({ type: 'operator.destroyVolumes', agentId: 'a1', role: 'db', volumes: volume }).ok).toBe(true);
    expect(h.step({ type: 'operator.unreserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { disk: 100 }) }).ok).toBe(true);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('merges reservations with the same role and labels, and unreserves part of them', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.step({ type: 'operator.reserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { cpus: 1 }) });
    h.step({ type: 'operator.reserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { cpus: 2 }) });
    const parts = () => h.master.agents.get('a1')!.total.reserved.map((part) => h.master.layout.quantities(part.scalars));
    expect(parts()).toEqual([{ cpus: 3 }]);
    expect(h.step({ type: 'operator.unreserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { cpus: 1 }) }).ok).toBe(true);
    expect(parts()).toEqual([{ cpus: 2 }]);
    expect(h.master.layout.quantities(h.master.agents.get('a1')!.total.scalars)).toEqual({ cpus: 2, mem: 4096 });
  });

  it('refines a reservation to a child role and pops back to the parent on UNRESERVE', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.step({ type: 'operator.reserve', agentId: 'a1', role: 'eng', resources: h.reserved('eng', { cpus: 2 }) });
    const stack = [{ role: 'eng', type: 'DYNAMIC' as const }];
    expect(
      h.step({ type: 'operator.reserve', agentId: 'a1', role: 'eng/web', resources: h.reserved('eng/web', { cpus: 1 }, { stack }) }).ok,
    ).toBe(true);
    const roles = () =>
      h.master.agents
        .get('a1')!
        .total.reserved.map((part) => `${part.reservations.map((r) => r.role).join('>')}:${h.master.layout.quantities(part.scalars).cpus}`)
        .sort();
    expect(roles()).toEqual(['eng:1', 'eng>eng/web:1']);
    expect(
      h.step({ type: 'operator.unreserve', agentId: 'a1', role: 'eng/web', resources: h.reserved('eng/web', { cpus: 1 }, { stack }) }).ok,
    ).toBe(true);
    expect(roles()).toEqual(['eng:2']);
    expect(
      h.step({ type: 'operator.reserve', agentId: 'a1', role: 'ops', resources: h.reserved('ops', { cpus: 1 }, { stack }) }).rejection,
    ).toMatchObject({ code: 'invalid_reservation' });
  });

  it('operator reservations rescind offers that hold the resources', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('f', ['other']);
    h.tick();
    const result = h.step({ type: 'operator.reserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { cpus: 4 }) });
    expect(result.ok).toBe(true);
    expect(result.events.map((e) => e.type)).toContain('offer.rescinded');
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('counts reservations, allocated or not, as consumed quota', () => {
    const h = new Harness().agent('a1', { cpus: 8, mem: 8192 });
    h.step({ type: 'role.update', role: 'db', quota: { limit: { cpus: 3 } } });
    h.step({ type: 'operator.reserve', agentId: 'a1', role: 'db', resources: h.reserved('db', { cpus: 2 }) });
    h.framework('f', ['db']);
    const offers = h.tick().get('f')!;
    // Limit 3, reservation 2: the offer holds the reservation and only 1 unreserved cpu.
    expect(offers.map((o) => h.quantities(o).cpus)).toEqual([1]);
    expect(h.master.layout.quantities(h.master.allocator.quota.consumed('db')).cpus).toBe(3);
    expect(checkInvariants(h.master)).toEqual([]);
  });
});
