/**
 * Issue 13, points 3, 4 and 5 against a real master and agent: the prefixed
 * paths Mesos clients use, the classic JSON endpoints in Mesos's field names
 * (checked against a fixture written from the Mesos documentation), bounded
 * completed history, and the operator calls added for Mesos tools.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operator } from '../master/daemons.js';
import { SchedulerClient } from '../master/schedulerClient.js';
import type { MesosCluster } from './cluster.js';
import { getJson, runTask, startCluster } from './cluster.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mesosFieldNames.json', import.meta.url), 'utf8'));

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('the master speaks Mesos to existing tools', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    cluster = await startCluster('master-endpoints', ['--max-completed-tasks-per-framework', '2']);
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'classic', principal: 'ops' } });
    for (const id of ['done-1', 'done-2', 'done-3']) await runTask(scheduler, id, `echo ${id}`, 'TASK_FINISHED');
    await runTask(scheduler, 'sleeper', 'sleep 120', 'TASK_RUNNING');
  }, 90_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
  }, 60_000);

  it('routes the prefixed paths to the scheduler and operator handlers', async () => {
    const url = cluster.master.url;
    for (const path of ['/api/v1/operator', '/master/api/v1', '/master/api/v1/operator']) {
      const answer = await post(`${url}${path}`, { type: 'GET_HEALTH' });
      expect(answer.status, path).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
    }
    // The scheduler handler answers (here: a call without a subscription is 403, not 404).
    const call = await post(`${url}/master/api/v1/scheduler`, { type: 'REVIVE', framework_id: { value: 'nobody' } });
    expect(call.status).toBe(403);
    const subscribed = await SchedulerClient.subscribe({ masterUrl: `${url}/master`, frameworkInfo: { name: 'prefixed' } }).catch(
      (error) => error,
    );
    expect(subscribed).toBeInstanceOf(SchedulerClient);
    await subscribed.close();
  });

  it('serves /master/state and its aliases with the documented fields', async () => {
    const answers = await Promise.all(
      ['/state', '/state.json', '/master/state', '/master/state.json'].map((path) => getJson(`${cluster.master.url}${path}`)),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    const state = answers[2].body;
    for (const field of fixture.master_state) expect(state, field).toHaveProperty([field]);
    for (const flag of fixture.master_flags) expect(typeof state.flags[flag], flag).toBe('string');
    expect(state.flags.max_completed_tasks_per_framework).toBe('2');
    expect(state.slaves).toHaveLength(1);
    for (const field of fixture.agent_in_master_state) expect(state.slaves[0]).not.toHaveProperty([field]); // /state has the summary
    const slave = state.slaves[0];
    expect(slave.resources).toMatchObject({ cpus: 2, mem: 1024, disk: 1024, gpus: 0, ports: '[31000-31100]' });
    const framework = state.frameworks.find((entry: any) => entry.id === scheduler.frameworkId);
    expect(framework.name).toBe('classic');
    expect(framework.principal).toBe('ops');
    expect(framework.roles).toEqual(['test']);
    const running = framework.tasks.find((task: any) => task.id === 'sleeper');
    for (const field of fixture.task) expect(running, field).toHaveProperty([field]);
    expect(running).toMatchObject({ slave_id: slave.id, framework_id: scheduler.frameworkId, state: 'TASK_RUNNING', role: 'test' });
    expect(running.resources).toMatchObject({ cpus: 0.1, mem: 32, disk: 0, gpus: 0 });
    expect(running.statuses.at(-1).container_status.container_id.value).toMatch(/^[0-9a-f-]{36}$/);
    // Bounded history: 3 finished tasks, 2 kept (most recent first).
    expect(framework.completed_tasks.map((task: any) => task.id)).toEqual(['done-3', 'done-2']);
    // The framework of the paths test closed its stream (failover timeout 0): removed, shown as completed, once
    // the master has seen the connection close (on a busy machine, maybe after the answer above).
    const completed = await eventually(async () => {
      const frameworks = (await getJson(`${cluster.master.url}/master/state`)).body.completed_frameworks as any[];
      return frameworks.length > 0 && frameworks;
    }, 'the closed framework among completed_frameworks');
    expect(completed.map((entry: any) => [entry.name, entry.active, entry.unregistered_time > 0])).toEqual([['prefixed', false, true]]);
  });

  it('serves state-summary, slaves, frameworks, roles, flags and version', async () => {
    const url = cluster.master.url;
    const summary = await getJson(`${url}/master/state-summary`);
    expect(summary.body.slaves[0]).toMatchObject({ TASK_RUNNING: 1, framework_ids: [scheduler.frameworkId] });
    expect(summary.body.frameworks[0]).toMatchObject({ id: scheduler.frameworkId, TASK_FINISHED: 2, TASK_RUNNING: 1 });

    for (const path of ['/slaves', '/master/slaves']) {
      const slaves = await getJson(`${url}${path}`);
      for (const field of fixture.agent_in_master_state) expect(slaves.body.slaves[0], field).toHaveProperty([field]);
      expect(slaves.body).toHaveProperty(['recovered_slaves']);
    }
    const frameworks = await getJson(`${url}/master/frameworks?framework_id=${scheduler.frameworkId}`);
    expect(frameworks.body.frameworks.map((entry: any) => entry.id)).toEqual([scheduler.frameworkId]);
    expect((await getJson(`${url}/frameworks?framework_id=nope`)).body.frameworks).toEqual([]);

    const roles = await getJson(`${url}/master/roles`);
    expect(roles.body.roles.find((role: any) => role.name === 'test')).toMatchObject({ weight: 1, frameworks: [scheduler.frameworkId] });

    const flags = await getJson(`${url}/master/flags`);
    for (const flag of fixture.master_flags) expect(flags.body.flags, flag).toHaveProperty([flag]);
    const version = await getJson(`${url}/version`);
    for (const field of fixture.version) expect(version.body, field).toHaveProperty([field]);
    const jsonp = await fetch(`${url}/version?jsonp=cb`).then((response) => response.text());
    expect(jsonp).toMatch(/^cb\(\{.*\}\);$/);
    const redirect = await getJson(`${url}/master/redirect`);
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get('location')).toMatch(/^\/\/[^/]+:\d+$/);
  });

  it('serves /master/tasks with limit, offset, order, framework_id and task_id', async () => {
    const url = cluster.master.url;
    const all = await getJson(`${url}/master/tasks`);
    expect(all.body.tasks.map((task: any) => task.id)).toEqual(['sleeper', 'done-3', 'done-2']);
    const asc = await getJson(`${url}/tasks?order=asc&limit=2`);
    expect(asc.body.tasks.map((task: any) => task.id)).toEqual(['done-2', 'done-3']);
    const page = await getJson(`${url}/tasks?offset=1&limit=1`);
    expect(page.body.tasks.map((task: any) => task.id)).toEqual(['done-3']);
    const one = await getJson(`${url}/tasks?framework_id=${scheduler.frameworkId}&task_id=sleeper`);
    expect(one.body.tasks).toHaveLength(1);
    for (const bad of ['limit=-1', 'offset=abc', 'limit=1e9']) expect((await getJson(`${url}/tasks?${bad}`)).status, bad).toBe(400);
  });

  it('serves /metrics/snapshot with Mesos metric names', async () => {
    const metrics = await getJson(`${cluster.master.url}/metrics/snapshot`);
    for (const name of fixture.master_metrics) expect(typeof metrics.body[name], name).toBe('number');
    expect(metrics.body['master/tasks_running']).toBe(1);
    expect(metrics.body['master/cpus_total']).toBe(2);
    expect(metrics.body['master/cpus_percent']).toBeCloseTo(0.05, 5);
  });

  it('answers the added operator calls in the documented shapes', async () => {
    const url = cluster.master.url;
    await operator(url, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'test', weight: 2 }] } });
    await operator(url, { type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'test', guarantees: { cpus: { value: 1 } } }] } });
    for (const [type, shape] of Object.entries(fixture.operator) as Array<[string, Record<string, string[]>]>) {
      if (type === 'GET_CONTAINERS' || type.includes('MAINTENANCE') || type === 'LIST_FILES' || type === 'READ_FILE') continue;
      const answer = await operator(url, { type });
      expect(answer.status, type).toBe(200);
      expect(answer.body.type).toBe(type);
      const [key, fields] = Object.entries(shape)[0];
      for (const field of fields) expect(answer.body[key], `${type}.${key}.${field}`).toHaveProperty([field]);
    }
    const flags = await operator(url, { type: 'GET_FLAGS' });
    expect(flags.body.get_flags.flags).toContainEqual({ name: 'max_completed_tasks_per_framework', value: '2' });
    const master = await operator(url, { type: 'GET_MASTER' });
    for (const field of fixture.operator.GET_MASTER.master_info) expect(master.body.get_master.master_info, field).toHaveProperty([field]);
    const weights = await operator(url, { type: 'GET_WEIGHTS' });
    expect(weights.body.get_weights.weight_infos).toEqual([{ role: 'test', weight: 2 }]);
    const quota = await operator(url, { type: 'GET_QUOTA' });
    expect(quota.body.get_quota.status.configs).toEqual([{ role: 'test', guarantees: { cpus: { value: 1 } }, limits: {} }]);
    const files = await operator(url, { type: 'LIST_FILES', list_files: { path: '/master/log' } });
    expect(files.status).toBe(404);
  });
});
