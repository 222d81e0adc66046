/**
 * Mesos's maintenance primitives in the kernel: a schedule puts machines in
 * DRAINING, frameworks with tasks there get inverse offers, declines hold
 * for their filter, acceptance by every framework there drains the agent,
 * START_MAINTENANCE takes it DOWN (tasks TASK_GONE_BY_OPERATOR /
 * REASON_AGENT_DRAINING, agent removed, re-registration refused) and
 * STOP_MAINTENANCE brings it back. The schedule survives a failover.
 */
import { describe, expect, it } from 'vitest';
import type { Effect, InverseOffer } from '../../../kernel/src/index.js';
import { restoreMaster, snapshotMaster } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { Harness } from '../allocator/harness.js';

const inverseOffers = (effects: readonly Effect[]): InverseOffer[] =>
  effects.flatMap((effect) => (effect.type === 'framework.inverseOffers' ? [...effect.inverseOffers] : []));

function cluster(): Harness {
  const h = new Harness()
    .agent('a1', { cpus: 4, mem: 4096 }, { hostname: 'node-1' })
    .agent('a2', { cpus: 4, mem: 4096 }, { hostname: 'node-2' });
  h.framework('web', ['web'], { capabilities: ['PARTITION_AWARE'] }).framework('batch', ['batch']);
  // Each framework launches one task on a1 (the agents are offered to one framework at a time).
  const launched = new Set<string>();
  for (let round = 0; round < 20 && launched.size < 2; round++) {
    for (const [framework, offers] of h.tick(1000)) {
      for (const offer of offers) {
        if (offer.agentId === 'a1' && !launched.has(framework)) {
          h.launch(offer, `${framework}-1`, { cpus: 1, mem: 128 }, 0);
          launched.add(framework);
        } else h.decline(offer, 0);
      }
    }
  }
  if (launched.size < 2) throw new Error('set-up: both frameworks should run a task on a1');
  return h;
}

const window = (hostname: string, startMs = 60_000) => ({ machines: [{ hostname }], startMs, durationMs: 3_600_000 });

