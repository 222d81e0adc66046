/**
 * The rest of Marathon's REST API beside `/v2/apps`: `/v2/tasks` (JSON, or
 * Marathon's tab-separated text with `Accept: text/plain`) and
 * `POST /v2/tasks/delete`, `/v2/deployments`, `/v2/groups`, `/v2/queue`,
 * `/v2/info`, `/v2/leader`, `/ping` and the event stream `/v2/events`; and
 * allot's own `GET /v2/state/snapshot` (the model's store, for `allot fork`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { deploymentAnswer, deploymentReply, embedsOf, flag, killTasksAnswer } from './appsRoutes.js';
import { deploymentJson } from './deploymentPlan.js';
import type { Target } from './deploymentRunner.js';
import { isScaleOnly, readGroup } from './groupDefinition.js';
import type { MarathonRuntime } from './marathonRuntime.js';
import { groupExists, groupJson, infoJson, queueJson, taskJson } from './marathonViews.js';
import { canonicalPath, isObject } from './validation.js';

type Query = Record<string, string | string[] | undefined>;

export function registerMarathonRoutes(app: FastifyInstance, runtime: MarathonRuntime, self: () => { url: string; port: number }): void {
  app.get('/ping', (_request, reply) => reply.type('text/plain').send('pong'));
  app.get('/v2/info', (_request, reply) => reply.send(infoJson(runtime, self().url, self().port)));
  app.get('/v2/leader', (_request, reply) => reply.send({ leader: self().url.replace(/^https?:\/\//, '') }));
  app.get('/v2/events', (request, reply) => runtime.events.attach(request, reply));
  app.get('/v2/queue', (_request, reply) => reply.send(queueJson(runtime)));
  // allot's own (Marathon has no such path): the model's store and the scheduler's clock, for `allot fork --marathon`.
  app.get('/v2/state/snapshot', (_request, reply) =>
    reply.send({ frameworkId: runtime.frameworkId, atMs: runtime.framework.host.context.nowMs, snapshot: runtime.model.snapshot() }),
  );

  app.get('/v2/tasks', (request, reply) => {
    const query = request.query as Query;
    const states = new Set([query.status ?? [], query['status[]'] ?? []].flat().map((status) => status.toLowerCase()));
    const tasks = Object.values(runtime.document.tasks).filter((task) => states.size === 0 || states.has(taskCondition(task.state)));
    if ((request.headers.accept ?? '').includes('text/plain') && !(request.headers.accept ?? '').includes('json'))
      return reply.type('text/plain').send(tasksText(runtime));
    return reply.send({ tasks: tasks.map((task) => taskJson(runtime, task)) });
  });
  app.post('/v2/tasks/delete', async (request, reply) => {
    const body = request.body;
    const ids: unknown = isObject(body) ? body.ids : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
      return reply
        .code(422)
        .send({ message: 'Object is not valid', details: [{ path: '/ids', errors: ['expected an array of task ids'] }] });
    const unknown = ids.find((id) => !runtime.document.tasks[id]);
    if (unknown !== undefined) return reply.code(400).send({ message: `Invalid task id ${unknown}` });
    const query = request.query as Query;
    return killTasksAnswer(runtime, reply, ids, flag(query, 'scale'), flag(query, 'force'), false);
  });

  const readiness = (appId: string) => runtime.readiness.resultsOf(appId);
  app.get('/v2/deployments', (_request, reply) =>
    reply.send(runtime.document.deployments.map((deployment) => deploymentJson(deployment, readiness))),
  );
  app.get('/v2/deployments/:id', (request, reply) => {
    const deployment = runtime.document.deployments.find((candidate) => candidate.id === (request.params as { id: string }).id);
    if (!deployment) return reply.code(404).send({ message: `DeploymentPlan ${(request.params as { id: string }).id} does not exist` });
    return reply.send(deploymentJson(deployment, readiness));
  });
  app.delete('/v2/deployments/:id', async (request, reply) => {
    const id = (request.params as { id: string }).id;
    const force = flag(request.query as Query, 'force');
    const result = await runtime.deployments.cancel(id, force);
    if (!result.ok) return reply.code(404).send({ message: `DeploymentPlan ${id} does not exist` });
    if (result.rollback === null) return reply.code(202).send();
    return deploymentReply(reply, result.rollback);
  });

  app.get('/v2/groups', (request, reply) => reply.send(groupJson(runtime, '/', embedsOf(request.query as Query, 'apps', false))));
  app.get('/v2/groups/*', (request, reply) => {
    const id = canonicalPath((request.params as { '*': string })['*']) ?? '';
    if (!groupExists(runtime, id)) return reply.code(404).send({ message: `Group '${id || '?'}' does not exist` });
    return reply.send(groupJson(runtime, id, embedsOf(request.query as Query, 'apps', false)));
  });
  app.post('/v2/groups', (request, reply) => changeGroup(runtime, request.body, '/', 'create', request.query as Query, reply));
  app.post('/v2/groups/*', (request, reply) =>
    changeGroup(
      runtime,
      request.body,
      canonicalPath((request.params as { '*': string })['*']) ?? '/',
      'create',
      request.query as Query,
      reply,
    ),
  );
  app.put('/v2/groups', (request, reply) => changeGroup(runtime, request.body, '/', 'update', request.query as Query, reply));
  app.put('/v2/groups/*', (request, reply) =>
    changeGroup(
      runtime,
      request.body,
      canonicalPath((request.params as { '*': string })['*']) ?? '/',
      'update',
      request.query as Query,
      reply,
    ),
  );
  app.delete('/v2/groups/*', async (request, reply) => {
    const id = canonicalPath((request.params as { '*': string })['*']) ?? '';
    if (!groupExists(runtime, id) || id === '/') return reply.code(404).send({ message: `Group '${id || '?'}' does not exist` });
    const targets: Target[] = appsUnder(runtime, id).map((appId) => ({ appId, target: null }));
    return deploymentAnswer(reply, await runtime.deployments.deploy(targets, flag(request.query as Query, 'force')));
  });
}

/** POST creates a group (409 if it exists); PUT makes the group what the body says (apps it omits are stopped), or scales it by `scaleBy`. */
async function changeGroup(
  runtime: MarathonRuntime,
  body: unknown,
  pathId: string,
  mode: 'create' | 'update',
  query: Query,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const force = flag(query, 'force');
  if (mode === 'update' && isObject(body) && isScaleOnly(body)) {
    const targets = appsUnder(runtime, pathId).map((appId) => {
      const current = runtime.document.apps[appId].current;
      return { appId, target: { ...current, instances: Math.ceil(current.instances * (body.scaleBy as number)) } };
    });
    return deploymentAnswer(reply, await runtime.deployments.deploy(targets, force));
  }
  const read = readGroup(body, pathId, { role: runtime.role, base: mode === 'create' ? pathId : '/' });
  if (!read.ok) return reply.code(422).send(read.problems.body());
  if (mode === 'create' && read.id !== '/' && groupExists(runtime, read.id))
    return reply.code(409).send({ message: `An app or group with id [${read.id}] already exists.` });
  if (mode === 'create' && read.apps.some((app) => runtime.document.apps[app.id]))
    return reply
      .code(409)
      .send({ message: `An app with id [${read.apps.find((app) => runtime.document.apps[app.id])!.id}] already exists.` });
  const wanted = new Set(read.apps.map((app) => app.id));
  const stops: Target[] =
    mode === 'update'
      ? appsUnder(runtime, read.id)
          .filter((appId) => !wanted.has(appId))
          .map((appId) => ({ appId, target: null }))
      : [];
  const targets: Target[] = [...stops, ...read.apps.map((app) => ({ appId: app.id, target: app }))];
  const result = await runtime.deployments.deploy(targets, force);
  if (result.ok) runtime.events.emit('group_change_success', { groupId: read.id, version: result.deployment.version });
  return deploymentAnswer(reply, result, mode === 'create' ? 201 : 200);
}

