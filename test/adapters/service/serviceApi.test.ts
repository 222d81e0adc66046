/**
 * The service scheduler's HTTP API (DC/OS Commons paths, shapes and status
 * codes) and the `allot service` client commands, against an in-process
 * master, a real in-process agent (posix isolation) and an in-process
 * service daemon on a memory store.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import { startAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import type { RunningService } from '../../../adapters/src/service/serviceDaemon.js';
import { startServiceDaemon } from '../../../adapters/src/service/serviceDaemon.js';
import { loadServiceSpec } from '../../../adapters/src/service/serviceSpecFile.js';
import { MemoryStore } from '../../../adapters/src/store/memoryStore.js';
import { eventually, makeWorkDir, removeWorkDir } from '../master/daemons.js';
import { startTestMaster } from '../master/inProcess.js';

type Json = Record<string, any>;

const SPEC = (count: number, sizeMb = 8) => `name: web
pods:
  web:
    count: ${count}
    tasks:
      server:
        goal: RUNNING
        cmd: "echo up > data/up; exec sleep 600"
        cpus: 0.1
        memory: 32
        volume: { path: data, type: ROOT, size: ${sizeMb} }
        ports:
          http: { port: 0, env-key: HTTP_PORT, advertise: true }
          admin: { port: 0 }
        readiness-check: { cmd: test -f data/up, interval: 0.5, delay: 0, timeout: 5 }
      note:
        goal: FINISH
        cmd: echo noted
        cpus: 0.1
        memory: 16
plans:
  notes:
    strategy: serial
    phases:
      note-phase:
        pod: web
        steps:
          - default: [[note]]
`;

const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));
let dir = '';
let master: RunningMaster;
let agent: RunningAgent;
let service: RunningService;

async function api(
  path: string,
  method = 'GET',
  body?: { json?: unknown; yaml?: string },
): Promise<{ status: number; body: any; type: string }> {
  const response = await fetch(`${service.url}${path}`, {
    method,
    ...(body?.json !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body.json) } : {}),
    ...(body?.yaml !== undefined ? { headers: { 'Content-Type': 'application/x-yaml' }, body: body.yaml } : {}),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Plain text answers.
  }
  return { status: response.status, body: parsed, type: response.headers.get('content-type') ?? '' };
}

function allot(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [LAUNCHER, ...args], { env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = makeWorkDir('service-api');
  master = await startTestMaster();
  const started = await startAgent({
    masterUrl: master.url,
    workDir: join(dir, 'agent'),
    port: 0,
    hostname: 'web-host',
    resources: 'cpus:2;mem:1024;disk:1024;ports:[31000-31020]',
    isolation: 'posix',
    logger: pino({ level: 'silent' }),
  });
  if (!started.ok) throw new Error(started.message);
  agent = started.agent;
  const loaded = loadServiceSpec(SPEC(2), 'svc.yml', () => undefined);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  service = await startServiceDaemon({
    spec: loaded.spec,
    masters: [master.url],
    store: new MemoryStore(),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
  await eventually(async () => (await api('/v1/plans/deploy')).status === 200, 'deploy COMPLETE', 60_000);
}, 90_000);

afterAll(async () => {
  await service?.close();
  await agent?.close({ killTasks: true });
  await master?.close();
  if (dir) removeWorkDir(dir);
}, 60_000);

describe('plans', () => {
  it('lists plans, and shows one as PlanInfo with ids, SDK statuses and HTTP 200 when complete', async () => {
    expect((await api('/v1/plans')).body).toEqual(['deploy', 'notes', 'recovery']);
    const deploy = await api('/v1/plans/deploy');
    expect(deploy.status).toBe(200);
    expect(deploy.body).toMatchObject({ status: 'COMPLETE', strategy: 'serial', errors: [] });
    const phase = deploy.body.phases[0];
    expect(phase).toMatchObject({ name: 'web', status: 'COMPLETE', strategy: 'serial' });
    expect(phase.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(phase.steps.map((step: Json) => [step.name, step.status])).toEqual([
      ['web-0:[server]', 'COMPLETE'],
      ['web-1:[server]', 'COMPLETE'],
    ]);
    expect(Object.keys(phase.steps[0]).sort()).toEqual(['id', 'message', 'name', 'status']);
    expect((await api('/v1/plans/notes')).body.status).toBe('WAITING');
    expect((await api('/v1/plans/notes')).status).toBe(202);
    expect(await api('/v1/plans/nope')).toMatchObject({ status: 404, body: 'Plan nope not found' });
  });

  it('controls answer like the SDK: 200 with a message, 208 when nothing changes, 404 and 400 for bad targets', async () => {
    expect(await api('/v1/plans/deploy/interrupt', 'POST')).toMatchObject({ status: 200, body: { message: 'Received cmd: interrupt' } });
    expect(await api('/v1/plans/deploy/interrupt', 'POST')).toMatchObject({
      status: 208,
      body: 'Command has already been reported or completed',
    });
    expect((await api('/v1/plans/deploy/continue', 'POST')).status).toBe(200);
    expect(await api('/v1/plans/deploy/restart?step=web-0', 'POST')).toMatchObject({ status: 400, body: 'Missing phase' });
    expect(await api('/v1/plans/deploy/restart?phase=nope', 'POST')).toMatchObject({ status: 404, body: 'Phase nope not found' });
    expect(await api('/v1/plans/deploy/forceComplete?phase=web&step=nope', 'POST')).toMatchObject({
      status: 404,
      body: 'Step nope not found',
    });
    const id = (await api('/v1/plans/deploy')).body.phases[0].id;
    expect((await api(`/v1/plans/deploy/forceComplete?phase=${id}`, 'POST')).status).toBe(208);
    expect(await api('/v1/plans/notes/start', 'POST', { json: { 'BAD-NAME': 'x' } })).toMatchObject({
      status: 400,
      body: "Couldn't parse parameters: BAD-NAME is not a valid environment variable name",
    });
  });

  it('starts a custom plan with parameters; its sidecar tasks run to completion on the deployed pods', async () => {
    expect((await api('/v1/plans/notes/start', 'POST', { json: { TARGET: 'x' } })).status).toBe(200);
    await eventually(async () => (await api('/v1/plans/notes')).body.status === 'COMPLETE', 'notes COMPLETE', 60_000);
    const info = (await api('/v1/pod/web-0/info')).body as Json[];
    const note = info.find((entry) => entry.info.name === 'web-0-note')!;
    expect(note.status.state).toBe('TASK_FINISHED');
    expect(note.info.command.environment.variables).toEqual(expect.arrayContaining([{ name: 'TARGET', value: 'x' }]));
  });
});

describe('pods and endpoints', () => {
  it('lists pods, their task statuses, and their TaskInfos with statuses', async () => {
    expect((await api('/v1/pod')).body).toEqual(['web-0', 'web-1']);
    const status = (await api('/v1/pod/status')).body;
    expect(status.service).toBe('web');
    expect(status.pods[0].name).toBe('web');
    expect(status.pods[0].instances[0].tasks.find((task: Json) => task.name === 'web-0-server')).toMatchObject({ status: 'RUNNING' });
    const info = (await api('/v1/pod/web-1/info')).body as Json[];
    const server = info.find((entry) => entry.info.name === 'web-1-server')!;
    expect(server.info.check).toMatchObject({ type: 'COMMAND', command: { command: { value: 'test -f data/up' } } });
    expect(server.info.resources.some((resource: Json) => resource.disk?.volume?.container_path === 'data')).toBe(true);
    expect(server.status).toMatchObject({ state: 'TASK_RUNNING', check_status: { type: 'COMMAND', command: { exit_code: 0 } } });
    expect(await api('/v1/pod/nope/status')).toMatchObject({ status: 404, body: 'Pod nope not found' });
  });

  it('lists advertised endpoints only, with an address per running pod', async () => {
    expect((await api('/v1/endpoints')).body).toEqual(['http']);
    const http = (await api('/v1/endpoints/http')).body;
    expect(http.address).toHaveLength(2);
    expect(http.dns.every((entry: string) => /^web-host:310\d\d$/.test(entry))).toBe(true);
    expect((await api('/v1/endpoints/admin')).status).toBe(404);
  });
});

describe('state, health, debug', () => {
  it('state, health and the offer evaluations', async () => {
    expect((await api('/v1/state/frameworkId')).body).toEqual([service.runtime.frameworkId]);
    expect((await api('/v1/state/properties')).body).toEqual(['deployment-completed', 'suppressed', 'target-configuration']);
    expect((await api('/v1/state/properties/deployment-completed')).body).toBe(true);
    const health = await api('/v1/health');
    expect(health).toMatchObject({ status: 200, body: { service: 'web', plans: { deploy: 'COMPLETE', recovery: 'COMPLETE' } } });
    const offers = (await api('/v1/debug/offers')).body;
    expect(offers.outcomes.length).toBeGreaterThan(0);
    expect(offers.outcomes[0].evaluations[0].stages.map((stage: Json) => stage.stage)).toEqual(
      expect.arrayContaining(['placement', 'scalars', 'volumes', 'launch']),
    );
  });
});

describe('allot service (client commands)', () => {
  it('prints plans and pods as tables, the API JSON with --json, "already done" for a 208, and exits 1 on an error answer', async () => {
    const list = await allot('service', 'plan', 'list', '--url', service.url);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/deploy\s.*COMPLETE/);
    const show = await allot('service', 'plan', 'show', 'deploy', '--url', service.url, '--json');
    expect(JSON.parse(show.stdout).status).toBe('COMPLETE');
    const pods = await allot('service', 'pod', 'status', '--url', service.url);
    expect(pods.stdout).toMatch(/web-0-server\s.*RUNNING/);
    const again = await allot('service', 'plan', 'continue', 'deploy', '--url', service.url);
    expect(again).toMatchObject({ code: 0, stdout: 'already done: Command has already been reported or completed\n' });
    const missing = await allot('service', 'plan', 'show', 'nope', '--url', service.url);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: GET /v1/plans/nope: 404: Plan nope not found\n');
    const endpoints = await allot('service', 'endpoints', '--url', service.url, '--json');
    expect(Object.keys(JSON.parse(endpoints.stdout))).toEqual(['http']);
  }, 180_000);
});

describe('health checks', () => {
  it('a task whose health check keeps failing is killed by its agent and relaunched by the recovery plan', async () => {
    const sick = loadServiceSpec(
      `name: sick
pods:
  sick:
    count: 1
    tasks:
      server:
        goal: RUNNING
        cmd: exec sleep 600
        cpus: 0.1
        memory: 16
        health-check: { cmd: test -f never, interval: 0.5, delay: 0, timeout: 5, grace-period: 0, max-consecutive-failures: 2 }
`,
      'svc.yml',
      () => undefined,
    );
    if (!sick.ok) throw new Error(sick.errors.join('\n'));
    const other = await startServiceDaemon({
      spec: sick.spec,
      masters: [master.url],
      store: new MemoryStore(),
      logger: pino({ level: 'silent' }),
      port: 0,
    });
    try {
      const first = await eventually(() => other.runtime.scheduler.instances.get('sick-0')?.tasks.server.taskId, 'a first launch', 60_000);
      await eventually(
        () => {
          const record = other.runtime.scheduler.instances.get('sick-0')!.tasks.server;
          return record.taskId !== first && other.runtime.scheduler.plan('recovery') !== undefined;
        },
        'a relaunch by the recovery plan',
        60_000,
      );
      const entry = other.runtime.tasks['sick-0-server'];
      expect(entry.info.health_check).toMatchObject({ type: 'COMMAND', consecutive_failures: 2, grace_period_seconds: 0 });
      expect(other.runtime.scheduler.log.some((line) => /sick-0: server TASK_KILLED/.test(line.what))).toBe(true);
    } finally {
      await other.close();
    }
  }, 120_000);
});

describe('configuration (last: a refused change leaves the deploy plan in ERROR, as the SDK does)', () => {
  it('shows the target configuration and refuses a change the validators reject (409, with why)', async () => {
    const ids = (await api('/v1/configurations')).body as string[];
    expect((await api('/v1/configurations/targetId')).body).toEqual([ids[0]]);
    const target = (await api('/v1/configurations/target')).body;
    expect(target.name).toBe('web');
    expect(target.pods[0].constraints).toBeUndefined();
    expect((await api(`/v1/configurations/${ids[0]}`)).body.name).toBe('web');
    expect((await api('/v1/configurations/not-a-uuid')).status).toBe(400);
    const refused = await api('/v1/configurations/target', 'PUT', { yaml: SPEC(2, 16) });
    expect(refused.status).toBe(409);
    expect(refused.body.errors.join()).toMatch(/volumes cannot change/);
    const invalid = await api('/v1/configurations/target', 'PUT', { yaml: SPEC(2).replace('cpus: 0.1', 'cpus: lots') });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors[0]).toMatch(/pods\.web\.tasks\.server\.cpus: expected a finite number > 0/);
  });

  it('with the refusal standing, the deploy plan and health answer 417 with the errors', async () => {
    const deploy = await api('/v1/plans/deploy');
    expect(deploy.status).toBe(417);
    expect(deploy.body.errors.join()).toMatch(/volumes cannot change/);
    expect((await api('/v1/health')).status).toBe(417);
    const shown = await allot('service', 'plan', 'show', 'deploy', '--url', service.url);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/plan deploy \(serial\): ERROR/);
  }, 30_000);

  it('allot service update rolls an accepted change out through the deploy plan', async () => {
    const file = join(dir, 'svc.yml');
    writeFileSync(file, SPEC(3).replace('count: 3', 'count: {{WEB_COUNT}}'));
    const updated = await allot('service', 'update', file, '--option', 'WEB_COUNT=3', '--url', service.url);
    expect(updated).toMatchObject({ code: 0, stdout: 'config 2 is the target\n' });
    const deploy = await eventually(
      async () => {
        const answer = await api('/v1/plans/deploy');
        return answer.status === 200 ? answer.body : null;
      },
      'the update rolled out',
      90_000,
    );
    expect(deploy.phases[0].steps.map((step: Json) => step.name)).toEqual(['web-0:[server]', 'web-1:[server]', 'web-2:[server]']);
    expect((await api('/v1/pod')).body).toEqual(['web-0', 'web-1', 'web-2']);
  }, 120_000);
});
