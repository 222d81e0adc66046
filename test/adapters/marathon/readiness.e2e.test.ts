/**
 * Marathon's readiness checks in `allot marathon`, on a real cluster (`allot
 * master`, one `allot agent`, `allot marathon`, all on 127.0.0.1). The app's
 * task is a tiny HTTP server that answers `/ready` with 503 "warming up"
 * until someone GETs its `/warm`; the app's readiness check polls `/ready` on
 * the port named "http".
 *
 * 1. A new app's deployment stays running, showing `readinessCheckResults`
 *    with `ready: false` and the last response (preserveLastResponse), until
 *    the task is warm; then it finishes.
 * 2. A config change (minimumHealthCapacity 1, maximumOverCapacity 1) starts
 *    a new task and keeps the old one running while the new one is not
 *    ready, across `kill -9` of marathon and a restart; once the new task is
 *    warm, the old one goes and the deployment finishes.
 * 3. Readiness checks that cannot work get Marathon's 422 naming the path.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const STATE_TIMEOUT_MS = 90_000;

let dir = '';
let master: Daemon;
let agent: Daemon;
let marathon: Daemon | null = null;

function startMarathon(): Promise<Daemon> {
  return spawnDaemon(
    ['marathon', '--master', master.url, '--port', '0', '--work-dir', join(dir, 'marathon')],
    join(dir, 'marathon.log'),
    /"url":"(http:\/\/127\.0\.0\.1:\d+)","framework":"marathon"/,
  );
}

function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  return callJson(marathon!.url, method, path, body);
}

/** Answers `/ready` with 503 until `/warm` was asked, everything else with 200. */
const SERVER = [
  'import http.server, sys',
  'warm = []',
  'class H(http.server.BaseHTTPRequestHandler):',
  '  def do_GET(self):',
  '    if self.path == "/warm": warm.append(1)',
  '    ok = self.path != "/ready" or len(warm) > 0',
  '    self.send_response(200 if ok else 503)',
  '    self.send_header("Content-Type", "text/plain")',
  '    self.end_headers()',
  '    self.wfile.write(b"ok" if ok else b"warming up")',
  '  def log_message(self, *args): pass',
  'http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()',
].join('\n');

const APP = {
  id: '/ready/web',
  cmd: `exec python3 -c '${SERVER}' "$PORT0"`,
  cpus: 0.1,
  mem: 64,
  instances: 1,
  portDefinitions: [{ port: 0, name: 'http' }],
  healthChecks: [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 60, intervalSeconds: 1, timeoutSeconds: 5 }],
  readinessChecks: [{ portName: 'http', path: '/ready', intervalSeconds: 2, timeoutSeconds: 1, preserveLastResponse: true }],
  upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
  backoffSeconds: 1,
};

async function tasks(): Promise<Json[]> {
  return (await api('GET', '/v2/apps/ready/web/tasks')).body.tasks;
}

async function deployments(): Promise<Json[]> {
  return (await api('GET', '/v2/deployments')).body;
}

/** The deployment's readiness result of a task once its server answered the check: not ready (503). */
async function notReadyResult(taskId: string): Promise<Json> {
  return eventually(
    async () => {
      const [deployment] = await deployments();
      const results: Json[] = deployment?.currentActions?.[0]?.readinessCheckResults ?? [];
      // Answered, not only tried: on a busy machine the first check may come before the server listens.
      return results.find((result) => result.taskId === taskId && result.ready === false && result.lastResponse?.status === 503) ?? null;
    },
    `a readiness result of ${taskId} that is not ready`,
    STATE_TIMEOUT_MS,
  );
}

async function warm(task: Json): Promise<void> {
  expect((await fetch(`http://127.0.0.1:${task.ports[0]}/warm`)).status).toBe(200);
}

beforeAll(async () => {
  dir = makeWorkDir('marathon-readiness');
  master = await startMasterProcess(dir);
  agent = await startAgentProcess(dir, master.url, 'agent', ['--resources', 'cpus:1;mem:512;disk:512;ports:[33400-33480]']);
  marathon = await startMarathon();
}, 90_000);

afterAll(async () => {
  if (marathon) {
    await api('DELETE', '/v2/apps/ready/web?force=true').catch(() => undefined);
    await eventually(async () => (await api('GET', '/v2/tasks')).body.tasks?.length === 0, 'tasks gone', 30_000).catch(() => undefined);
    await marathon.stop();
  }
  await agent?.stop();
  await master?.stop();
  if (dir && !process.env.KEEP_E2E_DIR) removeWorkDir(dir);
  else if (dir) console.log(`kept ${dir}`);
}, 120_000);

