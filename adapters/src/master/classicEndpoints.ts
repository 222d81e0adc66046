/**
 * Mesos's classic GET endpoints on the master, under both spellings
 * (`/state` and `/master/state`, `.json` too): state, state-summary, slaves,
 * frameworks, tasks, roles, flags, version, metrics/snapshot and redirect.
 * JSON in Mesos's shapes (classicState.ts); `?jsonp=f` wraps it as Mesos
 * does; 503 while the master recovers; a bad query value is 400.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stateJson, frameworksJson, rolesJson, slavesJson, stateSummaryJson, tasksJson } from './classicState.js';
import type { TasksQuery } from './classicState.js';
import { failure, sendFailure } from './httpErrors.js';
import type { MasterContext } from './masterContext.js';
import { changeMaintenance, scheduleJson, statusJson as maintenanceStatusJson } from './maintenanceApi.js';
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

/** `/master/maintenance/schedule` (GET, POST), `/master/maintenance/status`, `/master/machine/down` and `/up` (POST). */
function registerMaintenanceEndpoints(app: FastifyInstance, context: MasterContext): void {
  const recovering = (reply: FastifyReply) => sendFailure(reply, failure(503, 'the master is recovering its state; retry shortly'));
  for (const prefix of ['', '/master']) {
    app.get(`${prefix}/maintenance/schedule`, (request, reply) =>
      context.host.recovering ? recovering(reply) : answer(reply, request.query as Query, scheduleJson(context)),
    );
    app.get(`${prefix}/maintenance/status`, (request, reply) =>
      context.host.recovering ? recovering(reply) : answer(reply, request.query as Query, maintenanceStatusJson(context)),
    );
    const change = (url: string, type: string, wrap: (body: unknown) => Record<string, unknown>) =>
      app.post(url, async (request, reply) => {
        if (context.host.recovering) return recovering(reply);
        const body = Buffer.isBuffer(request.body) ? parseJson(request.body) : request.body;
        if (body === undefined) return sendFailure(reply, failure(400, 'body: must be JSON'));
        const outcome = await changeMaintenance(context, type, wrap(body));
        if (outcome.status >= 400) return sendFailure(reply, outcome);
        return reply.code(200).send();
      });
    change(`${prefix}/maintenance/schedule`, 'UPDATE_MAINTENANCE_SCHEDULE', (body) => ({ schedule: body }));
    change(`${prefix}/machine/down`, 'START_MAINTENANCE', (body) => ({ machines: body }));
    change(`${prefix}/machine/up`, 'STOP_MAINTENANCE', (body) => ({ machines: body }));
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
    for (const url of paths)
      app.get(url, (request: FastifyRequest, reply) => {
        if (context.host.recovering) return sendFailure(reply, failure(503, 'the master is recovering its state; retry shortly'));
        const query = request.query as Query;
        const result = build(context, query);
        if (!result.ok) return sendFailure(reply, failure(400, result.message));
        return answer(reply, query, result.body);
      });
  }
  app.get('/version', (request, reply) =>
    answer(reply, request.query as Query, { version: context.settings.version, build_date: '', build_time: 0, build_user: 'allot' }),
  );
  app.get('/metrics/snapshot', (request, reply) => {
    if (context.host.recovering) return sendFailure(reply, failure(503, 'the master is recovering its state; retry shortly'));
    return answer(reply, request.query as Query, metricsSnapshot(context));
  });
  registerMaintenanceEndpoints(app, context);
  // This master leads (a follower answers every path with a redirect to the leader): point at itself, scheme-relative.
  for (const url of ['/redirect', '/master/redirect'])
    app.get(url, (_request, reply) => reply.code(307).header('Location', `//${context.settings.hostname}:${context.settings.port}`).send());
}
