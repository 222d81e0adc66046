/**
 * Metronome's REST API shapes in `allot jobs`, checked against fixtures
 * written from Metronome's documentation (fixtures/), on an in-process
 * master, a real in-process agent (posix isolation, attribute rack:rack-2)
 * and an in-process `allot jobs` on a memory store:
 *
 * - the documented job as is gets 422 naming what allot refuses (its Docker
 *   image and volumes); without them it is taken, answered with the
 *   documented keys, and its run (documented run JSON) fetches the artifact
 *   (executable), gets the env, honours `rack EQ rack-2` and succeeds;
 * - the documented schedule (America/Chicago) answers with `nextRunAt`, and
 *   a daily 02:00 schedule in that zone fires at 02:00 Chicago time;
 * - `startingDeadlineSeconds`: a firing missed by longer is skipped;
 * - ON_FAILURE retries only until `activeDeadlineSeconds`, then the run fails;
 * - a launch the master refuses (403) fails its run instead of leaving it
 *   STARTING for ever;
 * - `GET /info` answers Metronome's keys.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import { startAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import type { RunningJobs } from '../../../adapters/src/jobs/jobsDaemon.js';
import { startJobsDaemon } from '../../../adapters/src/jobs/jobsDaemon.js';
import { fireSchedules } from '../../../adapters/src/jobs/jobSchedules.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import { eventually, makeWorkDir, removeWorkDir } from '../master/daemons.js';
import { startTestMaster } from '../master/inProcess.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string): any => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const RESPONSES = fixture('responses.json');
const RUN_TIMEOUT_MS = 60_000;

let dir = '';
let files = '';
let fileServer: Server;
let master: RunningMaster;
let agent: RunningAgent;
let jobs: RunningJobs;

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return callJson(jobs.url, method, path, body);
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

/** The first whole hour after `afterMs` that is 02:00 in `timeZone`, found hour by hour with Intl (not croner). */
function nextTwoOClock(afterMs: number, timeZone: string): number {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  // Chicago's offsets are whole hours: 02:00 there is a whole UTC hour.
  let candidate = Math.floor(afterMs / 3_600_000) * 3_600_000 + 3_600_000;
  while (format.format(candidate) !== '02:00') candidate += 3_600_000;
  return candidate;
}

const metronomeMs = (time: string) => Date.parse(time.replace(/\+0000$/, 'Z'));

/** The documented job without what allot refuses, its artifact served here and its command checking what it got. */
function runnableJob(id: string): Json {
  // Its user too: this master lets tasks run only as the agent's task user (see the test of a refused launch).
  const { docker: _docker, volumes: _volumes, user: _user, ...run } = fixture('job.json').run;
  return {
    ...fixture('job.json'),
    id,
    run: {
      ...run,
      cpus: 0.5,
      artifacts: [{ ...run.artifacts[0], uri: `${files}/application.zip` }],
      // Executable wins over extract, as in the Mesos fetcher: the archive is made executable, not unpacked.
      cmd: 'test -x application.zip && test "$MON" = test && test "$CONNECT" = direct',
    },
  };
}

