/**
 * `/v2/apps` of Marathon's REST API. App ids are paths (`/prod/web`), so the
 * routes take the rest of the URL and read a trailing `/restart`, `/tasks`,
 * `/tasks/{taskId}` or `/versions[/{version}]` off it, as Marathon does.
 * Changes answer Marathon's shapes: 201 with the app (POST), 200 or 201
 * `{deploymentId, version}` with a `Marathon-Deployment-Id` header
 * (PUT, PATCH, DELETE, restart), 409 for an existing app or a locked one
 * (unless `?force=true`), 404 `App '/x' does not exist`, 422 with the
 * validation details.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppDefinition } from './appDefinition.js';
import { mergeUpdate, readAppDefinition } from './appDefinition.js';
import type { Deployment } from './deploymentPlan.js';
import type { DeployResult } from './deploymentRunner.js';
import type { MarathonRuntime } from './marathonRuntime.js';
import type { Embeds } from './marathonViews.js';
import { appJson, taskJson, tasksOf } from './marathonViews.js';
import { canonicalPath, isObject } from './validation.js';

type Query = Record<string, string | string[] | undefined>;

export function flag(query: Query, name: string): boolean {
  const value = [query[name] ?? []].flat().at(-1);
  return value === 'true' || value === '1' || value === '';
}

export function embedsOf(query: Query, prefix: 'app' | 'apps', single: boolean): Embeds {
  const embed = new Set([query.embed ?? []].flat());
  const has = (name: string) => embed.has(`${prefix}.${name}`) || (name !== 'failures' && embed.has(`${prefix}.failures`));
  if (embed.size === 0) return { tasks: single, counts: true, deployments: true, lastTaskFailure: single };
  // Counts and deployments are always there, as Marathon 1.x still embeds them by default.
  return {
    tasks: has('tasks'),
    counts: true,
    deployments: true,
    lastTaskFailure: has('lastTaskFailure'),
    readiness: embed.has(`${prefix}.readiness`),
  };
}

export function notFound(reply: FastifyReply, appId: string): FastifyReply {
  return reply.code(404).send({ message: `App '${appId}' does not exist` });
}

export function deploymentAnswer(reply: FastifyReply, result: DeployResult, status = 200): FastifyReply {
  if (!result.ok) return reply.code(result.status).send(result.body);
  return deploymentReply(reply, result.deployment, status);
}

export function deploymentReply(reply: FastifyReply, deployment: Deployment, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('Marathon-Deployment-Id', deployment.id)
    .send({ deploymentId: deployment.id, version: deployment.version });
}

export function registerAppsRoutes(app: FastifyInstance, runtime: MarathonRuntime): void {
  app.get('/v2/apps', (request, reply) => {
    const query = request.query as Query;
    const embeds = embedsOf(query, 'apps', false);
    const idFilter = typeof query.id === 'string' ? query.id : null;
    const cmdFilter = typeof query.cmd === 'string' ? query.cmd : null;
    const labelFilter = typeof query.label === 'string' ? labelSelector(query.label) : null;
    const apps = Object.values(runtime.document.apps)
      .filter((stored) => idFilter === null || stored.current.id.includes(idFilter))
      .filter((stored) => cmdFilter === null || (stored.current.cmd ?? '').includes(cmdFilter))
      .filter((stored) => labelFilter === null || labelFilter(stored.current.labels))
      .sort((a, b) => a.current.id.localeCompare(b.current.id))
      .map((stored) => appJson(runtime, stored, embeds));
    return reply.send({ apps });
  });

  app.post('/v2/apps', async (request, reply) => {
    const read = readAppDefinition(request.body, { role: runtime.role });
    if (!read.ok) return reply.code(422).send(read.problems.body());
    if (runtime.document.apps[read.app.id]) return reply.code(409).send({ message: `An app with id [${read.app.id}] already exists.` });
    if (groupNamed(runtime, read.app.id)) return reply.code(409).send({ message: `A group with id [${read.app.id}] already exists.` });
    const result = await runtime.deployments.deploy([{ appId: read.app.id, target: read.app }], flag(request.query as Query, 'force'));
    if (!result.ok) return reply.code(result.status).send(result.body);
    postEvent(runtime, request, read.app);
    const stored = runtime.document.apps[read.app.id];
    return reply
      .code(201)
      .header('Location', `/v2/apps${read.app.id}`)
      .header('Marathon-Deployment-Id', result.deployment.id)
      .send(appJson(runtime, stored, { tasks: true, counts: true, deployments: true, lastTaskFailure: false }));
  });

  app.get('/v2/apps/*', (request, reply) => showRoute(runtime, request, reply));
  app.put('/v2/apps/*', (request, reply) => updateRoute(runtime, request, reply, 'PUT'));
  app.patch('/v2/apps/*', (request, reply) => updateRoute(runtime, request, reply, 'PATCH'));
  app.post('/v2/apps/*', async (request, reply) => {
    const path = (request.params as { '*': string })['*'];
    const match = /^(.*)\/restart\/?$/.exec(path);
    if (!match) return reply.code(405).send({ message: 'POST is allowed on /v2/apps and /v2/apps/{appId}/restart' });
    const appId = canonicalPath(match[1]);
    const stored = appId ? runtime.document.apps[appId] : undefined;
    if (!appId || !stored) return notFound(reply, appId ?? match[1]);
    const result = await runtime.deployments.deploy(
      [{ appId, target: stored.current, restart: true }],
      flag(request.query as Query, 'force'),
    );
    return deploymentAnswer(reply, result);
  });
  app.delete('/v2/apps/*', (request, reply) => deleteRoute(runtime, request, reply));
}

async function showRoute(runtime: MarathonRuntime, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const path = (request.params as { '*': string })['*'];
  const versions = /^(.*)\/versions(?:\/([^/]+))?\/?$/.exec(path);
  const tasks = /^(.*)\/tasks\/?$/.exec(path);
  const appId = canonicalPath((versions ?? tasks)?.[1] ?? path);
  const stored = appId ? runtime.document.apps[appId] : undefined;
  if (!appId || !stored) return notFound(reply, appId ?? `/${path}`);
  if (versions && versions[2] === undefined) return reply.send({ versions: Object.keys(stored.versions).reverse() });
  if (versions) {
    const definition = stored.versions[versions[2]];
    if (!definition) return reply.code(404).send({ message: `App '${appId}' does not exist in version ${versions[2]}` });
    return reply.send({ ...definition, version: versions[2] });
  }
  if (tasks) return reply.send({ tasks: tasksOf(runtime, appId).map((task) => taskJson(runtime, task)) });
  return reply.send({ app: appJson(runtime, stored, embedsOf(request.query as Query, 'app', true)) });
}

async function updateRoute(
  runtime: MarathonRuntime,
  request: FastifyRequest,
  reply: FastifyReply,
  method: 'PUT' | 'PATCH',
): Promise<FastifyReply> {
  const path = (request.params as { '*': string })['*'];
  const appId = canonicalPath(path);
  if (!appId || appId === '/')
    return reply.code(422).send({ message: 'Object is not valid', details: [{ path: '/id', errors: ['is not a valid app id'] }] });
  const body = request.body;
  if (!isObject(body))
    return reply.code(422).send({ message: 'Object is not valid', details: [{ path: '/', errors: ['expected a JSON object'] }] });
  if (body.id !== undefined && canonicalPath(String(body.id)) !== appId)
    return reply.code(422).send({
      message: 'Object is not valid',
      details: [{ path: '/id', errors: [`the id in the body differs from ${appId} in the path`] }],
    });
  const stored = runtime.document.apps[appId];
  if (!stored && method === 'PATCH') return notFound(reply, appId);
  // `{"version": "..."}` alone rolls the app back to that version, as in Marathon.
  if (stored && typeof body.version === 'string' && Object.keys(body).every((key) => key === 'version' || key === 'id')) {
    const old = stored.versions[body.version];
    if (!old) return reply.code(404).send({ message: `App '${appId}' does not exist in version ${body.version}` });
    return deploymentAnswer(reply, await runtime.deployments.deploy([{ appId, target: old }], flag(request.query as Query, 'force')));
  }
  const read = readAppDefinition(stored ? mergeUpdate(stored.current, body) : { ...body, id: appId }, { role: runtime.role });
  if (!read.ok) return reply.code(422).send(read.problems.body());
  const result = await runtime.deployments.deploy([{ appId, target: read.app }], flag(request.query as Query, 'force'));
  if (result.ok) postEvent(runtime, request, read.app);
  return deploymentAnswer(reply, result, stored ? 200 : 201);
}

async function deleteRoute(runtime: MarathonRuntime, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const path = (request.params as { '*': string })['*'];
  const query = request.query as Query;
  const oneTask = /^(.*)\/tasks\/([^/]+)\/?$/.exec(path);
  const allTasks = /^(.*)\/tasks\/?$/.exec(path);
  const appId = canonicalPath((oneTask ?? allTasks)?.[1] ?? path);
  const stored = appId ? runtime.document.apps[appId] : undefined;
  if (!appId || !stored) return notFound(reply, appId ?? `/${path}`);
  if (oneTask || allTasks) {
    const host = typeof query.host === 'string' ? query.host : null;
    const ids = oneTask
      ? [oneTask[2]]
      : tasksOf(runtime, appId)
          .filter((task) => host === null || task.host === host)
          .map((task) => task.id);
    if (oneTask && !runtime.document.tasks[oneTask[2]]) return reply.code(404).send({ message: `Task '${oneTask[2]}' does not exist` });
    return killTasksAnswer(runtime, reply, ids, flag(query, 'scale'), flag(query, 'force'), oneTask !== null);
  }
  const result = await runtime.deployments.deploy([{ appId, target: null }], flag(query, 'force'));
  if (result.ok) runtime.events.emit('app_terminated_event', { appId });
  return deploymentAnswer(reply, result);
}

/** Kills tasks: with scale, a deployment that shrinks their apps; without, the apps replace them. */
export async function killTasksAnswer(
  runtime: MarathonRuntime,
  reply: FastifyReply,
  taskIds: string[],
  scale: boolean,
  force: boolean,
  single: boolean,
): Promise<FastifyReply> {
  const views = taskIds.map((id) => runtime.document.tasks[id]).filter((view) => view !== undefined);
  const byApp = new Map<string, number>();
  for (const view of views) byApp.set(view.appId, (byApp.get(view.appId) ?? 0) + 1);
  if (scale) {
    const locks = runtime.deployments.locking([...byApp.keys()]);
    if (locks.length > 0 && !force) return reply.code(409).send(runtime.deployments.lockedAnswer(locks).body);
  }
  const answer = views.map((view) => taskJson(runtime, view));
  await runtime.act((model) => {
    for (const view of views) model.operate({ type: 'task.kill', taskId: view.id, scale }, runtime.framework.host.context);
  });
  if (!scale) return reply.send(single ? { task: answer[0] } : { tasks: answer });
  const targets = [...byApp].flatMap(([appId, killed]) => {
    const stored = runtime.document.apps[appId];
    return stored
      ? [{ appId, target: { ...stored.current, instances: Math.max(0, stored.current.instances - killed) } as AppDefinition }]
      : [];
  });
  return deploymentAnswer(reply, await runtime.deployments.deploy(targets, true));
}

