/**
 * Marathon's REST API shapes, checked against fixtures written from
 * Marathon's documentation (fixtures/), on an in-process master, a real
 * in-process agent (posix isolation) and an in-process `allot marathon` on
 * a memory store: status codes, error bodies, the keys of apps, tasks,
 * deployments, the queue, groups, /v2/info, and the event stream.
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
import type { RunningMarathon } from '../../../adapters/src/marathon/marathonDaemon.js';
import { startMarathonDaemon } from '../../../adapters/src/marathon/marathonDaemon.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import { eventually, makeWorkDir, removeWorkDir } from '../master/daemons.js';
import { startTestMaster } from '../master/inProcess.js';
import { type ApiAnswer, callJsonWithHeaders } from '../jsonApi.js';

type Json = Record<string, any>;

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string): any => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const RESPONSES = fixture('responses.json');

let dir = '';
let files = '';
let fileServer: Server;
let master: RunningMaster;
let agent: RunningAgent;
let marathon: RunningMarathon;
const events: Array<{ type: string; data: Json }> = [];
const stream = new AbortController();

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer & { headers: Headers }> {
  return callJsonWithHeaders(marathon.url, method, path, body);
}

/** Reads the SSE stream into `events` until the test ends. */
async function followEvents(): Promise<void> {
  const response = await fetch(`${marathon.url}/v2/events`, { headers: { Accept: 'text/event-stream' }, signal: stream.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data) events.push({ type, data: JSON.parse(data) });
        }
      }
    } catch {
      // Aborted at the end.
    }
  })();
}

function expectKeys(object: Json, keys: string[]): void {
  expect(Object.keys(object)).toEqual(expect.arrayContaining(keys));
}