beforeAll(async () => {
  dir = makeWorkDir('jobs-api');
  const zip = execFileSync('python3', [
    '-c',
    'import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,"w")\nz.writestr("inside.txt","zipped\\n")\nz.close()\nsys.stdout.buffer.write(b.getvalue())',
  ]);
  fileServer = createServer((request, response) => {
    if (request.url === '/application.zip') response.end(zip);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  files = `http://127.0.0.1:${(fileServer.address() as { port: number }).port}`;
  master = await startTestMaster();
  const started = await startAgent({
    masterUrl: master.url,
    workDir: join(dir, 'agent'),
    port: 0,
    hostname: 'srv3.example.com',
    attributes: 'rack:rack-2',
    resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31020]',
    isolation: 'posix',
    logger: pino({ level: 'silent' }),
  });
  if (!started.ok) throw new Error(started.message);
  agent = started.agent;
  jobs = await startJobsDaemon({ masters: [master.url], store: new MemoryStore(), logger: pino({ level: 'silent' }), port: 0 });
}, 60_000);

afterAll(async () => {
  await jobs?.close();
  await agent?.close({ killTasks: true });
  await master?.close();
  await new Promise((resolve) => fileServer?.close(resolve));
  if (dir) removeWorkDir(dir);
}, 60_000);

describe("Metronome's REST API", () => {
  it('refuses the documented job as is with 422 naming its Docker image and volumes', async () => {
    const answer = await api('POST', '/v1/jobs', fixture('job.json'));

    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe('Object is not valid');
    expect((answer.body.details as Json[]).map((detail) => detail.path).sort()).toEqual(['/run/docker', '/run/volumes']);
  });

  it('takes the documented job without them, and its run fetches the artifact on a rack-2 agent and succeeds', async () => {
    const created = await api('POST', '/v1/jobs', runnableJob('prod.example.app'));
    expect(created.status).toBe(201);
    expect(Object.keys(created.body)).toEqual(expect.arrayContaining(RESPONSES.jobListItemKeys));
    expect(Object.keys(created.body.run)).toEqual(expect.arrayContaining(RESPONSES.jobRunKeys));
    expect(created.body.labels).toEqual({ location: 'olympus', owner: 'zeus' });
    expect(created.body.run.placement).toEqual({ constraints: [{ attribute: 'rack', operator: 'EQ', value: 'rack-2' }] });
    const listed = (await api('GET', '/v1/jobs')).body as Json[];
    expect(Object.keys(listed.find((job) => job.id === 'prod.example.app')!)).toEqual(expect.arrayContaining(RESPONSES.jobListItemKeys));

    const started = await api('POST', '/v1/jobs/prod.example.app/runs');
    expect(started.status).toBe(201);
    expect(Object.keys(started.body).sort()).toEqual(Object.keys(RESPONSES.run).sort());
    expect(started.body).toMatchObject({ jobId: 'prod.example.app', status: 'STARTING', completedAt: null });
    expect(started.body.id).toMatch(/^\d{14}[A-Z0-9]{5}$/);
    expect(started.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const run = await finishedRun('prod.example.app', started.body.id);
    expect(run.status).toBe('SUCCESS');
  }, 90_000);

  it('answers the documented schedule with nextRunAt; a daily 02:00 America/Chicago schedule fires at 02:00 there', async () => {
    await api('POST', '/v1/jobs', { id: 'tz', run: { cmd: 'true', cpus: 0.1, mem: 32 } });
    const documented = await api('POST', '/v1/jobs/tz/schedules', fixture('schedule.json'));
    expect(documented.status).toBe(201);
    expect(documented.body).toEqual({ ...fixture('schedule.json'), nextRunAt: expect.stringMatching(/\+0000$/) });
    const next = metronomeMs(documented.body.nextRunAt);
    expect(next % 60_000).toBe(0);
    expect(next).toBeGreaterThan(Date.now() - 1000);
    expect(next).toBeLessThanOrEqual(Date.now() + 60_000);

    const before = Date.now();
    const nightly = await api('POST', '/v1/jobs/tz/schedules', { id: 'nightly', cron: '0 2 * * *', timezone: 'America/Chicago' });
    expect(nightly.status).toBe(201);
    expect(metronomeMs(nightly.body.nextRunAt)).toBe(nextTwoOClock(before, 'America/Chicago'));
  });

  it('skips a firing missed by more than startingDeadlineSeconds, and runs one within it', async () => {
    await api('POST', '/v1/jobs', { id: 'late', run: { cmd: 'true', cpus: 0.1, mem: 32 } });
    await api('POST', '/v1/jobs/late/schedules', { id: 's', cron: '0 0 1 1 *', startingDeadlineSeconds: 60 });
    const schedule = jobs.runtime.document.jobs.late.schedules.s;

    schedule.nextRunAtMs = Date.now() - 120_000;
    await fireSchedules(jobs.runtime, Date.now());
    expect(jobs.runtime.activeRuns('late')).toHaveLength(0);
    expect(schedule.nextRunAtMs).toBeGreaterThan(Date.now());

    schedule.nextRunAtMs = Date.now() - 30_000;
    await fireSchedules(jobs.runtime, Date.now());
    const [run] = jobs.runtime.activeRuns('late');
    expect(run).toBeDefined();
    expect((await finishedRun('late', run.id)).status).toBe('SUCCESS');
  }, 90_000);

  it('ON_FAILURE retries a failing task only until activeDeadlineSeconds, then the run fails', async () => {
    await api('POST', '/v1/jobs', {
      id: 'doomed',
      // Long enough for a retry on a busy machine (a failed task, an offer, a new launch), short enough to wait out.
      run: { cmd: 'exit 1', cpus: 0.1, mem: 32, restart: { policy: 'ON_FAILURE', activeDeadlineSeconds: 10 } },
    });
    const started = await api('POST', '/v1/jobs/doomed/runs');
    const run = await finishedRun('doomed', started.body.id);

    expect(run.status).toBe('FAILED');
    expect(run.tasks.length).toBeGreaterThanOrEqual(2);
    expect(metronomeMs(run.completedAt) - metronomeMs(run.createdAt)).toBeGreaterThanOrEqual(10_000);
    expect((await api('GET', '/v1/jobs/doomed?embed=history')).body.history).toMatchObject({ successCount: 0, failureCount: 1 });
  }, 90_000);

  it('fails a run whose launch the master refuses (user root, 403), and keeps running the others', async () => {
    await api('POST', '/v1/jobs', { id: 'as-root', run: { cmd: 'true', cpus: 0.1, mem: 32, user: 'root' } });
    const started = await api('POST', '/v1/jobs/as-root/runs');
    const run = await finishedRun('as-root', started.body.id);

    expect(run.status).toBe('FAILED');
    expect(run.tasks).toHaveLength(1);
    const plain = await api('POST', '/v1/jobs/tz/runs');
    expect((await finishedRun('tz', plain.body.id)).status).toBe('SUCCESS');
  }, 90_000);

  it('answers GET /info with the documented keys', async () => {
    const info = await api('GET', '/info');

    expect(info.status).toBe(200);
    expect(Object.keys(info.body).sort()).toEqual(Object.keys(RESPONSES.info).sort());
  });
});