function appsUnder(runtime: MarathonRuntime, groupId: string): string[] {
  const prefix = groupId === '/' ? '/' : `${groupId}/`;
  return Object.keys(runtime.document.apps).filter((appId) => appId.startsWith(prefix));
}

/** Marathon's task status filter values. */
function taskCondition(state: string): string {
  if (state === 'TASK_STAGING' || state === 'TASK_STARTING') return 'staging';
  if (state === 'TASK_RUNNING') return 'running';
  if (state === 'TASK_KILLING') return 'killing';
  if (state === 'TASK_UNREACHABLE') return 'unreachable';
  return state.replace(/^TASK_/, '').toLowerCase();
}

/** `appId<TAB>servicePort<TAB>host:port...` per app and service port, as Marathon's text/plain tasks. */
function tasksText(runtime: MarathonRuntime): string {
  const lines: string[] = [];
  for (const stored of Object.values(runtime.document.apps)) {
    const tasks = Object.values(runtime.document.tasks).filter((task) => task.appId === stored.current.id);
    stored.current.portDefinitions.forEach((definition, index) => {
      const endpoints = tasks.filter((task) => task.ports[index] !== undefined).map((task) => `${task.host}:${task.ports[index]}`);
      lines.push([stored.current.id.slice(1).replace(/\//g, '_'), String(definition.port), ...endpoints].join('\t'));
    });
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
