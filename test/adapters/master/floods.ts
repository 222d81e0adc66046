/**
 * Helpers for the suites that flood a real master process: half-sent
 * connections from another loopback address, the master's resident memory,
 * and a /health probe that never throws.
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { Socket } from 'node:net';

export const PRLIMIT = '/usr/bin/prlimit';
export const FLOOD_SKIP_REASON: string | null =
  process.platform !== 'linux' ? 'not Linux (needs 127.0.0.2 and /proc)' : existsSync(PRLIMIT) ? null : `${PRLIMIT} is not installed`;

const HALF_SENT = 'POST /api/v1/scheduler HTTP/1.1\r\nHost: master\r\nContent-Type: application/json\r\n';

/** Opens `count` connections from 127.0.0.2, each sending half a request and holding on; refused ones are counted, never retried. */
export async function slowloris(url: string, count: number): Promise<{ sockets: Socket[]; refused: () => number; close: () => void }> {
  const { port } = new URL(url);
  const sockets: Socket[] = [];
  let refused = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.2' });
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        refused++;
        resolve();
      });
      socket.once('connect', () => {
        socket.write(HALF_SENT);
        resolve();
      });
      socket.resume();
    });
  for (let opened = 0; opened < count; opened += 500) await Promise.all(Array.from({ length: Math.min(500, count - opened) }, open));
  return { sockets, refused: () => refused, close: () => sockets.forEach((socket) => socket.destroy()) };
}

export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

export async function health(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}
