/**
 * Safe defaults (issue 10, point 6): without a security file the master
 * listens on loopback only unless told `--insecure-listen`, and says that
 * it is open; a task runs as the agent's unprivileged task user unless a
 * `run_tasks` rule allows the user it asks for (without a security file,
 * none does); and whenever a security file is used agents must present a
 * secret.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { listenProblem } from '../../../adapters/src/security/listenPolicy.js';
import { startMaster } from '../../../adapters/src/master/masterDaemon.js';
import { RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { eventually, makeWorkDir, removeWorkDir, startMasterProcess } from '../master/daemons.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from '../master/inProcess.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import { EXAMPLE } from './exampleSecurity.js';

type Json = Record<string, any>;

const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'allot-defaults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `allot`; the timeout is a liveness bound (a busy machine took over 15 s to load the master's modules). */
function allot(args: string[], timeoutMs = 120_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [LAUNCHER, ...args], { timeout: timeoutMs }, (error, _stdout, stderr) =>
      resolve({ code: child.exitCode ?? (error ? -1 : 0), stderr }),
    );
  });
}

describe('where an open master listens', () => {
  it.each([
    ['127.0.0.1', false, false, null],
    ['127.0.0.2', false, false, null],
    ['::1', false, false, null],
    ['0.0.0.0', true, false, null],
    ['0.0.0.0', false, true, null],
  ])('%s (security %s, insecure-listen %s) is allowed', (ip, security, insecure, expected) => {
    expect(listenProblem(ip, security, insecure)).toBe(expected);
  });

  it('refuses any other address without --security or --insecure-listen, before listening (exit 2)', async () => {
    expect(listenProblem('10.1.2.3', false, false)).toMatch(/--insecure-listen/);
    const run = await allot(['master', '--ip', '0.0.0.0', '--port', '0', '--work-dir', join(scratch, 'open')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--ip 0\.0\.0\.0: without --security .*--insecure-listen/s);
  });

  it('says on start that a master without a security file is open to anyone who reaches it', async () => {
    const workDir = makeWorkDir('open-master');
    const master = await startMasterProcess(workDir);
    try {
      const warning = await eventually(() => /no security file: no authentication or authorization/.test(master.log()), 'the warning');
      expect(warning).toBe(true);
    } finally {
      await master.stop();
      removeWorkDir(workDir);
    }
  });

  it('refuses a security file without an agent secret (exit 2), unless --secret gives one', async () => {
    const file = join(scratch, 'no-agent-secret.json');
    const { agentSecret: _omitted, ...withoutSecret } = EXAMPLE;
    writeFileSync(file, JSON.stringify(withoutSecret));
    const run = await allot(['master', '--port', '0', '--work-dir', join(scratch, 'nosecret'), '--security', file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/agentSecret/);
    const config = parseSecurityConfig(JSON.stringify(withoutSecret), 'f.json');
    await expect(startMaster({ port: 0, store: 'memory', logger: pino({ level: 'silent' }), security: config })).rejects.toThrow(
      /agent secret/,
    );
  });
});

describe('the user a task runs as', () => {
  it('refuses command.user without a security file: tasks run as the agent task user', async () => {
    const master = await startTestMaster();
    await master.recovered;
    const agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
    try {
      const offer = await scheduler.waitForOffer();
      const asRoot = await scheduler.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [launch(offer, 'r', 'id -u', { cpus: 1, mem: 64 }, { command: { value: 'id -u', user: 'root' } })],
          filters: { refuse_seconds: 0 },
        },
      });
      // As Mesos: the ACCEPT is taken, the refused launch ends TASK_ERROR, and the offer is used up.
      const refused = await scheduler.waitForState('r', 'TASK_ERROR');
      const next = await scheduler.freshOffer('the next offer', undefined, { cpus: 1, mem: 64 });
      const plain = await scheduler.call({
        type: 'ACCEPT',
        accept: { offer_ids: [next.id], operations: [launch(next, 'p', 'id -u', { cpus: 1, mem: 64 })] },
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const launches = agent.events.filter((event) => event.type === 'LAUNCH').map((event) => event.launch as Json);

      expect(asRoot.status).toBe(202);
      expect(refused.reason).toBe('REASON_TASK_UNAUTHORIZED');
      expect(refused.message).toBe(
        'tasks may not run as user "root" (no run_tasks rule allows it; without one, tasks run as the agent\'s task user)',
      );
      expect(plain.status).toBe(202);
      expect(launches.map((launched) => [launched.task_id, launched.user])).toEqual([['p', undefined]]);
    } finally {
      await scheduler.close();
      agent.close();
      await master.close();
    }
  });

  it('runs a task as the user a run_tasks rule allows its principal, and no other', async () => {
    const config = parseSecurityConfig(
      JSON.stringify({ ...EXAMPLE, authorization: { ...EXAMPLE.authorization, run_tasks: [{ principals: ['spark'], users: ['spark'] }] } }),
      'run-tasks.json',
    );
    const master = await startMaster({
      port: 0,
      store: 'memory',
      heartbeatMs: 1000,
      logger: pino({ level: 'silent' }),
      security: config,
      kernel: { allocationIntervalMs: 100 },
    });
    await master.recovered;
    const agent = await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT, { authorization: 'Bearer agents-shared-secret' });
    const spark = `Basic ${Buffer.from('spark:spark-secret').toString('base64')}`;
    const info = { user: 'spark', name: 'spark', roles: ['analytics'], principal: 'spark' };
    const subscribed = await fetch(`${master.url}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: spark },
      body: JSON.stringify({ type: 'SUBSCRIBE', subscribe: { framework_info: info } }),
    });
    const streamId = subscribed.headers.get('mesos-stream-id') ?? '';
    const reader = (subscribed.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new RecordIoDecoder();
    const events: Json[] = [];
    const readUntil = async (done: () => boolean) => {
      while (!done()) for (const record of decoder.push((await reader.read()).value!)) events.push(JSON.parse(record) as Json);
    };
    const offers = () => events.filter((event) => event.type === 'OFFERS').map((event) => event.offers.offers[0] as Json);
    const statusOf = (taskId: string) =>
      events.find((event) => event.type === 'UPDATE' && event.update.status.task_id.value === taskId)?.update.status as Json | undefined;
    await readUntil(() => offers().length > 0);
    const frameworkId = events[0].subscribed.framework_id.value;
    const accept = (offer: Json, taskId: string, user: string) =>
      fetch(`${master.url}/api/v1/scheduler`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', authorization: spark, 'Mesos-Stream-Id': streamId },
        body: JSON.stringify({
          type: 'ACCEPT',
          framework_id: { value: frameworkId },
          accept: {
            offer_ids: [offer.id],
            operations: [launch(offer, taskId, 'true', { cpus: 1, mem: 64 }, { command: { value: 'true', user } })],
            filters: { refuse_seconds: 0 },
          },
        }),
      }).then(async (response) => ({ status: response.status, body: await response.text() }));
    try {
      // As Mesos: the ACCEPT is taken, the refused launch ends TASK_ERROR, and the offer is used up.
      const asRoot = await accept(offers()[0], 'r', 'root');
      await readUntil(() => statusOf('r') !== undefined && offers().length > 1);
      const asSpark = await accept(offers()[1], 's', 'spark');
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(asRoot).toEqual({ status: 202, body: '' });
      expect(statusOf('r')).toMatchObject({
        state: 'TASK_ERROR',
        reason: 'REASON_TASK_UNAUTHORIZED',
        message: 'principal "spark" may not run tasks as user "root" (no run_tasks rule allows it)',
      });
      expect(asSpark.status).toBe(202);
      expect(agent.events.filter((event) => event.type === 'LAUNCH').map((event) => [event.launch.task_id, event.launch.user])).toEqual([
        ['s', 'spark'],
      ]);
    } finally {
      await reader.cancel().catch(() => undefined);
      agent.close();
      await master.close();
    }
  });
});
