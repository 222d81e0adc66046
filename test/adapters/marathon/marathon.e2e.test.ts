/**
 * `allot marathon` on a real cluster (issue 12, "done when"): `allot master`,
 * three `allot agent`s with distinct `--hostname`s (agents started on one
 * machine share its host name, so each gets its own) and `allot marathon`,
 * all processes on 127.0.0.1. The app serves HTTP with `python3 -m
 * http.server` on $PORT0 and has a MESOS_HTTP health check the agents run.
 *
 * 1. 3 instances with ["hostname", "UNIQUE"] deploy: one per host, healthy;
 *    node-a runs with --cgroups-enable-cfs, so its instance has a CFS quota
 *    of its 0.1 cpus (checked when the agents can use cgroups).
 * 2. A config change rolls with minimumHealthCapacity 0.5: polled during the
 *    roll, never fewer than 2 healthy instances, old and new seen together.
 * 3. A task killed by hand (SIGKILL of its process) and one killed through
 *    the API are replaced.
 * 4. Scaling to 4 leaves one instance in /v2/queue with the reason
 *    (UnfulfilledConstraint); `kill -9` of marathon and a restart keep the
 *    app, its versions and the running deployment, and relaunch nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, removeWorkDir, spawnDaemon, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { type ApiAnswer, callJson } from '../jsonApi.js';

type Json = Record<string, any>;

const STATE_TIMEOUT_MS = 90_000;
const HOSTS = ['node-a', 'node-b', 'node-c'];

let dir = '';
let master: Daemon;
const agents: Daemon[] = [];
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

async function app(): Promise<Json> {
  return (await api('GET', '/v2/apps/prod/web')).body.app;
}

function healthyTasks(view: Json): Json[] {
  return (view.tasks as Json[]).filter((task) => task.state === 'TASK_RUNNING' && task.healthCheckResults?.[0]?.alive === true);
}

async function settled(instances: number): Promise<Json> {
  return eventually(
    async () => {
      const view = await app();
      return view.deployments.length === 0 && healthyTasks(view).length === instances && view.tasks.length === instances ? view : null;
    },
    `${instances} healthy instances and no deployment`,
    STATE_TIMEOUT_MS,
  );
}

/** The pid of the process that runs a task (its environment names it). */
function pidOfTask(taskId: string): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').includes(`MESOS_TASK_ID=${taskId}`) && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('http.server'))
        return Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return null;
}

/** The CFS quota of the cpu cgroup a process is in (v1 or v2), or null without one. */
function cfsQuotaOf(pid: number): { quotaUs: number; periodUs: number } | null {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const v1 = lines.find((line) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(line));
  try {
    if (v1) {
      const path = v1.split(':')[2];
      if (!path.includes('allot')) return null;
      const base = existsSync('/sys/fs/cgroup/cpu') ? '/sys/fs/cgroup/cpu' : '/sys/fs/cgroup/cpu,cpuacct';
      const read = (file: string) => Number(readFileSync(join(base, path, file), 'utf8').trim());
      return { quotaUs: read('cpu.cfs_quota_us'), periodUs: read('cpu.cfs_period_us') };
    }
    const unified = lines.find((line) => line.startsWith('0::'));
    if (!unified?.includes('allot')) return null;
    const [quota, period] = readFileSync(join('/sys/fs/cgroup', unified.slice(3), 'cpu.max'), 'utf8')
      .trim()
      .split(' ');
    return { quotaUs: Number(quota), periodUs: Number(period) };
  } catch {
    return null;
  }
}

const APP = {
  id: '/prod/web',
  cmd: 'exec python3 -m http.server "$PORT0" --bind 127.0.0.1',
  cpus: 0.1,
  mem: 64,
  instances: 3,
  constraints: [['hostname', 'UNIQUE']],
  healthChecks: [
    { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 60, intervalSeconds: 1, timeoutSeconds: 5, delaySeconds: 0 },
  ],
  upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
  backoffSeconds: 1,
};

beforeAll(async () => {
  dir = makeWorkDir('marathon-e2e');
  master = await startMasterProcess(dir);
  agents.push(
    ...(await Promise.all(
      HOSTS.map((host, index) =>
        startAgentProcess(dir, master.url, host, [
          '--hostname',
          host,
          '--resources',
          `cpus:1;mem:512;disk:512;ports:[${32000 + index * 100}-${32000 + index * 100 + 50}]`,
          ...(index === 0 ? ['--cgroups-enable-cfs'] : []),
        ]),
      ),
    )),
  );
  marathon = await startMarathon();
}, 90_000);

afterAll(async () => {
  if (marathon) {
    await api('DELETE', '/v2/apps/prod/web?force=true').catch(() => undefined);
    await eventually(async () => (await api('GET', '/v2/tasks')).body.tasks?.length === 0, 'tasks gone', 30_000).catch(() => undefined);
    await marathon.stop();
  }
  for (const agent of agents) await agent.stop();
  await master?.stop();
  if (dir && !process.env.KEEP_E2E_DIR) removeWorkDir(dir);
  else if (dir) console.log(`kept ${dir}`);
}, 120_000);

