/**
 * Issue 13, point 6 with a real master and agent: a maintenance window for
 * the agent's machine produces an inverse offer (and offers that carry the
 * unavailability); the framework's acceptance drains the machine; the
 * operator takes it down (the agent is shut down) and brings it back up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operator } from '../master/daemons.js';
import { SchedulerClient } from '../master/schedulerClient.js';
import type { MesosCluster } from './cluster.js';
import { getJson, runTask, startCluster } from './cluster.js';

const HOST = 'maintained-host';

describe('maintenance windows, inverse offers and machines going down', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    cluster = await startCluster('maintenance', [], ['--hostname', HOST]);
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'tenant' } });
    await runTask(scheduler, 'resident', 'sleep 120', 'TASK_RUNNING');
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
  }, 60_000);

  it('matches the machine on hostname and ip, as Mesos does', async () => {
    const url = cluster.master.url;
    const start = { nanoseconds: (Date.now() + 3_600_000) * 1e6 };
    const scheduleFor = (ip: string) => ({ windows: [{ machine_ids: [{ hostname: HOST, ip }], unavailability: { start } }] });
    // The agent's hostname with another address is another machine: its offers stay plain.
    const elsewhere = await operator(url, {
      type: 'UPDATE_MAINTENANCE_SCHEDULE',
      update_maintenance_schedule: { schedule: scheduleFor('10.255.255.1') },
    });
    expect(elsewhere.status).toBe(200);
    expect((await scheduler.freshOffer()).unavailability).toBeUndefined();
    // Its hostname and the address it registered from (127.0.0.1): this agent's machine.
    const here = await operator(url, {
      type: 'UPDATE_MAINTENANCE_SCHEDULE',
      update_maintenance_schedule: { schedule: scheduleFor('127.0.0.1') },
    });
    expect(here.status).toBe(200);
    expect((await scheduler.freshOffer()).unavailability).toEqual({ start });
    const cleared = await operator(url, {
      type: 'UPDATE_MAINTENANCE_SCHEDULE',
      update_maintenance_schedule: { schedule: { windows: [] } },
    });
    expect(cleared.status).toBe(200);
  }, 60_000);

  it('offers the machine back, drains it on acceptance, and takes it down and up', async () => {
    const url = cluster.master.url;
    const startNs = (Date.now() + 3_600_000) * 1e6;
    const schedule = { windows: [{ machine_ids: [{ hostname: HOST }], unavailability: { start: { nanoseconds: startNs } } }] };
    const from = scheduler.events.length;
    const updated = await operator(url, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } });
    expect(updated, JSON.stringify(updated.body)).toMatchObject({ status: 200 });
    expect((await operator(url, { type: 'GET_MAINTENANCE_SCHEDULE' })).body.get_maintenance_schedule.schedule).toEqual(schedule);
    expect((await getJson(`${url}/master/maintenance/schedule`)).body).toEqual(schedule);

    const inverse = await scheduler.waitFor((event) => event.type === 'INVERSE_OFFERS', 'an inverse offer', 20_000, from);
    const offer = inverse.inverse_offers.inverse_offers[0];
    expect(offer).toMatchObject({ framework_id: { value: scheduler.frameworkId }, unavailability: { start: { nanoseconds: startNs } } });
    const regular = await scheduler.freshOffer();
    expect(regular.unavailability).toEqual({ start: { nanoseconds: startNs } });
    await scheduler.call({ type: 'DECLINE', decline: { offer_ids: [regular.id], filters: { refuse_seconds: 60 } } });

    const status = (await operator(url, { type: 'GET_MAINTENANCE_STATUS' })).body.get_maintenance_status.status;
    expect(status.draining_machines).toEqual([{ id: { hostname: HOST }, statuses: [expect.objectContaining({ status: 'UNKNOWN' })] }]);

    const accepted = await scheduler.call({ type: 'ACCEPT_INVERSE_OFFERS', accept_inverse_offers: { inverse_offer_ids: [offer.id] } });
    expect(accepted.status).toBe(202);
    // Acceptance drains the machine: the task is killed and the agent takes no new work.
    await scheduler.waitForState('resident', 'TASK_KILLED', 30_000);
    const afterAccept = (await getJson(`${url}/master/maintenance/status`)).body;
    expect(afterAccept.draining_machines[0].statuses).toEqual([
      expect.objectContaining({ status: 'ACCEPT', framework_id: { value: scheduler.frameworkId } }),
    ]);
    const slave = (await getJson(`${url}/master/slaves`)).body.slaves[0];
    expect(slave.drain_info.state).toBe('DRAINED');

    const down = await fetch(`${url}/master/machine/down`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([{ hostname: HOST }]),
    });
    expect(down.status).toBe(200);
    expect((await operator(url, { type: 'GET_MAINTENANCE_STATUS' })).body.get_maintenance_status.status.down_machines).toEqual([
      { hostname: HOST },
    ]);
    // The agent was shut down and its re-registration is refused: the process ends.
    await cluster.agent.exited;
    expect((await getJson(`${url}/master/slaves`)).body.slaves).toEqual([]);

    const up = await operator(url, { type: 'STOP_MAINTENANCE', stop_maintenance: { machines: [{ hostname: HOST }] } });
    expect(up.status).toBe(200);
    expect((await operator(url, { type: 'GET_MAINTENANCE_SCHEDULE' })).body.get_maintenance_schedule.schedule).toEqual({ windows: [] });
    expect((await operator(url, { type: 'START_MAINTENANCE', start_maintenance: { machines: [{ hostname: 'elsewhere' }] } })).status).toBe(
      400,
    );
    await eventually(async () => (await getJson(`${url}/health`)).status === 200, 'the master to stay healthy');
  }, 90_000);
});
