/**
 * Persistent volumes and command checks on the agent runtime, with real
 * processes: a volume is a directory outside the sandbox, linked at its
 * container path, that outlives the task and a new runtime (an agent
 * restart) and goes only when the volume leaves the checkpointed resources;
 * its size is enforced; a readiness check's result is reported as
 * check_status on TASK_RUNNING updates, as Mesos does.
 */
import { existsSync, lstatSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syncVolumes, volumePath, volumesIn } from '../../../adapters/src/agent/persistentVolumes.js';
import { makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

type Json = Record<string, any>;

/** An update's check result, read without narrowing by type (the test knows which check it launched). */
const checkStatus = (update: { checkStatus?: unknown }): Json | undefined => update.checkStatus as Json | undefined;

/** A free TCP port on 127.0.0.1 (nothing listens on it once this resolves). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A task command: after a second, an HTTP server on PORT that answers 503 until the sandbox has a file `ready`, then 200. */
function warmingServer(port: number): string {
  const script = [
    "const fs = require('fs');",
    "require('http').createServer((q, r) => { r.statusCode = fs.existsSync('ready') ? 200 : 503; r.end(); })",
    `.listen(${port}, '127.0.0.1');`,
  ].join(' ');
  return `sleep 1; exec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(script)}`;
}

const workDirs: string[] = [];
const runtimes: Array<{ close(): void }> = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close();
  for (const dir of workDirs.splice(0)) removeWorkDir(dir);
});

function volumeResource(role: string, id: string, sizeMb: number): Json {
  return {
    name: 'disk',
    type: 'SCALAR',
    scalar: { value: sizeMb },
    role,
    reservations: [{ type: 'DYNAMIC', role, labels: { labels: [{ key: 'resource_id', value: 'r1' }] } }],
    disk: { persistence: { id }, volume: { container_path: 'data', mode: 'RW' } },
  };
}

async function setUp(options: Parameters<typeof startRuntime>[1] = {}) {
  const workDir = makeWorkDir('volumes');
  workDirs.push(workDir);
  const harness = await startRuntime(workDir, options);
  runtimes.push(harness.runtime);
  return { workDir, harness };
}

