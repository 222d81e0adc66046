/**
 * The agent's fetcher and its HTTP and TCP health checks, on the real
 * runtime with real processes: URIs from file:// and http:// land in the
 * sandbox before the command runs (executable, extracted, cached), a failed
 * fetch ends the task with TASK_FAILED / REASON_FETCHER_FAILED, and health
 * checks probe the task's own port (a python3 http.server the task starts).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness.js';
import { makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

let dir = '';
let harness: Harness;
let server: Server;
let serverUrl = '';
let downloads = 0;

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function sandboxOf(taskId: string): string {
  return join(dir, 'work', 'sandboxes', 'fw-1', taskId);
}

beforeAll(async () => {
  dir = makeWorkDir('fetcher');
  const files = join(dir, 'files');
  mkdirSync(join(files, 'bundle'), { recursive: true });
  chmodSync(files, 0o755);
  writeFileSync(join(files, 'run.sh'), '#!/bin/sh\necho fetched-script\n', { mode: 0o644 });
  writeFileSync(join(files, 'bundle', 'data.txt'), 'inside the archive\n', { mode: 0o644 });
  chmodSync(join(files, 'bundle'), 0o755);
  execFileSync('tar', ['-C', files, '-czf', join(files, 'bundle.tar.gz'), 'bundle']);
  chmodSync(join(files, 'bundle.tar.gz'), 0o644);
  server = createServer((request, response) => {
    if (request.url === '/tool.txt') {
      downloads++;
      response.end('served over http\n');
    } else {
      response.statusCode = 404;
      response.end('no such file');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  harness = await startRuntime(join(dir, 'work'));
});

afterAll(async () => {
  for (const task of harness?.runtime.tasks() ?? []) harness.runtime.kill(task.frameworkId, task.taskId, 0);
  harness?.runtime.close();
  await new Promise((resolve) => server?.close(resolve));
  if (dir) removeWorkDir(dir);
});

describe('the fetcher', () => {
  it('brings file:// and http:// URIs into the sandbox before the command: executable, extracted, cached', async () => {
    const files = join(dir, 'files');
    const uris = [
      { value: `file://${files}/run.sh`, executable: true },
      { value: `${files}/bundle.tar.gz` },
      { value: `${serverUrl}/tool.txt`, cache: true },
      { value: `${serverUrl}/tool.txt`, cache: true, outputFile: 'again/tool-copy.txt' },
    ];
    const result = await harness.runtime.launch({
      taskId: 'fetch-1',
      frameworkId: 'fw-1',
      command: './run.sh > out && cat bundle/data.txt tool.txt again/tool-copy.txt >> out',
      resources: { cpus: 0.1, mem: 32 },
      uris,
    });
    if (!result.ok) throw new Error(result.message);
    await harness.waitForState('fetch-1', 'TASK_FINISHED');
    const sandbox = sandboxOf('fetch-1');
    expect(readFileSync(join(sandbox, 'out'), 'utf8')).toBe('fetched-script\ninside the archive\nserved over http\nserved over http\n');
    // The archive stays beside what it held; the second copy of a cached URI came from the cache.
    expect(existsSync(join(sandbox, 'bundle.tar.gz'))).toBe(true);
    expect(downloads).toBe(1);
    expect(readdirSync(join(dir, 'work', 'fetcher-cache'))).toHaveLength(1);
  });

  it('a URI that cannot be fetched fails the task with REASON_FETCHER_FAILED, and the command never runs', async () => {
    for (const [taskId, value] of [
      ['fetch-404', `${serverUrl}/missing.bin`],
      ['fetch-nofile', `file://${dir}/files/nothing-here`],
      ['fetch-scheme', 'ftp://example.invalid/x'],
    ]) {
      await harness.runtime.launch({
        taskId,
        frameworkId: 'fw-1',
        command: 'touch ran',
        resources: { cpus: 0.1, mem: 32 },
        uris: [{ value }],
      });
      const failed = await harness.waitForState(taskId, 'TASK_FAILED');
      expect(failed.reason).toBe('REASON_FETCHER_FAILED');
      expect(failed.message).toContain(`Failed to fetch ${value}`);
      expect(harness.states(taskId)).toEqual(['TASK_FAILED']);
      expect(existsSync(join(sandboxOf(taskId), 'ran'))).toBe(false);
    }
    expect((await waitFor(() => harness.updates.find((u) => u.taskId === 'fetch-404'), 'update')).message).toContain('HTTP 404');
  });
});

describe('HTTP and TCP health checks', () => {
  it("probe the task's port: healthy once the server answers; an HTTP path that fails gets the task killed", async () => {
    const port = await freePort();
    const serve = `exec python3 -m http.server "$PORT0" --bind 127.0.0.1`;
    await harness.runtime.launch({
      taskId: 'web-http',
      frameworkId: 'fw-1',
      command: `sleep 1; ${serve}`,
      resources: { cpus: 0.1, mem: 64, ports: [[port, port]] },
      healthCheck: { type: 'HTTP', port, path: '/', intervalSeconds: 0.3, timeoutSeconds: 2, delaySeconds: 0, gracePeriodSeconds: 30 },
    });
    const healthy = await waitFor(
      () => harness.updates.find((update) => update.taskId === 'web-http' && update.healthy === true),
      'web-http healthy',
      20_000,
    );
    expect(healthy.state).toBe('TASK_RUNNING');
    // Before the server listened, checks failed within the grace period: nothing reported unhealthy.
    expect(harness.updates.some((update) => update.taskId === 'web-http' && update.healthy === false)).toBe(false);

    const tcpPort = await freePort();
    await harness.runtime.launch({
      taskId: 'web-tcp',
      frameworkId: 'fw-1',
      command: serve,
      resources: { cpus: 0.1, mem: 64, ports: [[tcpPort, tcpPort]] },
      healthCheck: { type: 'TCP', port: tcpPort, intervalSeconds: 0.3, timeoutSeconds: 2, delaySeconds: 0, gracePeriodSeconds: 30 },
    });
    await waitFor(() => harness.updates.find((u) => u.taskId === 'web-tcp' && u.healthy === true), 'web-tcp healthy', 20_000);

    const badPort = await freePort();
    await harness.runtime.launch({
      taskId: 'web-404',
      frameworkId: 'fw-1',
      command: serve,
      resources: { cpus: 0.1, mem: 64, ports: [[badPort, badPort]] },
      healthCheck: {
        type: 'HTTP',
        port: badPort,
        path: '/no-such-page',
        intervalSeconds: 0.3,
        timeoutSeconds: 2,
        delaySeconds: 0,
        gracePeriodSeconds: 0,
        consecutiveFailures: 2,
      },
    });
    const killed = await harness.waitForState('web-404', 'TASK_KILLED', 20_000);
    expect(killed.state).toBe('TASK_KILLED');
    expect(harness.updates.some((update) => update.taskId === 'web-404' && update.healthy === false)).toBe(true);
    harness.runtime.kill('fw-1', 'web-http', 0);
    harness.runtime.kill('fw-1', 'web-tcp', 0);
    await harness.waitForState('web-tcp', 'TASK_KILLED');
  }, 60_000);

  it('a check without a valid port is refused with TASK_ERROR', async () => {
    await harness.runtime.launch({
      taskId: 'bad-check',
      frameworkId: 'fw-1',
      command: 'sleep 5',
      resources: { cpus: 0.1, mem: 32 },
      healthCheck: { type: 'TCP' },
    });
    const error = await harness.waitForState('bad-check', 'TASK_ERROR');
    expect(error.message).toContain('the TCP health check needs a port from 1 to 65535');
  });
});