describe('allot marathon on a real cluster', () => {
  it('deploys 3 instances with an HTTP health check, one per host (UNIQUE hostname)', async () => {
    const created = await api('POST', '/v2/apps', APP);
    expect(created.status).toBe(201);
    expect(created.body.deployments).toHaveLength(1);
    const view = await settled(3);
    expect(new Set(view.tasks.map((task: Json) => task.host))).toEqual(new Set(HOSTS));
    for (const task of view.tasks as Json[]) {
      const page = await fetch(`http://127.0.0.1:${task.ports[0]}/`);
      expect(page.status).toBe(200);
    }
    expect(view.tasksHealthy).toBe(3);
    const onNodeA = (view.tasks as Json[]).find((task) => task.host === 'node-a')!;
    const quota = cfsQuotaOf(pidOfTask(onNodeA.id)!);
    if (quota === null) console.log('cgroups are not writable here: the CFS quota of --cgroups-enable-cfs is not checked');
    else expect(quota).toEqual({ quotaUs: 10_000, periodUs: 100_000 });
  }, 120_000);

  it('rolls a config change, never below minimumHealthCapacity (2 of 3 healthy)', async () => {
    const before = await app();
    const answer = await api('PUT', '/v2/apps/prod/web', { env: { RELEASE: '2' } });
    expect(answer.status).toBe(200);
    const newVersion = answer.body.version;
    let sawMixed = false;
    let fewestHealthy = Number.POSITIVE_INFINITY;
    const deadline = Date.now() + STATE_TIMEOUT_MS;
    for (;;) {
      const view = await app();
      const healthy = healthyTasks(view).length;
      fewestHealthy = Math.min(fewestHealthy, healthy);
      const versions = new Set((view.tasks as Json[]).map((task) => task.version));
      if (versions.size > 1) sawMixed = true;
      if (view.deployments.length === 0 && healthy === 3 && versions.size === 1 && versions.has(newVersion)) break;
      if (Date.now() > deadline) throw new Error(`the roll did not finish: ${JSON.stringify(view.tasks)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(fewestHealthy).toBeGreaterThanOrEqual(2);
    expect(sawMixed).toBe(true);
    const after = await app();
    expect(after.versionInfo.lastConfigChangeAt).toBe(newVersion);
    expect(after.tasks.map((task: Json) => task.id)).not.toEqual(expect.arrayContaining(before.tasks.map((task: Json) => task.id)));
    expect((await api('GET', '/v2/apps/prod/web/versions')).body.versions).toHaveLength(2);
  }, 150_000);

  it('replaces a task killed by hand and one killed through the API', async () => {
    const before = await settled(3);
    const victim = before.tasks[0];
    const pid = pidOfTask(victim.id);
    expect(pid).not.toBeNull();
    process.kill(pid!, 'SIGKILL');
    const replaced = await eventually(
      async () => {
        const view = await app();
        return !view.tasks.some((task: Json) => task.id === victim.id) && healthyTasks(view).length === 3 ? view : null;
      },
      'the killed task replaced',
      STATE_TIMEOUT_MS,
    );
    expect(replaced.lastTaskFailure?.taskId).toBe(victim.id);
    const second = replaced.tasks[1];
    const killed = await api('DELETE', `/v2/apps/prod/web/tasks/${second.id}`);
    expect(killed.status).toBe(200);
    expect(killed.body.task.id).toBe(second.id);
    await eventually(
      async () => {
        const view = await app();
        return !view.tasks.some((task: Json) => task.id === second.id) && healthyTasks(view).length === 3 && view.instances === 3;
      },
      'the task killed through the API replaced',
      STATE_TIMEOUT_MS,
    );
  }, 150_000);

  it('keeps what does not fit in /v2/queue with the reason; kill -9 and a restart keep apps and deployments', async () => {
    const scaled = await api('PUT', '/v2/apps/prod/web', { instances: 4 });
    expect(scaled.status).toBe(200);
    const queued = await eventually(
      async () => {
        const entry = (await api('GET', '/v2/queue')).body.queue?.[0];
        return entry?.unusedOfferSummary?.rejectReason?.UnfulfilledConstraint > 0 ? entry : null;
      },
      'the fourth instance queued with its reason',
      STATE_TIMEOUT_MS,
    );
    expect(queued.app.id).toBe('/prod/web');
    expect(queued.count).toBe(1);
    expect(queued.lastUnusedOffers[0].reason).toEqual(['UnfulfilledConstraint']);
    // A change of a locked app is refused with Marathon's 409...
    const locked = await api('PUT', '/v2/apps/prod/web', { instances: 5 });
    expect(locked.status).toBe(409);
    expect(locked.body.deployments).toEqual([{ id: scaled.body.deploymentId }]);

    const before = {
      app: await app(),
      deployments: (await api('GET', '/v2/deployments')).body,
      versions: (await api('GET', '/v2/apps/prod/web/versions')).body.versions,
    };
    marathon!.process.kill('SIGKILL');
    await marathon!.exited;
    marathon = await startMarathon();
    const deployments = (await api('GET', '/v2/deployments')).body;
    expect(deployments).toEqual(before.deployments);
    const after = await app();
    expect(after.instances).toBe(4);
    expect(after.version).toBe(before.app.version);
    expect(after.versionInfo).toEqual(before.app.versionInfo);
    expect(after.tasks.map((task: Json) => task.id).sort()).toEqual(before.app.tasks.map((task: Json) => task.id).sort());
    expect((await api('GET', '/v2/apps/prod/web/versions')).body.versions).toEqual(before.versions);
    await eventually(async () => (await api('GET', '/v2/queue')).body.queue?.[0]?.count === 1, 'still queued after the restart', 30_000);
    // ...and forced: the scale-back cancels the stuck deployment and finishes.
    const forced = await api('PUT', '/v2/apps/prod/web?force=true', { instances: 3 });
    expect(forced.status).toBe(200);
    await settled(3);
    expect((await api('GET', '/v2/queue')).body.queue).toEqual([]);
    expect(marathon!.log()).toMatch(/"restored":true/);
  }, 180_000);
});