beforeAll(async () => {
  dir = makeWorkDir('marathon-api');
  const zip = execFileSync('python3', [
    '-c',
    'import io,sys,zipfile\nb=io.BytesIO()\nz=zipfile.ZipFile(b,"w")\nz.writestr("inside.txt","zipped\\n")\nz.close()\nsys.stdout.buffer.write(b.getvalue())',
  ]);
  fileServer = createServer((request, response) => {
    if (request.url === '/setup.py') response.end('print("set up")\n');
    else if (request.url === '/archive.zip') response.end(zip);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  files = `http://127.0.0.1:${(fileServer.address() as { port: number }).port}`;
  master = await startTestMaster();
  const started = await startAgent({
    masterUrl: master.url,
    workDir: join(dir, 'agent'),
    port: 0,
    hostname: 'srv2.example.com',
    resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31020]',
    isolation: 'posix',
    logger: pino({ level: 'silent' }),
  });
  if (!started.ok) throw new Error(started.message);
  agent = started.agent;
  marathon = await startMarathonDaemon({ masters: [master.url], store: new MemoryStore(), logger: pino({ level: 'silent' }), port: 0 });
  await followEvents();
}, 60_000);

afterAll(async () => {
  stream.abort();
  await marathon?.close();
  await agent?.close({ killTasks: true });
  await master?.close();
  await new Promise((resolve) => fileServer?.close(resolve));
  if (dir) removeWorkDir(dir);
}, 60_000);

describe("Marathon's REST API", () => {
  it('POST /v2/apps takes the documented app definition: 201, the app with its deployment, and the events', async () => {
    // The documented artifacts, served from here: the fetcher brings them into each sandbox.
    const definition = JSON.parse(readFileSync(join(FIXTURES, 'app.json'), 'utf8').replaceAll('https://foo.com/', `${files}/`));
    const created = await api('POST', '/v2/apps', definition);
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v2/apps/foo');
    expect(created.headers.get('marathon-deployment-id')).toBe(created.body.deployments[0].id);
    expectKeys(created.body, fixture('app_list_keys.json'));
    expect(created.body).toMatchObject({
      id: '/foo',
      instances: 2,
      cmd: 'sleep 1000',
      labels: { owner: 'zeus' },
      constraints: [['hostname', 'LIKE', 'srv2.*']],
    });
    expect(created.body.portDefinitions[0]).toMatchObject({ protocol: 'tcp', name: 'http' });
    expect(created.body.ports).toEqual([created.body.portDefinitions[0].port]);
    expect(created.body.versionInfo).toEqual({ lastScalingAt: created.body.version, lastConfigChangeAt: created.body.version });
    const list = await api('GET', '/v2/apps');
    expect(list.status).toBe(200);
    expectKeys(list.body.apps[0], fixture('app_list_keys.json'));
    await eventually(async () => (await api('GET', '/v2/apps/foo')).body.app.tasksRunning === 2, '2 tasks running');
    for (const type of ['event_stream_attached', 'api_post_event', 'deployment_info', 'status_update_event'])
      expectKeys(events.find((event) => event.type === type)!.data, RESPONSES.events[type]);
    expect(events[0].type).toBe('event_stream_attached');
  }, 60_000);

  it('answers 422, 409 and 404 with the documented bodies', async () => {
    const invalid = await api('POST', '/v2/apps', RESPONSES.invalid.request);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject(RESPONSES.invalid.answer);
    expect(invalid.body.details[0].errors).toHaveLength(1);
    expect((await api('POST', '/v2/apps', '{not json')).status).toBe(400);
    // Marathon's example id has an underscore, which its own id rules refuse: the same answer for a valid id.
    await api('POST', '/v2/apps', { id: '/existing-app', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 0 });
    const exists = await api('POST', '/v2/apps', { id: '/existing-app', cmd: 'sleep 100' });
    expect(exists).toMatchObject({ status: 409, body: { message: RESPONSES.exists.message.replace('existing_app', 'existing-app') } });
    expect(await api('GET', '/v2/apps/not_existent')).toMatchObject({ status: 404, body: RESPONSES.notFound });
    const unknown = await api('POST', '/v2/apps', { id: '/x', cmd: 'y', colour: 'red', container: { docker: { image: 'nginx' } } });
    expect(unknown.body.details.map((detail: Json) => detail.path).sort()).toEqual(['/colour', '/container']);
  });

  it('deployments: results with Marathon-Deployment-Id, the documented list, 409 for a locked app, force', async () => {
    // The documented app's HTTP check never passes (`sleep` serves nothing): its first deployment waits; force past it.
    const scaled = await api('PUT', '/v2/apps/foo?force=true', { instances: 50 });
    expect(scaled.status).toBe(200);
    expect(Object.keys(scaled.body).sort()).toEqual([...RESPONSES.deploymentResult].sort());
    expect(scaled.headers.get('marathon-deployment-id')).toBe(scaled.body.deploymentId);
    const list = (await api('GET', '/v2/deployments')).body as Json[];
    const deployment = list.find((entry) => entry.id === scaled.body.deploymentId)!;
    expectKeys(deployment, RESPONSES.deployment.keys);
    expectKeys(deployment.steps[0], RESPONSES.deployment.stepKeys);
    expectKeys(deployment.steps[0].actions[0], RESPONSES.deployment.actionKeys);
    expectKeys(deployment.currentActions[0], RESPONSES.deployment.currentActionKeys);
    expect(deployment.steps[0].actions[0]).toEqual({ action: 'ScaleApplication', app: '/foo' });
    const locked = await api('PUT', '/v2/apps/foo', { instances: 3 });
    expect(locked.status).toBe(409);
    expect(locked.body).toEqual({
      message: RESPONSES.locked.message.replace('<DEPLOYMENT_ID>', scaled.body.deploymentId),
      deployments: [{ id: scaled.body.deploymentId }],
    });
    const queue = (await eventually(async () => (await api('GET', '/v2/queue')).body.queue?.[0], 'a queued launch')) as Json;
    expectKeys(queue, RESPONSES.queueEntry);
    expectKeys(queue.delay, RESPONSES.queueDelay);
    const forced = await api('PUT', '/v2/apps/foo?force=true', { instances: 2 });
    expect(forced.status).toBe(200);
    expect(events.some((event) => event.type === 'deployment_failed' && event.data.id === scaled.body.deploymentId)).toBe(true);
    await eventually(async () => (await api('GET', '/v2/apps/foo')).body.app.tasks.length === 2, 'foo back at 2 tasks');
  }, 60_000);

  it('tasks: the documented keys, text/plain, kill one with and without scale', async () => {
    const tasks = (await api('GET', '/v2/tasks')).body.tasks as Json[];
    expect(tasks.length).toBe(2);
    expectKeys(tasks[0], RESPONSES.task);
    expect(tasks[0].host).toBe('srv2.example.com');
    const text = await fetch(`${marathon.url}/v2/tasks`, { headers: { Accept: 'text/plain' } }).then((response) => response.text());
    expect(text).toMatch(/^foo\t\d+\tsrv2\.example\.com:\d+\tsrv2\.example\.com:\d+$/m);
    const killed = await api('DELETE', `/v2/apps/foo/tasks/${tasks[0].id}`);
    expect(killed.status).toBe(200);
    expectKeys(killed.body.task, RESPONSES.task);
    const scaledDown = await api('DELETE', `/v2/apps/foo/tasks/${tasks[1].id}?scale=true&force=true`);
    expect(Object.keys(scaledDown.body).sort()).toEqual([...RESPONSES.deploymentResult].sort());
    const app = await eventually(async () => {
      const view = (await api('GET', '/v2/apps/foo')).body.app;
      return view.instances === 1 && view.tasksRunning === 1 && view.tasks.length === 1 ? view : null;
    }, 'foo at one instance');
    expect(app.tasks.map((task: Json) => task.id)).not.toContain(tasks[1].id);
    expect((await api('POST', '/v2/tasks/delete', { ids: ['not_known'] })).body).toEqual({ message: 'Invalid task id not_known' });
  }, 60_000);

  it('groups, PUT of what GET answered, restart, versions, info, leader and ping', async () => {
    const group = await api('POST', '/v2/groups', {
      id: '/product',
      apps: [{ id: 'db', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 1 }],
      groups: [{ id: 'backend', apps: [{ id: 'api', cmd: 'sleep 100', cpus: 0.1, mem: 16, instances: 1, dependencies: ['/product/db'] }] }],
    });
    expect(group.status).toBe(201);
    // The app that depends on the other starts in a later step.
    const plan = events.find((event) => event.type === 'deployment_info' && event.data.plan.id === group.body.deploymentId)!.data.plan;
    expect(plan.steps.map((step: Json) => step.actions.map((action: Json) => action.app))).toEqual([
      ['/product/db'],
      ['/product/backend/api'],
    ]);
    const shown = (await api('GET', '/v2/groups/product')).body;
    expectKeys(shown, RESPONSES.group);
    expect(shown.apps.map((app: Json) => app.id)).toEqual(['/product/db']);
    expect(shown.groups[0].apps.map((app: Json) => app.id)).toEqual(['/product/backend/api']);
    expect((await api('GET', '/v2/groups/nothing')).status).toBe(404);
    const read = (await api('GET', '/v2/apps/product/db')).body.app;
    const roundTrip = await api('PUT', '/v2/apps/product/db?force=true', read);
    expect(roundTrip.status).toBe(200);
    const restart = await api('POST', '/v2/apps/product/db/restart?force=true');
    expect(Object.keys(restart.body).sort()).toEqual([...RESPONSES.deploymentResult].sort());
    const versions = (await api('GET', '/v2/apps/product/db/versions')).body.versions as string[];
    expect(versions.length).toBe(3);
    expect((await api('GET', `/v2/apps/product/db/versions/${versions[0]}`)).body.id).toBe('/product/db');
    const info = (await api('GET', '/v2/info')).body;
    expectKeys(info, RESPONSES.info);
    expectKeys(info.marathon_config, RESPONSES.infoConfig);
    expect(info.frameworkId).toMatch(/-\d{4}$/);
    expect((await api('GET', '/v2/leader')).body).toEqual({ leader: marathon.url.replace('http://', '') });
    expect((await api('GET', '/ping')).body).toBe('pong');
    expectKeys(
      await eventually(() => events.find((event) => event.type === 'deployment_success')?.data, 'deployment_success'),
      RESPONSES.events.deployment_success,
    );
    const deleted = await api('DELETE', '/v2/groups/product?force=true');
    expect(deleted.status).toBe(200);
    expect((await api('GET', '/v2/apps')).body.apps.map((app: Json) => app.id).sort()).toEqual(['/existing-app', '/foo']);
    expect((await api('DELETE', '/v2/apps/existing-app')).status).toBe(200);
    expectKeys(
      await eventually(() => events.find((event) => event.type === 'app_terminated_event')?.data, 'app_terminated_event'),
      RESPONSES.events.app_terminated_event,
    );
  }, 60_000);

  it('/v2/queue lists every reason an offer did not fit, not only the first', async () => {
    const created = await api('POST', '/v2/apps', {
      id: '/picky',
      cmd: 'sleep 600',
      cpus: 8,
      mem: 16,
      instances: 1,
      constraints: [['hostname', 'LIKE', 'db-.*']],
    });
    expect(created.status).toBe(201);
    const entry = (await eventually(async () => {
      const queue = (await api('GET', '/v2/queue')).body.queue as Json[] | undefined;
      return queue?.find((candidate) => candidate.app.id === '/picky' && candidate.lastUnusedOffers.length > 0);
    }, 'the picky app queued with its reasons')) as Json;
    expect(entry.lastUnusedOffers[0].reason).toEqual(['UnfulfilledConstraint', 'InsufficientCpus']);
    expect(entry.lastUnusedOffers[0].message).toMatch(
      /hostname:LIKE:db-\.\*: hostname srv2\.example\.com does not match .*; insufficient cpus: need 8, offered \d/,
    );
    // The funnel counts the offer once, at its first stage.
    expect(entry.unusedOfferSummary.rejectReason.InsufficientCpus).toBeUndefined();
    expect((await api('DELETE', '/v2/apps/picky?force=true')).status).toBe(200);
  }, 60_000);
});