describe('readiness checks of allot marathon on a real cluster', () => {
  it('keeps a new app deploying until its task is ready, showing the check results', async () => {
    const created = await api('POST', '/v2/apps', APP);
    expect(created.status).toBe(201);
    expect(created.body.readinessChecks).toEqual([
      {
        name: 'readinessCheck',
        protocol: 'HTTP',
        path: '/ready',
        portName: 'http',
        intervalSeconds: 2,
        timeoutSeconds: 1,
        httpStatusCodesForReady: [200],
        preserveLastResponse: true,
      },
    ]);
    const [task] = await eventually(async () => {
      const running = (await tasks()).filter((candidate) => candidate.state === 'TASK_RUNNING');
      return running.length === 1 ? running : null;
    }, 'the task to run');
    const result = await notReadyResult(task.id);
    expect(result).toEqual({
      name: 'readinessCheck',
      taskId: task.id,
      ready: false,
      lastResponse: { status: 503, contentType: 'text/plain', body: 'warming up' },
    });
    const embedded = await api('GET', '/v2/apps/ready/web?embed=app.readiness');
    expect(embedded.body.app.readinessCheckResults).toEqual([result]);
    // Healthy (its health check passes on /) but not ready: the deployment waits.
    await eventually(async () => (await tasks())[0]?.healthCheckResults?.[0]?.alive === true, 'the task to be healthy', STATE_TIMEOUT_MS);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await deployments()).toHaveLength(1);

    await warm(task);
    await eventually(async () => (await deployments()).length === 0, 'the deployment to finish', STATE_TIMEOUT_MS);
    expect((await tasks()).map((candidate) => candidate.id)).toEqual([task.id]);
  }, 150_000);

  it('rolls a change only as the new task becomes ready, across kill -9 of marathon', async () => {
    const [old] = await tasks();
    const answer = await api('PUT', '/v2/apps/ready/web', { env: { RELEASE: '2' } });
    expect(answer.status).toBe(200);
    const fresh = await eventually(async () => {
      const running = (await tasks()).filter((candidate) => candidate.id !== old.id && candidate.state === 'TASK_RUNNING');
      return running[0] ?? null;
    }, 'the new task to run');
    await notReadyResult(fresh.id);

    marathon!.process.kill('SIGKILL');
    await marathon!.exited;
    marathon = await startMarathon();
    // Checked again after the restart, still not ready: the old task keeps running, the deployment waits.
    await notReadyResult(fresh.id);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const during = await tasks();
    expect(during.map((candidate) => candidate.id).sort()).toEqual([old.id, fresh.id].sort());
    expect(during.find((candidate) => candidate.id === old.id)?.state).toBe('TASK_RUNNING');
    expect(await deployments()).toHaveLength(1);

    await warm(fresh);
    await eventually(async () => (await deployments()).length === 0, 'the roll to finish', STATE_TIMEOUT_MS);
    await eventually(async () => {
      const after = await tasks();
      return after.length === 1 && after[0].id === fresh.id;
    }, 'the old task to be gone');
  }, 180_000);

  it('refuses readiness checks that cannot work with 422 naming the path', async () => {
    const answer = await api('POST', '/v2/apps', {
      ...APP,
      id: '/ready/bad',
      readinessChecks: [{ portName: 'admin', intervalSeconds: 5, timeoutSeconds: 5, httpStatusCodesForReady: [], protocol: 'TCP' }],
    });

    expect(answer.status).toBe(422);
    expect(answer.body.message).toBe('Object is not valid');
    const paths = (answer.body.details as Json[]).map((detail) => detail.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/readinessChecks(0)/portName',
        '/readinessChecks(0)/timeoutSeconds',
        '/readinessChecks(0)/httpStatusCodesForReady',
        '/readinessChecks(0)/protocol',
      ]),
    );
    const two = await api('POST', '/v2/apps', {
      ...APP,
      id: '/ready/two',
      readinessChecks: [APP.readinessChecks[0], APP.readinessChecks[0]],
    });
    expect(two.status).toBe(422);
    expect(two.body.details[0].path).toBe('/readinessChecks');
  });
});