describe('persistent volumes', () => {
  it('live outside the sandbox, are linked at the container path, and keep their data across tasks and agent restarts', async () => {
    const { workDir, harness } = await setUp();
    const volumes = volumesIn([volumeResource('svc-role', 'vol-1', 16)], workDir);
    expect(volumes).toEqual([{ hostPath: volumePath(workDir, 'svc-role', 'vol-1'), containerPath: 'data', sizeMb: 16, mode: 'RW' }]);
    const first = await harness.runtime.launch({ taskId: 't1', frameworkId: 'f1', command: 'echo first >> data/log', volumes });
    expect(first.ok).toBe(true);
    await harness.waitForState('t1', 'TASK_FINISHED');
    if (!first.ok) return;
    expect(lstatSync(join(first.sandboxDir, 'data')).isSymbolicLink()).toBe(true);
    harness.runtime.close();
    const again = await startRuntime(workDir);
    runtimes.push(again.runtime);
    const second = await again.runtime.launch({ taskId: 't2', frameworkId: 'f1', command: 'echo second >> data/log', volumes });
    expect(second.ok).toBe(true);
    await again.waitForState('t2', 'TASK_FINISHED');
    expect(readFileSync(join(volumes[0].hostPath, 'log'), 'utf8')).toBe('first\nsecond\n');
  });

  it('are removed when they leave the checkpointed resources (DESTROY), unless a live task uses one', () => {
    const workDir = makeWorkDir('sync');
    workDirs.push(workDir);
    const kept = [volumeResource('a/b', 'keep', 8), volumeResource('r', 'busy', 8), volumeResource('r', 'gone', 8)];
    syncVolumes(workDir, kept, new Set());
    const paths = volumesIn(kept, workDir).map((volume) => volume.hostPath);
    expect(paths.every((path) => existsSync(path))).toBe(true);
    const removed = syncVolumes(workDir, [kept[0]], new Set([paths[1]]));
    expect(removed).toEqual([paths[2]]);
    expect(existsSync(paths[0]) && existsSync(paths[1]) && !existsSync(paths[2])).toBe(true);
  });

  it('enforce their size: a task writing past it ends with REASON_CONTAINER_LIMITATION_DISK', async () => {
    const { workDir, harness } = await setUp({ diskCheckIntervalMs: 100 });
    const volumes = volumesIn([volumeResource('svc-role', 'small', 1)], workDir);
    await harness.runtime.launch({
      taskId: 'big',
      frameworkId: 'f1',
      command: 'head -c 3000000 /dev/urandom > data/blob; sleep 30',
      volumes,
    });
    const ended = await harness.waitForState('big', 'TASK_FAILED', 20_000);
    expect(ended.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
  });
});

describe('command checks', () => {
  it('report check_status on TASK_RUNNING updates when the result changes, and never kill the task', async () => {
    const { harness } = await setUp();
    await harness.runtime.launch({
      taskId: 'c1',
      frameworkId: 'f1',
      command: 'sleep 2; touch ready; sleep 30',
      check: { command: 'test -f ready', delaySeconds: 0, intervalSeconds: 0.2, timeoutSeconds: 5 },
    });
    await waitFor(
      () => harness.updates.some((update) => update.taskId === 'c1' && checkStatus(update)?.exitCode === 0),
      'a passing check',
      15_000,
    );
    const running = harness.updates.filter((update) => update.taskId === 'c1');
    expect(running[0]).toMatchObject({ state: 'TASK_RUNNING', checkStatus: { exitCode: null } });
    const results = running
      .filter((update) => update.reason === 'REASON_TASK_CHECK_STATUS_UPDATED')
      .map((update) => checkStatus(update)?.exitCode);
    expect(results).toEqual([1, 0]);
    expect(harness.states('c1').every((state) => state === 'TASK_RUNNING')).toBe(true);
    harness.runtime.kill('f1', 'c1', 0);
    await harness.waitForState('c1', 'TASK_KILLED');
  });
});

describe('HTTP and TCP checks', () => {
  it('report the status code of an HTTP check as it changes, and never kill the task', async () => {
    const { harness } = await setUp();
    const port = await freePort();
    await harness.runtime.launch({
      taskId: 'h1',
      frameworkId: 'f1',
      command: warmingServer(port),
      check: { type: 'HTTP', port, path: '/ready', delaySeconds: 0, intervalSeconds: 0.2, timeoutSeconds: 5 },
    });
    await waitFor(() => harness.updates.some((update) => checkStatus(update)?.statusCode === 503), 'the HTTP check seeing 503', 20_000);
    const sandbox = harness.runtime.task('f1', 'h1')!.sandboxDir;
    writeFileSync(join(sandbox, 'ready'), '');
    await waitFor(() => harness.updates.some((update) => checkStatus(update)?.statusCode === 200), 'the HTTP check seeing 200', 20_000);

    const updates = harness.updates.filter((update) => update.taskId === 'h1');
    expect(updates[0]).toMatchObject({ state: 'TASK_RUNNING', checkStatus: { type: 'HTTP', statusCode: null } });
    const codes = updates.map((update) => checkStatus(update)?.statusCode).filter((code) => code !== null);
    expect(codes.indexOf(503)).toBeLessThan(codes.indexOf(200));
    expect(harness.states('h1').every((state) => state === 'TASK_RUNNING')).toBe(true);
    harness.runtime.kill('f1', 'h1', 0);
    await harness.waitForState('h1', 'TASK_KILLED');
  });

  it('report whether a TCP check connects: false while nothing listens, then true', async () => {
    const { harness } = await setUp();
    const port = await freePort();
    await harness.runtime.launch({
      taskId: 't1',
      frameworkId: 'f1',
      command: warmingServer(port),
      check: { type: 'TCP', port, delaySeconds: 0, intervalSeconds: 0.2, timeoutSeconds: 5 },
    });
    await waitFor(() => harness.updates.some((update) => checkStatus(update)?.succeeded === true), 'a TCP check that connects', 20_000);

    const results = harness.updates
      .filter((update) => update.taskId === 't1' && update.reason === 'REASON_TASK_CHECK_STATUS_UPDATED')
      .map((update) => checkStatus(update)?.succeeded);
    expect(results).toEqual([false, true]);
    harness.runtime.kill('f1', 't1', 0);
    await harness.waitForState('t1', 'TASK_KILLED');
  });

  it('refuses a check without a port, naming it', async () => {
    const { harness } = await setUp();
    const launched = await harness.runtime.launch({ taskId: 'bad', frameworkId: 'f1', command: 'sleep 5', check: { type: 'TCP' } });
    expect(launched).toMatchObject({ ok: false, message: expect.stringContaining('the TCP check needs a port from 1 to 65535') });
  });
});