describe('maintenance schedules and inverse offers', () => {
  it('refuses invalid schedules with the reason', () => {
    const h = cluster();
    expect(h.step({ type: 'maintenance.schedule', windows: [window('node-1'), window('NODE-1')] }).rejection).toMatchObject({
      code: 'invalid_schedule',
      message: expect.stringMatching(/more than one window/),
    });
    expect(h.step({ type: 'maintenance.schedule', windows: [{ machines: [{}], startMs: 0, durationMs: null }] }).rejection?.code).toBe(
      'invalid_schedule',
    );
  });

  it('makes inverse offers to the frameworks with tasks on a scheduled machine, and re-offers after a decline filter', () => {
    const h = cluster();
    const scheduled = h.step({ type: 'maintenance.schedule', windows: [window('node-1')] });
    expect(scheduled.ok).toBe(true);
    expect(h.master.maintenance.modeOf({ hostname: 'node-1' })).toBe('DRAINING');
    const made = inverseOffers(scheduled.effects);
    expect(made.map((offer) => [offer.frameworkId, offer.agentId, offer.startMs]).sort()).toEqual([
      ['batch', 'a1', 60_000],
      ['web', 'a1', 60_000],
    ]);
    // No second inverse offer while one is outstanding.
    expect(inverseOffers(h.step({ type: 'tick' }).effects)).toEqual([]);
    const web = made.find((offer) => offer.frameworkId === 'web')!;
    expect(h.step({ type: 'inverseOffer.decline', frameworkId: 'web', inverseOfferIds: [web.id], refuseSeconds: 5 }).ok).toBe(true);
    h.nowMs += 1000;
    expect(inverseOffers(h.step({ type: 'tick' }).effects)).toEqual([]);
    h.nowMs += 5000;
    expect(inverseOffers(h.step({ type: 'tick' }).effects).map((offer) => offer.frameworkId)).toEqual(['web']);
    expect(h.master.maintenance.answerOf('node-1|', 'web')).toBe('DECLINE');
    expect(h.step({ type: 'inverseOffer.accept', frameworkId: 'web', inverseOfferIds: ['nope'] }).rejection?.code).toBe(
      'unknown_inverse_offer',
    );
  });

  it('drains the agent once every framework with tasks there has accepted', () => {
    const h = cluster();
    const made = inverseOffers(h.step({ type: 'maintenance.schedule', windows: [window('node-1')] }).effects);
    const accept = (framework: string) =>
      h.step({
        type: 'inverseOffer.accept',
        frameworkId: framework,
        inverseOfferIds: [made.find((offer) => offer.frameworkId === framework)!.id],
      });
    expect(accept('web').events.map((event) => event.type)).toEqual(['inverseOffer.accepted']);
    expect(h.master.agents.get('a1')!.connection).toBe('active');
    const last = accept('batch');
    expect(last.events.map((event) => event.type)).toContain('agent.draining');
    expect(
      last.effects
        .filter((effect) => effect.type === 'agent.kill')
        .map((effect) => (effect as { taskId: string }).taskId)
        .sort(),
    ).toEqual(['batch-1', 'web-1']);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('takes a machine DOWN and back UP', () => {
    const h = cluster();
    h.step({ type: 'maintenance.schedule', windows: [window('node-1')] });
    expect(h.step({ type: 'maintenance.start', machines: [{ hostname: 'node-2' }] }).rejection?.code).toBe('invalid_machines');
    const down = h.step({ type: 'maintenance.start', machines: [{ hostname: 'node-1' }] });
    expect(down.ok).toBe(true);
    expect(h.task('web', 'web-1')).toMatchObject({ state: 'TASK_GONE_BY_OPERATOR' });
    expect(h.task('web', 'web-1').latest?.reason).toBe('REASON_AGENT_DRAINING');
    expect(h.task('batch', 'batch-1').state).toBe('TASK_LOST'); // not partition-aware
    expect(down.effects).toContainEqual({ type: 'agent.shutdown', agentId: 'a1', reason: "Operator initiated 'Machine DOWN'" });
    expect(h.master.agents.has('a1')).toBe(false);
    expect(h.master.maintenance.modeOf({ hostname: 'node-1' })).toBe('DOWN');
    const again = h.step({ type: 'agent.add', agent: { id: 'a1', hostname: 'node-1', resources: { cpus: 4, mem: 4096 } } });
    expect(again.rejection?.code).toBe('machine_down');
    // A DOWN machine must stay in the schedule.
    expect(h.step({ type: 'maintenance.schedule', windows: [] }).rejection?.code).toBe('invalid_schedule');

    const survivor = restoreMaster(JSON.parse(JSON.stringify(snapshotMaster(h.master))), { prng: h.master.options.prng }, h.nowMs);
    expect(survivor.maintenance.modeOf({ hostname: 'node-1' })).toBe('DOWN');

    expect(h.step({ type: 'maintenance.stop', machines: [{ hostname: 'node-1' }] }).events.map((event) => event.type)).toEqual([
      'machine.up',
    ]);
    expect(h.master.maintenance.windows).toEqual([]);
    expect(h.step({ type: 'agent.add', agent: { id: 'a1', hostname: 'node-1', resources: { cpus: 4, mem: 4096 } } }).ok).toBe(true);
    expect(checkInvariants(h.master)).toEqual([]);
  });
});

describe('machines are (hostname, ip) pairs, as in Mesos', () => {
  /** Two agents announcing the same hostname from different addresses, each running a task of `web`. */
  function twins(): Harness {
    const h = new Harness()
      .agent('a1', { cpus: 2, mem: 1024 }, { hostname: 'node-1', ip: '10.0.0.1' })
      .agent('a3', { cpus: 2, mem: 1024 }, { hostname: 'node-1', ip: '10.0.0.3' });
    h.framework('web', ['web']);
    for (let round = 0; round < 10 && h.master.tasks.liveOn('a1').length + h.master.tasks.liveOn('a3').length < 2; round++)
      for (const offer of h.tick(1000).get('web') ?? [])
        if (h.master.tasks.liveOn(offer.agentId).length === 0) h.launch(offer, `web-${offer.agentId}`, { cpus: 1, mem: 128 }, 0);
        else h.decline(offer, 0);
    return h;
  }
  const machine = (hostname: string | undefined, ip: string | undefined) => ({
    machines: [{ ...(hostname ? { hostname } : {}), ...(ip ? { ip } : {}) }],
    startMs: 60_000,
    durationMs: null,
  });

  it('matches an agent when both hostname and ip match, the hostname in any case', () => {
    const h = twins();
    const scheduled = h.step({ type: 'maintenance.schedule', windows: [machine('NODE-1', '10.0.0.1')] });
    expect(inverseOffers(scheduled.effects).map((offer) => offer.agentId)).toEqual(['a1']);
    expect(h.master.maintenance.modeOf(h.master.agents.get('a1')!)).toBe('DRAINING');
    expect(h.master.maintenance.modeOf(h.master.agents.get('a3')!)).toBe('UP');
    // The same hostname with another ip is another machine: both fit in one schedule.
    expect(h.step({ type: 'maintenance.schedule', windows: [machine('node-1', '10.0.0.1'), machine('node-1', '10.0.0.3')] }).ok).toBe(true);
    expect(h.master.maintenance.modeOf(h.master.agents.get('a3')!)).toBe('DRAINING');
  });

  it('does not match when the ip differs, and matches on the one field given alone', () => {
    const h = twins();
    h.step({ type: 'maintenance.schedule', windows: [machine('node-1', '10.0.0.9')] });
    expect(h.master.maintenance.modeOf(h.master.agents.get('a1')!)).toBe('UP');
    h.step({ type: 'maintenance.schedule', windows: [machine(undefined, '10.0.0.3')] });
    expect(h.master.maintenance.modeOf(h.master.agents.get('a1')!)).toBe('UP');
    expect(h.master.maintenance.modeOf(h.master.agents.get('a3')!)).toBe('DRAINING');
    h.step({ type: 'maintenance.schedule', windows: [machine('node-1', undefined)] });
    expect(['a1', 'a3'].map((id) => h.master.maintenance.modeOf(h.master.agents.get(id)!))).toEqual(['DRAINING', 'DRAINING']);
  });

  it('takes down only the agent of the named (hostname, ip), and keeps refusing it by its address', () => {
    const h = twins();
    h.step({ type: 'maintenance.schedule', windows: [machine('node-1', '10.0.0.1')] });
    const down = h.step({ type: 'maintenance.start', machines: [{ hostname: 'node-1', ip: '10.0.0.1' }] });
    expect(down.ok).toBe(true);
    expect(h.master.agents.has('a1')).toBe(false);
    expect(h.master.agents.has('a3')).toBe(true);
    expect(h.task('web', 'web-a3').state).not.toBe('TASK_GONE_BY_OPERATOR');
    const back = h.step({ type: 'agent.add', agent: { id: 'a1', hostname: 'node-1', ip: '10.0.0.1', resources: { cpus: 2, mem: 1024 } } });
    expect(back.rejection?.code).toBe('machine_down');
    const elsewhere = h.step({
      type: 'agent.add',
      agent: { id: 'a4', hostname: 'node-1', ip: '10.0.0.4', resources: { cpus: 2, mem: 1024 } },
    });
    expect(elsewhere.ok).toBe(true);
    expect(checkInvariants(h.master)).toEqual([]);
  });

  it('reads DOWN machines of snapshots written when machines were keyed by hostname', () => {
    const h = new Harness();
    const snapshot = JSON.parse(JSON.stringify(snapshotMaster(h.master)));
    snapshot.maintenance = { windows: [machine('node-1', undefined)], down: ['host:node-1'], answers: [] };
    const restored = restoreMaster(snapshot, { prng: h.master.options.prng }, 0);
    expect(restored.maintenance.modeOf({ hostname: 'Node-1', ip: '10.0.0.1' })).toBe('DOWN');
  });
});
