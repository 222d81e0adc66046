/**
 * A master started with a security file (and, in the last case, TLS), over
 * real HTTP: unauthenticated calls get 401, a framework may not register or
 * launch in a role it is not allowed, may not kill another framework's task
 * (nor take over its framework id), operators are limited to their calls,
 * and agents need the shared secret from the same file.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startMaster } from '../../../adapters/src/master/masterDaemon.js';
import { RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { httpsOptionsFromFiles } from '../../../adapters/src/security/tlsOptions.js';
import { EXAMPLE } from './exampleSecurity.js';

type Json = Record<string, any>;

// As the README example, except that spark may also register in "web" (to show that launching there is refused on its own).
const config = parseSecurityConfig(
  JSON.stringify({
    ...EXAMPLE,
    authorization: {
      ...EXAMPLE.authorization,
      register_frameworks: [...EXAMPLE.authorization.register_frameworks, { principals: ['spark'], roles: ['web'] }],
    },
  }),
  'test.json',
);
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;
const SPARK = basic('spark:spark-secret');
const MARATHON = basic('marathon:marathon-secret');
const VIEWER = basic('viewer:viewer-secret');

interface Subscription {
  status: number;
  frameworkId: string;
  streamId: string;
  events: Json[];
  text: string;
  close(): void;
}

async function subscribe(url: string, authorization: string | null, info: Json): Promise<Subscription> {
  const abort = new AbortController();
  const body = {
    type: 'SUBSCRIBE',
    ...(info.id ? { framework_id: info.id } : {}),
    subscribe: { framework_info: { user: 'root', name: 'fw', capabilities: [{ type: 'MULTI_ROLE' }], ...info } },
  };
  const response = await fetch(`${url}/api/v1/scheduler`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  const events: Json[] = [];
  if (response.status !== 200)
    return { status: response.status, frameworkId: '', streamId: '', events, text: await response.text(), close: () => abort.abort() };
  const decoder = new RecordIoDecoder();
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  while (events.length === 0) {
    const { value } = await reader.read();
    for (const record of decoder.push(value!)) events.push(JSON.parse(record));
  }
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        for (const record of decoder.push(value)) events.push(JSON.parse(record));
      }
    } catch {
      // Closed by the test.
    }
  })();
  return {
    status: 200,
    frameworkId: events[0].subscribed.framework_id.value,
    streamId: response.headers.get('mesos-stream-id') ?? '',
    events,
    text: '',
    close: () => abort.abort(),
  };
}

async function call(
  url: string,
  authorization: string | null,
  subscription: Subscription,
  body: Json,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/api/v1/scheduler`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': subscription.streamId, ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ framework_id: { value: subscription.frameworkId }, ...body }),
  });
  return { status: response.status, text: await response.text() };
}

async function operatorCall(url: string, authorization: string | null, body: Json): Promise<number> {
  const response = await fetch(`${url}/api/v1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The latest status update the framework heard for a task. */
function statusOf(subscription: Subscription, taskId: string): Json | undefined {
  return subscription.events.filter((event) => event.type === 'UPDATE' && event.update.status.task_id.value === taskId).at(-1)?.update
    .status;
}

function launch(offer: Json, taskId: string, role: string): Json {
  const resources = [
    { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: { role } },
    { name: 'mem', type: 'SCALAR', scalar: { value: 16 }, allocation_info: { role } },
  ];
  return {
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [{ name: taskId, task_id: { value: taskId }, agent_id: offer.agent_id, resources, command: { value: 'sleep 60' } }],
          },
        },
      ],
    },
  };
}

