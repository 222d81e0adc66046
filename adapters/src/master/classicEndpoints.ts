/**
 * Mesos's classic GET endpoints on the master, under both spellings
 * (`/state` and `/master/state`, `.json` too): state, state-summary, slaves,
 * frameworks, tasks, roles, flags, version, metrics/snapshot and redirect.
 * JSON in Mesos's shapes (classicState.ts); `?jsonp=f` wraps it as Mesos
 * does; 503 while the master recovers; a bad query value is 400. Each is
 * authorized as the operator call that reads (or, for the maintenance
 * POSTs, makes) the same thing (mesosPaths.ts), through the same
 * CallAuthorizer as the operator API.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stateJson, frameworksJson, rolesJson, slavesJson, stateSummaryJson, tasksJson } from './classicState.js';
import type { TasksQuery } from './classicState.js';
import { failure, sendFailure } from './httpErrors.js';
import { normalizeBody } from './jsonBody.js';
import type { MasterContext } from './masterContext.js';
import { changeMaintenance, scheduleJson, statusJson as maintenanceStatusJson } from './maintenanceApi.js';
import { classicCall } from './mesosPaths.js';
import { metricsSnapshot } from './metricsSnapshot.js';

type Query = Record<string, string | undefined>;
type Body = (context: MasterContext, query: Query) => { ok: true; body: unknown } | { ok: false; message: string };

const ok = (body: unknown) => ({ ok: true as const, body });

const BODIES: Record<string, Body> = {
  state: (context) => ok(stateJson(context)),
  'state-summary': (context) => ok(stateSummaryJson(context)),
  slaves: (context, query) => ok(slavesJson(context, query.slave_id)),
  frameworks: (context, query) => ok(frameworksJson(context, query.framework_id)),
  tasks: (context, query) => tasksJson(context, query as TasksQuery),
  roles: (context) => ok(rolesJson(context)),
  flags: (context) => ok({ flags: context.settings.flags }),
};

const JSONP_CALLBACK = /^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$/;

function answer(reply: FastifyReply, query: Query, body: unknown): FastifyReply {
  const callback = query.jsonp;
  if (callback === undefined) return reply.code(200).type('application/json').send(JSON.stringify(body));
  if (!JSONP_CALLBACK.test(callback)) return sendFailure(reply, failure(400, 'jsonp: must be a JavaScript identifier'));
  return reply
    .code(200)
    .type('text/javascript')
    .send(`${callback}(${JSON.stringify(body)});`);
}

/** A GET of a classic endpoint: authorized as the operator call it stands for, then answered (503 while recovering). */
function read(app: FastifyInstance, context: MasterContext, url: string, body: Body, needsState = true): void {
  const call = classicCall('GET', url);
  if (call === undefined) throw new Error(`classic endpoint ${url} has no operator call to authorize it as (mesosPaths.ts)`);
  app.get(url, (request: FastifyRequest, reply) => {
    const denied = context.authorizer?.read(request, call);
    if (denied && !denied.ok) return sendFailure(reply, failure(denied.status, denied.reason));
    if (needsState && context.host.recovering) return sendFailure(reply, failure(503, 'the master is recovering its state; retry shortly'));
    const query = request.query as Query;
    const result = body(context, query);
    if (!result.ok) return sendFailure(reply, failure(400, result.message));
    return answer(reply, query, result.body);
  });
}

/**
 * A classic POST that changes the maintenance schedule or machines: its body normalized as the operator API's
 * (nulls dropped, bounded), then authorized as the operator call that makes the same change, then carried out.
 */
function change(app: FastifyInstance, context: MasterContext, url: string, type: string, field: 'schedule' | 'machines'): void {
  const key = type.toLowerCase();
  app.post(url, async (request, reply) => {
    const unavailable = context.host.unavailable();
    if (unavailable !== null) return sendFailure(reply, failure(503, unavailable));
    const parsed = Buffer.isBuffer(request.body) ? parseJson(request.body) : request.body;
    if (parsed === undefined) return sendFailure(reply, failure(400, 'body: must be JSON'));
    const normalized = normalizeBody(parsed);
    if (!normalized.ok) return sendFailure(reply, failure(400, normalized.message));
    const body = { [field]: normalized.value };
    const denied = context.authorizer?.operatorCall(request, { type, [key]: body });
    if (denied && !denied.ok) return sendFailure(reply, failure(denied.status, denied.reason));
    const outcome = await changeMaintenance(context, type, body);
    if (outcome.status >= 400) return sendFailure(reply, outcome);
    return reply.code(200).send();
  });
}

/** `/master/maintenance/schedule` (GET, POST), `/master/maintenance/status`, `/master/machine/down` and `/up` (POST). */
function registerMaintenanceEndpoints(app: FastifyInstance, context: MasterContext): void {
  for (const prefix of ['', '/master']) {
    read(app, context, `${prefix}/maintenance/schedule`, (ctx) => ok(scheduleJson(ctx)));
    read(app, context, `${prefix}/maintenance/status`, (ctx) => ok(maintenanceStatusJson(ctx)));
    change(app, context, `${prefix}/maintenance/schedule`, 'UPDATE_MAINTENANCE_SCHEDULE', 'schedule');
    change(app, context, `${prefix}/machine/down`, 'START_MAINTENANCE', 'machines');
    change(app, context, `${prefix}/machine/up`, 'STOP_MAINTENANCE', 'machines');
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function registerClassicEndpoints(app: FastifyInstance, context: MasterContext): void {
  for (const [name, build] of Object.entries(BODIES)) {
    const paths = [`/${name}`, `/master/${name}`];
    if (name === 'state' || name === 'tasks' || name === 'roles') paths.push(`/${name}.json`, `/master/${name}.json`);
    for (const url of paths) read(app, context, url, build);
  }
  const version = (ctx: MasterContext) => ok({ version: ctx.settings.version, build_date: '', build_time: 0, build_user: 'allot' });
  read(app, context, '/version', version, false);
  read(app, context, '/metrics/snapshot', (ctx) => ok(metricsSnapshot(ctx)));
  registerMaintenanceEndpoints(app, context);
  // This master leads (a follower answers every path with a redirect to the leader): point at itself, scheme-relative.
  for (const url of ['/redirect', '/master/redirect'])
    app.get(url, (_request, reply) => reply.code(307).header('Location', `//${context.settings.hostname}:${context.settings.port}`).send());
}
