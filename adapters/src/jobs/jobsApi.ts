/**
 * Metronome's REST API (`/v1/jobs`, schedules, runs, `actions/stop`, `/info`) on the
 * jobs runtime, with its JSON: jobs (with `?embed=activeRuns`, `schedules`,
 * `history`, `historySummary`), schedules with `nextRunAt`, runs
 * `{id, jobId, status, createdAt, completedAt, tasks}`. Errors: 404
 * `Job 'x' does not exist` (likewise Schedule, JobRun), 409 for a job that
 * exists or still has runs, 422 with the validation details.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { JobHistory, RunRecord, StoredJob } from './jobsDocument.js';
import { metronomeTime } from './jobsDocument.js';
import type { JobsRuntime } from './jobsRuntime.js';
import type { ScheduleSpec } from './jobSpec.js';
import { nextFireMs, readJobSpec, readScheduleSpec } from './jobSpec.js';

type Json = Record<string, any>;
type Query = Record<string, string | string[] | undefined>;
type Params = { jobId: string; scheduleId?: string; runId?: string };

/** What `GET /info` answers: this Metronome's version, and the Marathon library version Metronome reports beside it. */
export const METRONOME_VERSION = '0.6.0-allot';
const METRONOME_LIB_VERSION = '1.11.0-allot';

