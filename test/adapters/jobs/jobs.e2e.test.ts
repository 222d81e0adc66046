/**
 * `allot jobs` (Metronome's API) on a real cluster: `allot master` and two
 * `allot agent`s as processes on 127.0.0.1, the jobs daemon in this process
 * (so that a test can move a schedule's clock). Issue 12, "done when":
 *
 * 1. A run started by hand runs to completion and shows in the history.
 * 2. A schedule every minute (`* * * * *`, in a time zone) fires on its own
 *    and its run completes.
 * 3. A failing job with ON_FAILURE is retried until it succeeds; with
 *    NEVER it fails once and is not retried.
 * 4. FORBID skips a firing while a run is active; ALLOW starts another.
 * Plus Metronome's shapes: job and run JSON, 404, 409, 422.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningJobs } from '../../../adapters/src/jobs/jobsDaemon.js';
import { startJobsDaemon } from '../../../adapters/src/jobs/jobsDaemon.js';
import { fireSchedules } from '../../../adapters/src/jobs/jobSchedules.js';
import { FileStore } from '../../../adapters/src/store/fileStore.js';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, removeWorkDir, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const RUN_TIMEOUT_MS = 60_000;

let dir = '';
let shared = '';
let master: Daemon;
const agents: Daemon[] = [];
let jobs: RunningJobs;

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return callJson(jobs.url, method, path, body);
}

function job(id: string, cmd: string, restart: Json = { policy: 'NEVER' }): Json {
  return { id, description: `test ${id}`, labels: { team: 'tests' }, run: { cmd, cpus: 0.1, mem: 32, disk: 0, restart } };
}

async function history(jobId: string): Promise<Json> {
  return (await api('GET', `/v1/jobs/${jobId}?embed=history`)).body.history;
}

async function finishedRun(jobId: string, runId: string): Promise<Json> {
  return eventually(
    async () => {
      const run = (await api('GET', `/v1/jobs/${jobId}/runs/${runId}`)).body;
      return run.status === 'SUCCESS' || run.status === 'FAILED' ? run : null;
    },
    `run ${runId} of ${jobId} finished`,
    RUN_TIMEOUT_MS,
  );
}

beforeAll(async () => {
  dir = makeWorkDir('jobs-e2e');
  // Outside /tmp: tasks of a root agent get a private /tmp and cannot see the host's.
  shared = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : dir, 'allot-jobs-shared-'));
  chmodSync(shared, 0o777);
  master = await startMasterProcess(dir);
  agents.push(...(await Promise.all(['node-a', 'node-b'].map((name) => startAgentProcess(dir, master.url, name, ['--hostname', name])))));
  jobs = await startJobsDaemon({
    masters: [master.url],
    store: new FileStore(join(dir, 'jobs-state')),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  // Fires on its own within a minute; checked by the last test.
  const minutely = await api('POST', '/v1/jobs', {
    ...job('tick', 'echo tick'),
    schedules: [{ id: 'every-minute', cron: '* * * * *', timezone: 'Europe/Paris', concurrencyPolicy: 'FORBID' }],
  });
  expect(minutely.status).toBe(201);
}, 90_000);

afterAll(async () => {
  await jobs?.close();
  for (const agent of agents) await agent.stop();
  await master?.stop();
  if (dir) removeWorkDir(dir);
  if (shared) rmSync(shared, { recursive: true, force: true });
}, 60_000);

describe('allot jobs on a real cluster', () => {
  it('a run started by hand completes and shows in the history, with Metronome JSON', async () => {
    const created = await api('POST', '/v1/jobs', job('prod.report', 'echo report > report.txt'));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'prod.report',
      labels: { team: 'tests' },
      run: { cmd: 'echo report > report.txt', cpus: 0.1, mem: 32, maxLaunchDelay: 3600, restart: { policy: 'NEVER' } },
    });
    const started = await api('POST', '/v1/jobs/prod.report/runs');
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(['completedAt', 'createdAt', 'id', 'jobId', 'status', 'tasks']);
    expect(started.body.id).toMatch(/^\d{14}[A-Z0-9]{5}$/);
    expect(started.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const run = await finishedRun('prod.report', started.body.id);
    expect(run.status).toBe('SUCCESS');
    const done = await history('prod.report');
    expect(done).toMatchObject({ successCount: 1, failureCount: 0, failedFinishedRuns: [] });
    expect(done.lastSuccessAt).not.toBeNull();
    expect(done.successfulFinishedRuns[0]).toMatchObject({ id: started.body.id });
    expect(done.successfulFinishedRuns[0].tasks[0]).toMatch(/^prod\.report_\d{14}[A-Z0-9]{5}\./);
    expect((await api('GET', '/v1/jobs/prod.report/runs')).body).toEqual([]);
  }, 90_000);

  it('ON_FAILURE retries a failing task until it succeeds; NEVER fails once', async () => {
    const marker = join(shared, 'tried-once');
    await api(
      'POST',
      '/v1/jobs',
      job('flaky', `test -e ${marker} || { touch ${marker}; exit 3; }`, { policy: 'ON_FAILURE', activeDeadlineSeconds: 120 }),
    );
    const flaky = await api('POST', '/v1/jobs/flaky/runs');
    const run = await finishedRun('flaky', flaky.body.id);
    expect(run.status).toBe('SUCCESS');
    expect(run.tasks).toHaveLength(2);
    expect(await history('flaky')).toMatchObject({ successCount: 1, failureCount: 0 });

    await api('POST', '/v1/jobs', job('broken', 'exit 1'));
    const broken = await api('POST', '/v1/jobs/broken/runs');
    const failed = await finishedRun('broken', broken.body.id);
    expect(failed.status).toBe('FAILED');
    expect(failed.tasks).toHaveLength(1);
    const brokenHistory = await history('broken');
    expect(brokenHistory).toMatchObject({ successCount: 0, failureCount: 1 });
    expect(brokenHistory.failedFinishedRuns[0].id).toBe(broken.body.id);
  }, 120_000);

  it('FORBID skips a firing while a run is active; ALLOW starts another', async () => {
    const schedule = (policy: string) => ({ id: 'often', cron: '*/5 * * * *', concurrencyPolicy: policy, startingDeadlineSeconds: 60 });
    await api('POST', '/v1/jobs', job('long-forbid', 'sleep 300'));
    await api('POST', '/v1/jobs', job('long-allow', 'sleep 300'));
    expect((await api('POST', '/v1/jobs/long-forbid/schedules', schedule('FORBID'))).status).toBe(201);
    expect((await api('POST', '/v1/jobs/long-allow/schedules', schedule('ALLOW'))).status).toBe(201);
    const due = async (): Promise<void> => {
      for (const id of ['long-forbid', 'long-allow']) jobs.runtime.document.jobs[id].schedules.often.nextRunAtMs = Date.now() - 1000;
      await fireSchedules(jobs.runtime, Date.now());
    };
    await due();
    for (const id of ['long-forbid', 'long-allow'])
      await eventually(async () => (await api('GET', `/v1/jobs/${id}/runs`)).body[0]?.status === 'ACTIVE', `${id} running`, RUN_TIMEOUT_MS);
    await due();
    expect((await api('GET', '/v1/jobs/long-forbid/runs')).body).toHaveLength(1);
    expect((await api('GET', '/v1/jobs/long-allow/runs')).body).toHaveLength(2);
    const next = (await api('GET', '/v1/jobs/long-forbid/schedules/often')).body.nextRunAt;
    expect(Date.parse(next.replace('+0000', 'Z'))).toBeGreaterThan(Date.now());
    for (const id of ['long-forbid', 'long-allow']) {
      for (const run of (await api('GET', `/v1/jobs/${id}/runs`)).body as Json[]) {
        const stopped = await api('POST', `/v1/jobs/${id}/runs/${run.id}/actions/stop`);
        expect(stopped.status).toBe(200);
        expect((await finishedRun(id, run.id)).status).toBe('FAILED');
      }
    }
    expect((await api('DELETE', '/v1/jobs/long-allow')).status).toBe(200);
  }, 120_000);

  it("answers Metronome's errors: 404, 409, 422", async () => {
    expect(await api('GET', '/v1/jobs/not-existent')).toEqual({ status: 404, body: { message: "Job 'not-existent' does not exist" } });
    expect((await api('POST', '/v1/jobs', job('prod.report', 'true'))).status).toBe(409);
    const invalid = await api('POST', '/v1/jobs', { id: 'Bad_Id', run: { cmd: 'x', mem: 16, docker: { image: 'busybox' } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.message).toBe('Object is not valid');
    expect(invalid.body.details.map((detail: Json) => detail.path).sort()).toEqual(['/id', '/run/docker', '/run/mem']);
    const badCron = await api('POST', '/v1/jobs/prod.report/schedules', { id: 'bad', cron: 'every minute', timezone: 'Mars/Olympus' });
    expect(badCron.status).toBe(422);
    expect((await api('GET', '/v1/jobs/prod.report/runs/19700101000000XXXXX')).status).toBe(404);
  });

  it('the every-minute schedule fired by itself and its run completed', async () => {
    const ticked = await eventually(
      async () => {
        const record = await history('tick');
        return record.successCount >= 1 ? record : null;
      },
      'the minutely job in its history',
      130_000,
    );
    expect(ticked.successfulFinishedRuns[0].tasks).toHaveLength(1);
    const schedules = (await api('GET', '/v1/jobs/tick/schedules')).body;
    expect(schedules).toEqual([
      expect.objectContaining({
        id: 'every-minute',
        cron: '* * * * *',
        timezone: 'Europe/Paris',
        concurrencyPolicy: 'FORBID',
        enabled: true,
        startingDeadlineSeconds: 900,
      }),
    ]);
  }, 140_000);
});
