/**
 * `npm start` as a user runs it (on a free port instead of 5173): it serves
 * the playground, and killing npm (SIGTERM, as a process manager or `kill`
 * does, or SIGKILL) leaves nothing holding the port (scripts/start.mjs).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  // Whatever an assertion did, nothing of npm start outlives the test: npm and its child share a process group.
  for (const child of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function serves(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** True once nothing accepts connections on the port (a slow answer on a busy machine does not count as free). */
function refused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; npm start printed:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts `npm start -- --port <free port>` and waits until the playground answers. */
async function npmStart(): Promise<{ npm: ChildProcess; url: string; output: () => string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const npm = spawn('npm', ['start', '--', '--port', String(port)], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(npm);
  let text = '';
  npm.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  npm.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const output = () => text;
  await until(() => serves(url), `the playground at ${url}`, 90_000, output);
  return { npm, url, output };
}

describe('npm start', () => {
  it('serves the playground, and SIGTERM to npm frees the port', async () => {
    const { npm, url, output } = await npmStart();
    const page = await (await fetch(url)).text();
    expect(page).toContain('<div id="app"');

    npm.kill('SIGTERM');

    await until(async () => output().includes('received SIGTERM; closing the playground server'), 'the server to stop', 30_000, output);
    await until(() => refused(url), 'the port to be free', 30_000, output);
  }, 120_000);

  it('stops the server when npm itself is SIGKILLed', async () => {
    const { npm, url, output } = await npmStart();

    npm.kill('SIGKILL');

    await until(
      async () => output().includes('npm (the parent process) is gone; closing the playground server'),
      'the server to stop',
      30_000,
      output,
    );
    await until(() => refused(url), 'the port to be free', 30_000, output);
  }, 120_000);
});
