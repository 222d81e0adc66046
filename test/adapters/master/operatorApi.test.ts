/**
 * The operator API and the live event stream against an in-process master
 * with a fake agent: reservations and volumes (with 409 when resources are
 * missing), weights, quota, GET_STATE/GET_ROLES shapes, drain and mark gone,
 * the SSE stream's hello/snapshot/kernel events, and protocol details of the
 * scheduler API (405/415/406, stream ids, re-subscription, UPDATE_FRAMEWORK).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { operator } from './daemons.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;

describe('operator API', () => {
  let master: RunningMaster;
  let agent: FakeAgent;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
    agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
  }, 60_000);

  afterAll(async () => {
    agent?.close();
    await master?.close();
  }, 60_000);

  it('reserves, creates a volume, refuses what the agent lacks with 409, and tells the agent to checkpoint', async () => {
    const reservation = [{ name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, reservations: [{ type: 'DYNAMIC', role: 'db' }] }];
    const reserve = await operator(master.url, {
      type: 'RESERVE_RESOURCES',
      reserve_resources: { agent_id: { value: 'agent-1' }, resources: reservation },
    });
    const volume = await operator(master.url, {
      type: 'CREATE_VOLUMES',
      create_volumes: {
        agent_id: { value: 'agent-1' },
        volumes: [{ ...reservation[0], disk: { persistence: { id: 'data' }, volume: { container_path: 'data', mode: 'RW' } } }],
      },
    });
    const tooMuch = await operator(master.url, {
      type: 'RESERVE_RESOURCES',
      reserve_resources: {
        agent_id: { value: 'agent-1' },
        resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 99 }, reservations: [{ type: 'DYNAMIC', role: 'db' }] }],
      },
    });
    const agents = (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents.agents;

    expect(reserve.status).toBe(202);
    expect(volume.status).toBe(202);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatch(/^insufficient_resources: /);
    const disk = agents[0].total_resources.find((resource: Json) => resource.name === 'disk' && resource.disk);
    expect(disk).toMatchObject({
      scalar: { value: 1024 },
      role: 'db',
      disk: { persistence: { id: 'data' }, volume: { container_path: 'data', mode: 'RW' } },
    });
    expect(agent.events.filter((event) => event.type === 'RESOURCES')).toHaveLength(2);
  });

  it('updates weights and quota, and GET_ROLES shows them', async () => {
    const weights = await operator(master.url, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'db', weight: 3 }] } });
    const quota = await operator(master.url, {
      type: 'UPDATE_QUOTA',
      update_quota: { quota_configs: [{ role: 'db', guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 2 } } }] },
    });
    const roles = (await operator(master.url, { type: 'GET_ROLES' })).body.get_roles.roles;

    expect(weights.status).toBe(200);
    expect(quota.status).toBe(200);
    expect(roles.find((role: Json) => role.name === 'db')).toMatchObject({
      weight: 3,
      quota: { guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 2 } } },
    });
  });

  it('answers GET_HEALTH, GET_VERSION, GET_METRICS and GET_STATE in the v1 shapes', async () => {
    const health = await operator(master.url, { type: 'GET_HEALTH' });
    const version = await operator(master.url, { type: 'GET_VERSION' });
    const metrics = await operator(master.url, { type: 'GET_METRICS' });
    const state = await operator(master.url, { type: 'GET_STATE' });

    expect(health.body).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
    expect(version.body.get_version.version_info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(metrics.body.get_metrics.metrics.some((metric: Json) => metric.name === 'allot_allocation_cycles_total')).toBe(true);
    expect(Object.keys(state.body.get_state).sort()).toEqual(['get_agents', 'get_executors', 'get_frameworks', 'get_tasks']);
  });

  it('streams hello, snapshots and kernel events as Server-Sent Events', async () => {
    const abort = new AbortController();
    const response = await fetch(`${master.url}/api/v1/events`, { signal: abort.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const read = async (until: RegExp) => {
      while (!until.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(/event: snapshot\n/);
    await operator(master.url, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'web', weight: 2 }] } });
    await read(/event: kernel\ndata: .*"role.updated"/);
    abort.abort();

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const hello = JSON.parse(/event: hello\ndata: (.*)\n/.exec(text)![1]);
    const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)![1]);
    const kernel = JSON.parse(/event: kernel\ndata: (.*"role.updated".*)\n/.exec(text)![1]);
    expect(hello.resourceNames).toEqual(['cpus', 'mem', 'disk', 'gpus']);
    expect(snapshot.agents[0]).toMatchObject({ id: 'agent-1', status: 'active' });
    expect(snapshot.cluster.total).toMatchObject({ cpus: 4, mem: 4096 });
    expect(kernel).toMatchObject({ type: 'role.updated', role: 'web', weight: 2 });
    expect(kernel.seq).toBeGreaterThan(0);
  });

  it('drains an agent and marks it gone; a gone agent may not come back', async () => {
    const other = await registerFakeAgent(master.url, 'agent-2', SMALL_AGENT);
    const drain = await operator(master.url, { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'agent-2' } } });
    const gone = await operator(master.url, { type: 'MARK_AGENT_GONE', mark_agent_gone: { agent_id: { value: 'agent-2' } } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    other.close();
    const again = registerFakeAgent(master.url, 'agent-2', SMALL_AGENT);

    expect(drain.status).toBe(200);
    expect(gone.status).toBe(200);
    expect(other.events.at(-1)).toMatchObject({ type: 'SHUTDOWN' });
    await expect(again).rejects.toThrow(/403.*marked gone/);
  });
});

describe('scheduler API protocol details', () => {
  let master: RunningMaster;

  beforeAll(async () => {
    master = await startTestMaster();
    await master.recovered;
  }, 60_000);

  afterAll(async () => {
    await master?.close();
  }, 60_000);

  const post = (body: unknown, headers: Record<string, string> = {}, method = 'POST') =>
    fetch(`${master.url}/api/v1/scheduler`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
    });

  it('answers 405, 415 and 406 in that order, and 403 for a framework that is not subscribed', async () => {
    expect((await post(null, {}, 'GET')).status).toBe(405);
    expect((await post({ type: 'REVIVE' }, { 'Content-Type': 'application/x-protobuf' })).status).toBe(415);
    expect((await post({ type: 'REVIVE' }, { Accept: 'application/x-protobuf' })).status).toBe(406);
    expect((await post({ type: 'REVIVE', framework_id: { value: 'nobody' } }, { 'Mesos-Stream-Id': 'x' })).status).toBe(403);
  });

  it('treats null as unset and ignores unknown fields', async () => {
    const scheduler = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { hostname: null, webui_url: null, labels: null, something_new: { x: 1 } },
    });
    const revive = await scheduler.call({ type: 'REVIVE', revive: null, future_field: true });

    expect(revive.status).toBe(202);
    await scheduler.close();
  });

  it('accepts a chunked request body', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${master.url}/api/v1/scheduler`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          resolve(res.statusCode ?? 0);
          res.destroy();
        },
      );
      req.on('error', reject);
      const body = JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: { user: 'u', name: 'chunked', roles: ['c'] } } });
      for (let i = 0; i < body.length; i += 7) req.write(body.slice(i, i + 7));
      req.end();
    });
    expect(status).toBe(200);
  });

  it('re-subscribes with a framework id, ends the old stream, and refuses calls on the old stream id', async () => {
    const first = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { name: 'twice', roles: ['t'], failover_timeout: 60 },
    });
    const second = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: first.frameworkId }, name: 'twice', roles: ['t'], failover_timeout: 60 },
    });
    await first.waitFor((event) => event.type === 'ERROR', 'the old stream to end with ERROR', 5000).catch(() => null);
    const stale = await first.call({ type: 'REVIVE' });
    const fresh = await second.call({ type: 'REVIVE' });
    const update = await second.call({
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: {
          id: { value: first.frameworkId },
          user: 'root',
          name: 'renamed',
          roles: ['t'],
          capabilities: [{ type: 'MULTI_ROLE' }],
        },
      },
    });
    const roleChange = await second.call({
      type: 'UPDATE_FRAMEWORK',
      update_framework: { framework_info: { user: 'root', name: 'renamed', roles: ['other'], capabilities: [{ type: 'MULTI_ROLE' }] } },
    });
    const frameworks = (await operator(master.url, { type: 'GET_FRAMEWORKS' })).body.get_frameworks.frameworks;

    expect(second.frameworkId).toBe(first.frameworkId);
    expect(first.events.some((event) => event.type === 'ERROR')).toBe(true);
    expect(stale.status).toBe(400);
    expect(fresh.status).toBe(202);
    expect(update.status).toBe(200);
    expect(roleChange.status).toBe(400);
    expect(frameworks.find((framework: Json) => framework.framework_info.id.value === first.frameworkId).framework_info.name).toBe(
      'renamed',
    );
    await first.close();
    await second.close();
  });

  it('TEARDOWN removes the framework and ends its stream with ERROR', async () => {
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'bye', roles: ['bye'] } });
    const teardown = await scheduler.call({ type: 'TEARDOWN' });
    await scheduler.waitFor((event) => event.type === 'ERROR', 'ERROR after teardown', 5000);
    const frameworks = (await operator(master.url, { type: 'GET_FRAMEWORKS' })).body.get_frameworks.frameworks;

    expect(teardown.status).toBe(202);
    expect(frameworks.some((framework: Json) => framework.framework_info.id.value === scheduler.frameworkId)).toBe(false);
    await scheduler.close();
  });
});

describe('agent shared secret', () => {
  it('refuses agents without the secret (401) and admits those with it', async () => {
    const master = await startTestMaster({ agentSecret: 'open sesame' });
    await master.recovered;
    try {
      await expect(registerFakeAgent(master.url, 'no-secret', SMALL_AGENT)).rejects.toThrow(/401/);
      await expect(registerFakeAgent(master.url, 'wrong-secret', SMALL_AGENT, { Authorization: 'Bearer nope' })).rejects.toThrow(/401/);
      const agent = await registerFakeAgent(master.url, 'with-secret', SMALL_AGENT, { Authorization: 'Bearer open sesame' });
      expect(agent.streamId).not.toBe('');
      agent.close();
    } finally {
      await master.close();
    }
  });
});
