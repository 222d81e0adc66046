/**
 * The connection rules of every allot HTTP server (master, follower, agent),
 * in one place. What keeps open sockets from killing a master: file
 * descriptors are a hard limit (at 1,024, a thousand half-sent requests used
 * to starve every file the master reads and writes), so connections are
 * capped in total below the process's descriptor limit and per client
 * address, and a request must arrive in time: its headers within
 * `headersTimeoutMs` of the connection opening (or of the previous
 * response), the whole request within `requestTimeoutMs`.
 *
 * A connection idle *between* complete requests is another matter: it is
 * kept for `idleTimeoutMs`, an hour by default (KEEP_ALIVE_IDLE_MS). Mesos
 * never closes these, and scheduler libraries reuse one connection for
 * calls that can be many minutes apart (a quiet scheduler with suppressed
 * offers); a server-side close racing a client's next call loses that call
 * (an ACKNOWLEDGE, say) on a broken pipe, which Fastify's default of 72 s
 * did. Idle connections cost nothing the caps do not already bound. A
 * response in progress (a subscription's event stream) is never cut by
 * these timeouts.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerClient: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
}

/** Descriptors kept free for files, etcd, child processes and the like. */
const DESCRIPTORS_RESERVED = 256;
const DROP_LOG_INTERVAL_MS = 10_000;
/** How long a keep-alive connection may stay idle between complete requests (see above). */
export const KEEP_ALIVE_IDLE_MS = 60 * 60 * 1000;

/** The soft RLIMIT_NOFILE of this process (Linux /proc), or null when it cannot be read. */
export function descriptorLimit(): number | null {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? null : Number(soft);
  } catch {
    return null;
  }
}

export function defaultConnectionLimits(descriptors: number | null = descriptorLimit()): ConnectionLimits {
  const maxConnections = Math.max(64, Math.min(65_536, (descriptors ?? 4096) - DESCRIPTORS_RESERVED));
  return {
    maxConnections,
    maxConnectionsPerClient: Math.max(16, Math.min(512, Math.floor(maxConnections / 2))),
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 60_000,
    idleTimeoutMs: KEEP_ALIVE_IDLE_MS,
  };
}

/** The fastify options that carry the timeouts (the server is created by fastify). */
export function serverTimeoutOptions(limits: ConnectionLimits): {
  keepAliveTimeout: number;
  requestTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  return {
    keepAliveTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      // Node refuses a headers timeout longer than the request timeout (checked as the server is created).
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      requestTimeout: limits.requestTimeoutMs,
      // Node checks the header and request deadlines on this interval (30 s by default).
      connectionsCheckingInterval: checkingIntervalMs(limits),
    },
  };
}

export function checkingIntervalMs(limits: ConnectionLimits): number {
  return Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4)));
}

/** Caps the server's connections in total and per client address; refused sockets are closed at once (counted, logged every 10 s). */
export function guardConnections(server: Server, limits: ConnectionLimits, logger: Logger): void {
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  const perClient = new Map<string, number>();
  let dropped = 0;
  let lastLogMs = 0;
  const drop = (reason: string): void => {
    dropped++;
    const nowMs = Date.now();
    if (nowMs - lastLogMs < DROP_LOG_INTERVAL_MS) return;
    lastLogMs = nowMs;
    logger.warn({ dropped, ...limitsForLog(limits) }, `connections refused: ${reason}`);
  };
  server.on('drop', () => drop(`more than ${limits.maxConnections} open in total`));
  server.prependListener('connection', (socket: Socket) => {
    const client = socket.remoteAddress ?? 'unknown';
    const count = (perClient.get(client) ?? 0) + 1;
    if (count > limits.maxConnectionsPerClient) {
      socket.destroy();
      drop(`more than ${limits.maxConnectionsPerClient} open from ${client}`);
      return;
    }
    perClient.set(client, count);
    socket.once('close', () => {
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    });
  });
}

function limitsForLog(limits: ConnectionLimits): Record<string, number> {
  return { maxConnections: limits.maxConnections, maxConnectionsPerClient: limits.maxConnectionsPerClient };
}