function postEvent(runtime: MarathonRuntime, request: FastifyRequest, definition: AppDefinition): void {
  runtime.events.emit('api_post_event', { clientIp: request.ip, uri: request.url, appDefinition: definition });
}

function groupNamed(runtime: MarathonRuntime, id: string): boolean {
  return Object.keys(runtime.document.apps).some((appId) => appId.startsWith(`${id}/`));
}

/** Marathon's label selectors: `key`, `key==value`, `key!=value`, `key in (a, b)`, `key notin (a, b)`, comma-separated (AND). */
function labelSelector(text: string): (labels: Record<string, string>) => boolean {
  const parts = text
    .split(/,(?![^(]*\))/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  const tests = parts.map((part) => {
    const set = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(part);
    if (set) {
      const values = set[3].split(',').map((value) => value.trim());
      return (labels: Record<string, string>) => set[1] in labels && values.includes(labels[set[1]]) === (set[2] === 'in');
    }
    const equal = /^([^=!]+)(==|!=)(.*)$/.exec(part);
    if (equal)
      return (labels: Record<string, string>) =>
        equal[1].trim() in labels && (labels[equal[1].trim()] === equal[3].trim()) === (equal[2] === '==');
    return (labels: Record<string, string>) => part in labels;
  });
  return (labels) => tests.every((test) => test(labels));
}
