/**
 * `allot jobs` survives `kill -9`: `allot master`, one `allot agent` and
 * `allot jobs --work-dir` as processes on 127.0.0.1. A job with a schedule
 * and a run in progress (a long `sleep`) are there after the scheduler is
 * killed and started again on the same work dir: the job, the schedule with
 * the same `nextRunAt`, the run still ACTIVE on the same task, which is not
 * launched again; stopping the run then ends it in the job's history.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const RUN_TIMEOUT_MS = 60_000;

let dir = '';
let master: Daemon;
let agent: Daemon;
let jobs: Daemon | null = null;

function startJobs(): Promise<Daemon> {
  return spawnDaemon(
    ['jobs', '--master', master.url, '--port', '0', '--work-dir', join(dir, 'jobs')],
    join(dir, 'jobs.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","msg":"jobs listening"/,
  );
}

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return callJson(jobs!.url, method, path, body);
}

async function masterTasks(): Promise<Json[]> {
  return (await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks.tasks as Json[];
}

beforeAll(async () => {
  dir = makeWorkDir('jobs-restart');
  master = await startMasterProcess(dir);
  agent = await startAgentProcess(dir, master.url, 'agent', ['--resources', 'cpus:1;mem:512;disk:512;ports:[33500-33510]']);
  jobs = await startJobs();
}, 90_000);

afterAll(async () => {
  await jobs?.stop();
  await agent?.stop();
  await master?.stop();
  if (dir && !process.env.KEEP_E2E_DIR) removeWorkDir(dir);
}, 60_000);

describe('allot jobs across kill -9', () => {
  it('keeps its jobs, schedules and active runs, and launches nothing twice', async () => {
    const created = await api('POST', '/v1/jobs', {
      id: 'prod.long',
      run: { cmd: 'exec sleep 300', cpus: 0.1, mem: 32 },
      schedules: [{ id: 'nightly', cron: '0 2 * * *', timezone: 'Europe/Berlin' }],
    });
    expect(created.status).toBe(201);
    const started = await api('POST', '/v1/jobs/prod.long/runs');
    const active = await eventually(
      async () => {
        const run = (await api('GET', `/v1/jobs/prod.long/runs/${started.body.id}`)).body;
        return run.status === 'ACTIVE' && run.tasks[0]?.status === 'TASK_RUNNING' ? run : null;
      },
      'the run active',
      RUN_TIMEOUT_MS,
    );
    const schedules = (await api('GET', '/v1/jobs/prod.long/schedules')).body;

    jobs!.process.kill('SIGKILL');
    await jobs!.exited;
    jobs = await startJobs();

    expect(jobs.log()).toMatch(/"restored":true/);
    expect((await api('GET', '/v1/jobs/prod.long')).body).toMatchObject({ id: 'prod.long', run: { cmd: 'exec sleep 300' } });
    expect((await api('GET', '/v1/jobs/prod.long/schedules')).body).toEqual(schedules);
    const runs = (await api('GET', '/v1/jobs/prod.long/runs')).body as Json[];
    expect(runs.map((run) => [run.id, run.status, run.tasks.map((task: Json) => task.id)])).toEqual([
      [active.id, 'ACTIVE', active.tasks.map((task: Json) => task.id)],
    ]);
    // Reconciled, not launched again: the master knows one task of the job, still running.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const tasks = (await masterTasks()).filter((task) => task.task_id.value.startsWith('prod.long_'));
    expect(tasks.map((task) => [task.task_id.value, task.state])).toEqual([[active.tasks[0].id, 'TASK_RUNNING']]);

    expect((await api('POST', `/v1/jobs/prod.long/runs/${active.id}/actions/stop`)).status).toBe(200);
    const history = await eventually(
      async () => {
        const record = (await api('GET', '/v1/jobs/prod.long?embed=history')).body.history;
        return record.failureCount === 1 ? record : null;
      },
      'the stopped run in the history',
      RUN_TIMEOUT_MS,
    );
    expect(history.failedFinishedRuns[0].id).toBe(active.id);
  }, 180_000);
});