describe('a master with a security file', () => {
  let master: RunningMaster;
  let agentAbort: AbortController;

  beforeAll(async () => {
    master = await startMaster({
      port: 0,
      store: 'memory',
      heartbeatMs: 1000,
      logger: pino({ level: 'silent' }),
      security: config,
      kernel: { allocationIntervalMs: 100 },
    });
    await master.recovered;
    agentAbort = new AbortController();
    const agent = {
      type: 'SUBSCRIBE',
      agent_id: 'agent-1',
      subscribe: {
        agent: {
          id: 'agent-1',
          hostname: 'fake',
          port: 5051,
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
            { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } },
          ],
        },
        tasks: [],
      },
    };
    const refused = await fetch(`${master.url}/api/v1/agent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(agent),
    });
    expect(refused.status).toBe(401); // the agent secret comes from the security file
    const registered = await fetch(`${master.url}/api/v1/agent`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: 'Bearer agents-shared-secret' },
      body: JSON.stringify(agent),
      signal: agentAbort.signal,
    });
    expect(registered.status).toBe(200);
    void registered.body?.pipeTo(new WritableStream()).catch(() => undefined);
  });

  afterAll(async () => {
    agentAbort?.abort();
    await master?.close();
  });

  it('refuses unauthenticated calls with 401 and a challenge, but keeps /health open', async () => {
    const response = await fetch(`${master.url}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"SUBSCRIBE"}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('Basic realm="allot"');
    expect((await subscribe(master.url, basic('spark:wrong-secret'), { roles: ['analytics'], principal: 'spark' })).status).toBe(401);
    expect(await operatorCall(master.url, null, { type: 'GET_STATE' })).toBe(401);
    expect((await fetch(`${master.url}/health`)).status).toBe(200);
  });

  it('refuses a framework in a role it may not register in, or under another principal', async () => {
    const web = await subscribe(master.url, MARATHON, { roles: ['analytics'], principal: 'marathon' });
    expect(web.status).toBe(403);
    expect(web.text).toMatch(/principal "marathon" may not register a framework in role "analytics"/);
    const impostor = await subscribe(master.url, MARATHON, { roles: ['web'], principal: 'spark' });
    expect(impostor.status).toBe(403);
    expect(impostor.text).toMatch(/framework_info.principal "spark" is not the authenticated principal "marathon"/);
    expect((await subscribe(master.url, MARATHON, { roles: ['web'] })).status).toBe(403);
  });

  it('authorizes the normalized call: roles hidden behind [] or null, and nulls alone landing in "*", are refused', async () => {
    for (const info of [
      { roles: [], role: 'ops', principal: 'spark' },
      { roles: [null], role: 'ops', principal: 'spark' },
      { roles: [null], principal: 'spark' },
    ]) {
      const refused = await subscribe(master.url, SPARK, info);
      refused.close();
      expect(refused.status).toBe(403);
      expect(refused.text).toMatch(/principal "spark" may not register a framework in role "(ops|\*)"/);
    }
  });

  it("takes a launch's role from its offers, whatever allocation_info says, and refuses a kill of another framework's task", async () => {
    // Spark may register in web (this suite's rule) but not launch there; in analytics it may do both.
    const inWeb = await subscribe(master.url, SPARK, { roles: ['web'], principal: 'spark' });
    expect(inWeb.status).toBe(200);
    let inAnalytics: Subscription | null = null;
    try {
      const offersInWeb = () => inWeb.events.filter((event) => event.type === 'OFFERS').flatMap((event) => event.offers.offers as Json[]);
      const webOffer = await waitFor(() => offersInWeb()[0], 'an offer in web');
      // allocation_info naming another role decides nothing: the offer's role is what counts, and a mismatch is refused.
      const disguised = await call(master.url, SPARK, inWeb, launch(webOffer, 'disguised', 'analytics'));
      expect(disguised.status).toBe(400);
      expect(disguised.text).toMatch(/allocation_info\.role: "analytics" is not the role of the offers \(web\)/);
      // As Mesos: the ACCEPT is taken (202), the refused launch ends TASK_ERROR, and the offer is used up.
      const nextWebOffer = await waitFor(() => offersInWeb()[1], 'a new offer in web');
      const refused = await call(master.url, SPARK, inWeb, launch(nextWebOffer, 'in-web', 'web'));
      expect(refused.status).toBe(202);
      const error = await waitFor(() => statusOf(inWeb, 'in-web'), 'the refused launch to end');
      expect(error).toMatchObject({
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_UNAUTHORIZED',
        source: 'SOURCE_MASTER',
        message: 'principal "spark" may not launch tasks in role "web" (no launch_tasks rule allows it)',
      });
      expect(statusOf(inWeb, 'disguised')).toBeUndefined();
      // Leave the agent's resources to the analytics framework.
      expect((await call(master.url, SPARK, inWeb, { type: 'SUPPRESS' })).status).toBe(202);

      inAnalytics = await subscribe(master.url, SPARK, { roles: ['analytics'], principal: 'spark' });
      expect(inAnalytics.status).toBe(200);
      const analytics = inAnalytics;
      const offer = await waitFor(
        () => analytics.events.find((event) => event.type === 'OFFERS')?.offers.offers[0],
        'an offer in analytics',
      );
      expect((await call(master.url, SPARK, analytics, launch(offer, 'mine', 'analytics'))).status).toBe(202);
      const tasks = await fetch(`${master.url}/api/v1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', authorization: VIEWER },
        body: '{"type":"GET_TASKS"}',
      }).then((response) => response.json() as Promise<Json>);
      expect(tasks.get_tasks.tasks.map((task: Json) => task.task_id.value)).toEqual(['mine']);

      // Marathon names spark's framework: refused whatever the stream id, and so is taking the framework over.
      const kill = { type: 'KILL', kill: { task_id: { value: 'mine' }, agent_id: offer.agent_id } };
      const foreign = await call(master.url, MARATHON, analytics, kill);
      expect(foreign.status).toBe(403);
      expect(foreign.text).toBe('principal "marathon" may not act for a framework registered by principal "spark"');
      expect(
        (await subscribe(master.url, MARATHON, { id: { value: analytics.frameworkId }, roles: ['analytics'], principal: 'marathon' }))
          .status,
      ).toBe(403);
      expect((await call(master.url, SPARK, analytics, kill)).status).toBe(202);
    } finally {
      inWeb.close();
      inAnalytics?.close();
    }
  });

  it('puts every read of cluster state through the same rules: the event stream as GET_STATE, /metrics as GET_METRICS', async () => {
    const read = async (path: string, authorization: string) => {
      const abort = new AbortController();
      const response = await fetch(`${master.url}${path}`, { headers: { authorization }, signal: abort.signal });
      const status = response.status;
      abort.abort();
      await response.body?.cancel().catch(() => undefined);
      return status;
    };
    const ADMIN = 'Bearer admin-token-0123456789abcdef';

    expect(await operatorCall(master.url, SPARK, { type: 'GET_STATE' })).toBe(403);
    expect(await read('/api/v1/events', SPARK)).toBe(403);
    expect(await read('/metrics', SPARK)).toBe(403);
    expect(await read('/api/v1/events', VIEWER)).toBe(200);
    // Explain is an operator read of the cluster state, judged as GET_STATE.
    expect(await read('/explain/matrix', SPARK)).toBe(403);
    expect(await read('/explain?framework_id=f&agent_id=a', SPARK)).toBe(403);
    expect(await read('/explain/matrix', VIEWER)).toBe(200);
    expect(await read('/explain?framework_id=f&agent_id=a', VIEWER)).toBe(200);
    expect(await read('/metrics', VIEWER)).toBe(403);
    expect(await read('/metrics', ADMIN)).toBe(200);
  });

  it('limits operators to their calls', async () => {
    expect(await operatorCall(master.url, VIEWER, { type: 'GET_STATE' })).toBe(200);
    expect(
      await operatorCall(master.url, VIEWER, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'web', weight: 2 }] } }),
    ).toBe(403);
    expect(
      await operatorCall(master.url, 'Bearer admin-token-0123456789abcdef', {
        type: 'UPDATE_WEIGHTS',
        update_weights: { weight_infos: [{ role: 'web', weight: 2 }] },
      }),
    ).toBe(200);
    const reserve = {
      type: 'RESERVE_RESOURCES',
      reserve_resources: {
        agent_id: { value: 'agent-1' },
        resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role: 'analytics' }] }],
      },
    };
    expect(await operatorCall(master.url, 'Bearer admin-token-0123456789abcdef', reserve)).toBe(403); // admin may reserve for web only
  });
});

describe('a master with TLS', () => {
  it('serves HTTPS with the certificate from --tls-cert/--tls-key', async () => {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { request } = await import('node:https');
    const { selfSigned } = await import('./selfSignedCert.js');
    const dir = mkdtempSync(join(tmpdir(), 'allot-master-tls-'));
    const pair = selfSigned();
    writeFileSync(join(dir, 'cert.pem'), pair.certPem);
    writeFileSync(join(dir, 'key.pem'), pair.keyPem);
    const tls = httpsOptionsFromFiles({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    if (!tls.ok || !tls.https) throw new Error('no TLS options');
    const master = await startMaster({ port: 0, store: 'memory', logger: pino({ level: 'silent' }), https: tls.https });
    try {
      await master.recovered;
      expect(master.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        const outgoing = request(`${master.url}/health`, { ca: pair.certPem }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve(text));
        });
        outgoing.on('error', reject);
        outgoing.end();
      });
      expect(JSON.parse(body)).toMatchObject({ healthy: true });
    } finally {
      await master.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
