/**
 * The Mesos-compatibility endpoints under a security file: the master's
 * classic reads and prefixed paths are authorized as the operator call that
 * reads the same data, and an agent started with `--security` asks for
 * credentials on its files, /state and v1 API (not on /health and the
 * executor API), authorizing sandbox reads as LIST_FILES / READ_FILE.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import { startAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startMaster } from '../../../adapters/src/master/masterDaemon.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { makeWorkDir, removeWorkDir } from '../master/daemons.js';
import { EXAMPLE } from './exampleSecurity.js';

const config = parseSecurityConfig(JSON.stringify(EXAMPLE), 'test.json');
const VIEWER = { Authorization: `Basic ${Buffer.from('viewer:viewer-secret').toString('base64')}` };
const ADMIN = { Authorization: 'Bearer admin-token-0123456789abcdef' };

async function status(url: string, headers: Record<string, string> = {}, body?: unknown): Promise<number> {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('Mesos-compatibility endpoints with a security file', () => {
  let master: RunningMaster;
  let agent: RunningAgent;
  let workDir: string;

  beforeAll(async () => {
    workDir = makeWorkDir('mesos-security');
    master = await startMaster({ port: 0, store: 'memory', logger: pino({ level: 'silent' }), security: config });
    await master.recovered;
    const started = await startAgent({
      masterUrl: master.url,
      workDir,
      port: 0,
      resources: 'cpus:1;mem:256;disk:256;ports:[31000-31010]',
      isolation: 'posix',
      secret: config.agentSecret,
      security: config,
      logger: pino({ level: 'silent' }),
    });
    if (!started.ok) throw new Error(started.message);
    agent = started.agent;
  }, 30_000);

  afterAll(async () => {
    await agent?.close({ killTasks: true });
    await master?.close();
    removeWorkDir(workDir);
  });

  it("authorizes the master's classic reads and aliases like the operator calls", async () => {
    expect(await status(`${master.url}/master/state`)).toBe(401);
    expect(await status(`${master.url}/master/state`, VIEWER)).toBe(200);
    expect(await status(`${master.url}/master/tasks`, VIEWER)).toBe(200);
    expect(await status(`${master.url}/master/flags`, VIEWER)).toBe(403);
    expect(await status(`${master.url}/metrics/snapshot`, VIEWER)).toBe(403);
    expect(await status(`${master.url}/master/flags`, ADMIN)).toBe(200);
    expect(await status(`${master.url}/master/api/v1`, VIEWER, { type: 'GET_FLAGS' })).toBe(403);
    expect(await status(`${master.url}/api/v1/operator`, VIEWER, { type: 'GET_STATE' })).toBe(200);
    expect(await status(`${master.url}/master/machine/down`, VIEWER, [{ hostname: 'x' }])).toBe(403);
    expect(await status(`${master.url}/master/machine/down`, ADMIN, [{ hostname: 'x' }])).toBe(400);
    expect(await status(`${master.url}/master/maintenance/schedule`, VIEWER)).toBe(403);
    expect(await status(`${master.url}/master/maintenance/schedule`, VIEWER, { windows: [] })).toBe(403);
    expect(await status(`${master.url}/master/maintenance/schedule`, ADMIN, { windows: null })).toBe(200);
  });

  it("asks for credentials on the agent's endpoints and authorizes sandbox reads", async () => {
    const url = agent.url;
    expect(await status(`${url}/health`)).toBe(200);
    expect(await status(`${url}/state`)).toBe(401);
    expect(await status(`${url}/files/browse?path=/nope`)).toBe(401);
    expect(await status(`${url}/state`, VIEWER)).toBe(200);
    expect(await status(`${url}/files/browse?path=/nope`, VIEWER)).toBe(403);
    expect(await status(`${url}/files/read?path=/nope&offset=0`, VIEWER)).toBe(403);
    expect(await status(`${url}/api/v1`, VIEWER, { type: 'READ_FILE', read_file: { path: '/nope', offset: 0 } })).toBe(403);
    expect(await status(`${url}/files/browse?path=/nope`, ADMIN)).toBe(404);
    expect(await status(`${url}/api/v1`, ADMIN, { type: 'GET_CONTAINERS' })).toBe(200);
    // Authorized on the call the handler acts on: a body that is not a call is the handler's 4xx, never a 5xx.
    const plain = await fetch(`${url}/api/v1`, { method: 'POST', headers: { ...VIEWER, 'Content-Type': 'text/plain' }, body: 'x' });
    expect(plain.status).toBe(415);
    expect(await status(`${url}/api/v1`, VIEWER, null)).toBe(400);
    expect(await status(`${url}/api/v1`, VIEWER, { type: 'GET_STATE', unknown: null })).toBe(200);
    // Executors do not authenticate (no tokens yet): a call for an unknown executor is a 400, not a 401.
    const executorCall = { type: 'MESSAGE', framework_id: { value: 'f' }, executor_id: { value: 'e' }, message: { data: '' } };
    expect(await status(`${url}/api/v1/executor`, {}, executorCall)).toBe(400);
  });
});
