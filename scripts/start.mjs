#!/usr/bin/env node
/**
 * `npm start`: serves the playground with Vite's dev server (hot reload, the
 * kernel from its sources) at http://127.0.0.1:5173/ (`npm start -- --port N`
 * for another port).
 *
 * Vite runs in this process, and package.json starts it with `exec`, so the
 * process npm signals is this one: killing `npm start` (SIGTERM, SIGINT,
 * SIGHUP) closes the server and frees the port. Before, the signal stopped npm
 * and its shell and left Vite holding port 5173. If npm itself is killed with
 * SIGKILL, this process notices that its parent is gone and stops too.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const PLAYGROUND = join(dirname(fileURLToPath(import.meta.url)), '..', 'playground');
const PARENT_CHECK_MS = 1000;

const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true });
const port = values.port === undefined ? undefined : Number(values.port);
if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
  process.stderr.write(`npm start: --port: expected a port 0..65535, got "${values.port}"\n`);
  process.exit(2);
}

const server = await createServer({
  root: PLAYGROUND,
  configFile: join(PLAYGROUND, 'vite.config.ts'),
  ...(port === undefined ? {} : { server: { port, strictPort: true } }),
});
await server.listen();
server.printUrls();

let stopping = false;
async function stop(why) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`npm start: ${why}; closing the playground server\n`);
  await server.close();
  process.exit(0);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stop(`received ${signal}`));
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void stop('npm (the parent process) is gone');
}, PARENT_CHECK_MS).unref();
