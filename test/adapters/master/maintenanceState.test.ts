/**
 * The maintenance schedule is part of the master's stored state (issue 13's
 * maintenance on issue 15's per-object keys): it is written under the
 * `maintenance` key when it changes, and a master restarted on the same
 * store has the same schedule and the same machines down. Tasks are not
 * stored, so a change of the schedule is the only thing that writes it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { MAINTENANCE_KEY } from '../../../adapters/src/master/stateKeys.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import { operator } from './daemons.js';
import { startTestMaster } from './inProcess.js';

describe('the maintenance schedule across a master restart', () => {
  const store = new MemoryStore();
  const masters: RunningMaster[] = [];
  afterAll(async () => {
    for (const master of masters) await master.close();
  });

  it('is stored under its own key and read back by the next master', async () => {
    const first = await startTestMaster({ store });
    masters.push(first);
    await first.recovered;
    const startNs = (Date.now() + 3_600_000) * 1e6;
    const schedule = {
      windows: [
        { machine_ids: [{ hostname: 'later-host' }], unavailability: { start: { nanoseconds: startNs } } },
        { machine_ids: [{ hostname: 'down-host' }], unavailability: { start: { nanoseconds: startNs } } },
      ],
    };
    expect((await operator(first.url, { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } })).status).toBe(
      200,
    );
    const down = { type: 'START_MAINTENANCE', start_maintenance: { machines: [{ hostname: 'down-host' }] } };
    expect((await operator(first.url, down)).status).toBe(200);
    const stored = await store.get(MAINTENANCE_KEY);
    await first.close();

    const second = await startTestMaster({ store });
    masters.push(second);
    await second.recovered;
    const read = (await operator(second.url, { type: 'GET_MAINTENANCE_SCHEDULE' })).body.get_maintenance_schedule.schedule;
    const status = (await operator(second.url, { type: 'GET_MAINTENANCE_STATUS' })).body.get_maintenance_status.status;

    expect(stored?.value).toContain('down-host');
    expect(read.windows.map((window: any) => window.machine_ids)).toEqual([[{ hostname: 'later-host' }], [{ hostname: 'down-host' }]]);
    expect(read.windows[0].unavailability.start.nanoseconds).toBeCloseTo(startNs, -7);
    expect(status.down_machines).toEqual([{ hostname: 'down-host' }]);
  });
});
