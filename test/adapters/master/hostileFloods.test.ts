/**
 * The hostile suite against a real `allot master` process, where what
 * matters is that the process survives: a flood of 1,000 generated hostile
 * requests over 16 keep-alive connections, 30 of them quadratic shapes of
 * 0.3–9 MB (null-filled arrays, objects of null fields, a million values,
 * lists past their bounds, bodies over the limit), while 2,000 half-sent
 * connections hold on from another address. Afterwards: no 5xx was
 * answered, the process runs, its resident memory stayed bounded, and it is
 * consistent (GET_STATE answers, /health is 200, a framework launches).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Daemon } from './daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, startMasterProcess } from './daemons.js';
import { FLOOD_SKIP_REASON, health, PRLIMIT, rssMb, slowloris } from './floods.js';
import type { HostileRequest } from './hostileArbitraries.js';
import { hostileRequests } from './hostileArbitraries.js';
import { quadraticRequests } from './quadraticShapes.js';
import { registerFakeAgent, SMALL_AGENT } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

if (FLOOD_SKIP_REASON) console.warn(`[hostile floods] SKIPPED: ${FLOOD_SKIP_REASON}`);

const SEED = 20240602;

describe.skipIf(FLOOD_SKIP_REASON !== null)('a real master under a flood of hostile requests', () => {
  let workDir: string;
  let master: Daemon | null = null;
  afterAll(async () => {
    await master?.stop('SIGKILL');
    if (workDir) removeWorkDir(workDir);
  });

  it('answers every request with a 4xx and stays up, bounded and consistent', async () => {
    workDir = makeWorkDir('hostile-floods');
    master = await startMasterProcess(workDir, [], 0, [PRLIMIT, '--nofile=1024:1024']);
    await eventually(async () => (await health(master!.url)) === 200, 'the master to lead');
    const url = master.url;
    const agent = await registerFakeAgent(url, 'agent-1', SMALL_AGENT);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: url, frameworkInfo: { roles: ['legit'] } });
    const requests: HostileRequest[] = [
      ...fc.sample(hostileRequests(scheduler.frameworkId, scheduler.streamId), { numRuns: 970, seed: SEED }),
      ...fc.sample(quadraticRequests(scheduler.frameworkId, scheduler.streamId), { numRuns: 30, seed: SEED }),
    ];
    const held = await slowloris(url, 2000);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let peakRssMb = 0;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(master!.process.pid!))), 100);
    const startedAt = performance.now();
    try {
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const request = requests[next++];
          const status = await fetch(`${url}${request.path}`, {
            method: request.method,
            headers: request.headers,
            ...(request.body !== undefined && request.method !== 'GET'
              ? { body: typeof request.body === 'string' ? request.body : new Uint8Array(request.body) }
              : {}),
            // A liveness bound, not a speed target: eight-megabyte bodies among 16 at a time took over 30 s at load 20.
            signal: AbortSignal.timeout(180_000),
          }).then(
            async (response) => {
              await response.arrayBuffer();
              return { status: response.status, error: '' };
            },
            (error: Error) => ({ status: 0, error: ` (${error.name}: ${(error.cause as Error | undefined)?.message ?? error.message})` }),
          );
          statuses.set(status.status, (statuses.get(status.status) ?? 0) + 1);
          if (status.status < 400 || status.status >= 500) failures.push(`${request.label}: ${status.status}${status.error}`);
        }
      };
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      clearInterval(sampler);
      held.close();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    console.log(
      `[hostile floods] ${requests.length} requests in ${seconds.toFixed(1)} s beside 2,000 held sockets; statuses ${JSON.stringify(Object.fromEntries(statuses))}; master peak RSS ${peakRssMb.toFixed(0)} MB`,
    );

    expect(failures).toEqual([]);
    expect(master.process.exitCode).toBeNull();
    expect(peakRssMb).toBeLessThan(700);
    expect(await health(url)).toBe(200);
    const state = await operator(url, { type: 'GET_STATE' });
    expect(state.status).toBe(200);
    expect(state.body.get_state.get_agents.agents).toHaveLength(1);
    try {
      const offer = await scheduler.freshOffer('an offer after the flood', undefined, { cpus: 1, mem: 64 });
      const accepted = await scheduler.call({
        type: 'ACCEPT',
        accept: { offer_ids: [offer.id], operations: [launch(offer, 'after-flood', 'true', { cpus: 1, mem: 64 })] },
      });
      expect(accepted.status).toBe(202);
      await eventually(() => agent.events.some((event) => event.type === 'LAUNCH' && event.launch.task_id === 'after-flood'), 'the launch');
    } finally {
      await scheduler.close();
      agent.close();
    }
  });
});