export function registerJobsApi(app: FastifyInstance, runtime: JobsRuntime): void {
  const jobs = runtime.document.jobs;
  const missingJob = (reply: FastifyReply, id: string) => reply.code(404).send({ message: `Job '${id}' does not exist` });

  app.get('/ping', (_request, reply) => reply.type('text/plain').send('pong'));
  app.get('/info', (_request, reply) => reply.send({ version: METRONOME_VERSION, libVersion: METRONOME_LIB_VERSION }));
  app.get('/v1/jobs', (request, reply) =>
    reply.send(Object.values(jobs).map((job) => jobJson(runtime, job, embedsOf(request.query as Query)))),
  );
  app.post('/v1/jobs', async (request, reply) => {
    const read = readJobSpec(request.body);
    if (!read.ok) return reply.code(422).send(read.problems.body());
    if (jobs[read.value.id]) return reply.code(409).send({ message: `Job with id ${read.value.id} already exists` });
    const { schedules, ...spec } = read.value;
    // Each schedule knows its next run at once, as one posted on its own does.
    const nowMs = Date.now();
    jobs[spec.id] = {
      spec,
      schedules: Object.fromEntries(schedules.map((s) => [s.id, { ...s, nextRunAtMs: s.enabled ? nextFireMs(s, nowMs) : null }])),
    };
    await runtime.persist();
    return reply.code(201).send(jobJson(runtime, jobs[spec.id], { schedules: schedules.length > 0 }));
  });
  app.get('/v1/jobs/:jobId', (request, reply) => {
    const { jobId } = request.params as Params;
    const job = jobs[jobId];
    return job ? reply.send(jobJson(runtime, job, embedsOf(request.query as Query))) : missingJob(reply, jobId);
  });
  app.put('/v1/jobs/:jobId', async (request, reply) => {
    const { jobId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    const read = readJobSpec(request.body, jobId);
    if (!read.ok) return reply.code(422).send(read.problems.body());
    const { schedules: _ignored, ...spec } = read.value;
    jobs[jobId].spec = spec;
    await runtime.persist();
    return reply.send(jobJson(runtime, jobs[jobId], {}));
  });
  app.delete('/v1/jobs/:jobId', async (request, reply) => {
    const { jobId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    const active = runtime.activeRuns(jobId);
    const stop = [(request.query as Query).stopCurrentJobRuns ?? []].flat().at(-1) === 'true';
    if (active.length > 0 && !stop)
      return reply.code(409).send({
        message: `Job ${jobId} has active runs: stop them first, or delete with stopCurrentJobRuns=true`,
        runs: active.map((run) => run.id),
      });
    for (const run of active) await runtime.stopRun(run);
    const answer = jobJson(runtime, jobs[jobId], {});
    delete jobs[jobId];
    delete runtime.document.history[jobId];
    await runtime.persist();
    return reply.send(answer);
  });

  app.get('/v1/jobs/:jobId/schedules', (request, reply) => {
    const { jobId } = request.params as Params;
    return jobs[jobId] ? reply.send(Object.values(jobs[jobId].schedules).map(scheduleJson)) : missingJob(reply, jobId);
  });
  app.post('/v1/jobs/:jobId/schedules', async (request, reply) => {
    const { jobId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    const read = readScheduleSpec(request.body);
    if (!read.ok) return reply.code(422).send(read.problems.body());
    if (jobs[jobId].schedules[read.value.id]) return reply.code(409).send({ message: `Schedule with id ${read.value.id} already exists` });
    const schedule = { ...read.value, nextRunAtMs: read.value.enabled ? nextFireMs(read.value, Date.now()) : null };
    jobs[jobId].schedules[schedule.id] = schedule;
    await runtime.persist();
    return reply.code(201).send(scheduleJson(schedule));
  });
  app.get('/v1/jobs/:jobId/schedules/:scheduleId', (request, reply) => {
    const { jobId, scheduleId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    const schedule = jobs[jobId].schedules[scheduleId!];
    return schedule ? reply.send(scheduleJson(schedule)) : reply.code(404).send({ message: `Schedule '${scheduleId}' does not exist` });
  });
  app.put('/v1/jobs/:jobId/schedules/:scheduleId', async (request, reply) => {
    const { jobId, scheduleId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    if (!jobs[jobId].schedules[scheduleId!]) return reply.code(404).send({ message: `Schedule '${scheduleId}' does not exist` });
    const read = readScheduleSpec(request.body, scheduleId);
    if (!read.ok) return reply.code(422).send(read.problems.body());
    if (read.value.id !== scheduleId)
      return reply
        .code(422)
        .send({ message: 'Object is not valid', details: [{ path: '/id', errors: ['differs from the id in the path'] }] });
    jobs[jobId].schedules[scheduleId!] = { ...read.value, nextRunAtMs: read.value.enabled ? nextFireMs(read.value, Date.now()) : null };
    await runtime.persist();
    return reply.send(scheduleJson(jobs[jobId].schedules[scheduleId!]));
  });
  app.delete('/v1/jobs/:jobId/schedules/:scheduleId', async (request, reply) => {
    const { jobId, scheduleId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    if (!jobs[jobId].schedules[scheduleId!]) return reply.code(404).send({ message: `Schedule '${scheduleId}' does not exist` });
    delete jobs[jobId].schedules[scheduleId!];
    await runtime.persist();
    return reply.send();
  });

  app.post('/v1/jobs/:jobId/runs', async (request, reply) => {
    const { jobId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    return reply.code(201).send(runJson(runtime, await runtime.startRun(jobId)));
  });
  app.get('/v1/jobs/:jobId/runs', (request, reply) => {
    const { jobId } = request.params as Params;
    return jobs[jobId] ? reply.send(runtime.activeRuns(jobId).map((run) => runJson(runtime, run))) : missingJob(reply, jobId);
  });
  app.get('/v1/jobs/:jobId/runs/:runId', (request, reply) => {
    const { jobId, runId } = request.params as Params;
    if (!jobs[jobId]) return missingJob(reply, jobId);
    const run = runtime.document.runs[runId!];
    if (run && run.jobId === jobId) return reply.send(runJson(runtime, run));
    const finished = finishedRun(runtime.document.history[jobId], runId!);
    return finished ? reply.send({ ...finished, jobId }) : reply.code(404).send({ message: `JobRun '${runId}' does not exist` });
  });
  const stop = async (params: Params, reply: FastifyReply) => {
    if (!jobs[params.jobId]) return missingJob(reply, params.jobId);
    const run = runtime.document.runs[params.runId!];
    if (!run || run.jobId !== params.jobId) return reply.code(404).send({ message: `JobRun '${params.runId}' does not exist` });
    await runtime.stopRun(run);
    return reply.send(runJson(runtime, run));
  };
  app.post('/v1/jobs/:jobId/runs/:runId/actions/stop', (request, reply) => stop(request.params as Params, reply));
  app.post('/v1/jobs/:jobId/runs/:runId/action/stop', (request, reply) => stop(request.params as Params, reply));
}

interface Embeds {
  activeRuns?: boolean;
  schedules?: boolean;
  history?: boolean;
  historySummary?: boolean;
}

function embedsOf(query: Query): Embeds {
  const embed = new Set([query.embed ?? []].flat());
  return {
    activeRuns: embed.has('activeRuns'),
    schedules: embed.has('schedules'),
    history: embed.has('history'),
    historySummary: embed.has('historySummary'),
  };
}

function jobJson(runtime: JobsRuntime, job: StoredJob, embeds: Embeds): Json {
  // Metronome writes `volumes` in every run spec; allot refuses any, so it is always empty.
  const json: Json = { ...job.spec, run: { ...job.spec.run, volumes: [] } };
  if (embeds.activeRuns) json.activeRuns = runtime.activeRuns(job.spec.id).map((run) => runJson(runtime, run));
  if (embeds.schedules) json.schedules = Object.values(job.schedules).map(scheduleJson);
  const history = runtime.document.history[job.spec.id];
  const summary = {
    successCount: history?.successCount ?? 0,
    failureCount: history?.failureCount ?? 0,
    lastSuccessAt: metronomeTime(history?.lastSuccessAtMs ?? null),
    lastFailureAt: metronomeTime(history?.lastFailureAtMs ?? null),
  };
  if (embeds.historySummary) json.historySummary = summary;
  if (embeds.history)
    json.history = {
      ...summary,
      successfulFinishedRuns: (history?.successfulFinishedRuns ?? []).map(finishedJson),
      failedFinishedRuns: (history?.failedFinishedRuns ?? []).map(finishedJson),
    };
  return json;
}

function finishedJson(run: { id: string; createdAtMs: number; finishedAtMs: number; tasks: string[] }): Json {
  return { id: run.id, createdAt: metronomeTime(run.createdAtMs), finishedAt: metronomeTime(run.finishedAtMs), tasks: run.tasks };
}

function finishedRun(history: JobHistory | undefined, runId: string): Json | null {
  if (!history) return null;
  const success = history.successfulFinishedRuns.find((run) => run.id === runId);
  const failure = history.failedFinishedRuns.find((run) => run.id === runId);
  const run = success ?? failure;
  if (!run) return null;
  return {
    id: run.id,
    status: success ? 'SUCCESS' : 'FAILED',
    createdAt: metronomeTime(run.createdAtMs),
    completedAt: metronomeTime(run.finishedAtMs),
    tasks: run.tasks.map((id) => ({ id })),
  };
}

export function runJson(runtime: JobsRuntime, run: RunRecord): Json {
  return {
    id: run.id,
    jobId: run.jobId,
    status: run.status,
    createdAt: metronomeTime(run.createdAtMs),
    completedAt: metronomeTime(run.completedAtMs),
    tasks: run.tasks.map((id) => {
      const task = runtime.document.tasks[id];
      return {
        id,
        status: task?.status ?? 'TASK_STAGING',
        startedAt: metronomeTime(task?.startedAtMs ?? null),
        completedAt: metronomeTime(task?.completedAtMs ?? null),
      };
    }),
  };
}

function scheduleJson(schedule: ScheduleSpec & { nextRunAtMs: number | null }): Json {
  const { nextRunAtMs, ...spec } = schedule;
  return { ...spec, nextRunAt: metronomeTime(nextRunAtMs) };
}
