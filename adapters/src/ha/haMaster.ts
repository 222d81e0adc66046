/**
 * A master in a highly available group: on etcd across machines, or on one
 * machine around a shared work dir (lock directory + file store, the
 * embedded default). It campaigns for leadership; while it follows, its
 * address answers 307 to the leader (followerServer); once elected it starts
 * the ordinary master daemon on the same address with its state behind the
 * election (etcd's fence, or a leadership check), so the new leader recovers
 * the state, waits for agents and accepts framework re-subscriptions exactly
 * as after a restart. A leader that loses leadership stops serving at once
 * and the process exits (as a Mesos master does), to rejoin as a follower
 * when its supervisor restarts it: no stale in-memory state survives.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import type { MasterDaemonOptions, RunningMaster } from '../master/masterDaemon.js';
import { defaultConnectionLimits } from '../master/connectionGuard.js';
import { startMaster } from '../master/masterDaemon.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import { EtcdStore } from '../store/etcdStore.js';
import { FileStore } from '../store/fileStore.js';
import { MemoryStore } from '../store/memoryStore.js';
import type { CommitResult, PutResult, StateStore, StoredValue, StoreWrite } from '../store/stateStore.js';
import type { Election } from './election.js';
import { createEtcdClient } from './etcdClient.js';
import { FileLockElection } from './fileLockElection.js';
import type { FollowerServer } from './followerServer.js';
import { startFollowerServer } from './followerServer.js';
import { LeaderElection } from './leaderElection.js';
import type { LeaseTiming } from './leaseTiming.js';
import { mirroredStore, StateMirror } from './stateMirror.js';
import { ThreadLease } from './threadLease.js';

/** Where the state lives and the election happens. */
export type HaBackend =
  | {
      kind: 'etcd';
      endpoints: readonly string[] /** One prefix per cluster, e.g. "/allot/" (default). */;
      prefix?: string;
      timing?: LeaseTiming;
    }
  | { kind: 'file' /** The work dir shared by the masters of this machine: `state/` and `leader.lock`. */; workDir: string };

export interface HaMasterOptions {
  backend: HaBackend;
  ip: string;
  port: number;
  logger: Logger;
  https?: HttpsServerOptions | null;
  /** Everything else the master daemon takes (kernel timeouts, heartbeat, agent secret...). */
  master?: Omit<MasterDaemonOptions, 'ip' | 'port' | 'store' | 'workDir' | 'logger'>;
  /** Called once when this master stops being the leader; the CLI exits the process. */
  onDeposed: (reason: string) => void;
}

export interface RunningHaMaster {
  readonly id: string;
  readonly url: string;
  readonly election: Election;
  /** The master daemon while this process leads, else null. */
  master(): RunningMaster | null;
  close(): Promise<void>;
}

export async function startHaMaster(options: HaMasterOptions): Promise<RunningHaMaster> {
  const { logger, backend } = options;
  const id = randomUUID();
  let self = { id, address: '' };
  let election: Election | null = null;
  let follower: FollowerServer | null = await startFollowerServer({
    ip: options.ip,
    port: options.port,
    https: options.https ?? null,
    leader: () => election?.leader ?? null,
    self: () => self,
    connections: { ...defaultConnectionLimits(), ...options.master?.connections },
    logger,
  });
  const port = (follower as FollowerServer & { port: number }).port;
  const url = `${options.https ? 'https' : 'http'}://${options.ip}:${port}`;
  self = { id, address: url };
  const parts = createBackend(backend, self, logger);
  const { store, close: closeBackend } = parts;
  election = parts.election;
  let running: RunningMaster | null = null;
  let deposed = false;
  let closing = false;
  let fencedCheck: NodeJS.Timeout | null = null;

  const becomeLeader = async (): Promise<void> => {
    const startedAtMs = performance.now();
    await follower?.close();
    follower = null;
    if (deposed || closing) return;
    // Every step checks the leadership first: no store write fences a task launch, so the check must be there.
    const started = await startMaster({ ...options.master, ip: options.ip, port, store, logger, mayAct: () => parts.election.isLeader() });
    if (deposed || closing) {
      // Leadership ended while the daemon was starting: it must not serve.
      await started.close();
      return;
    }
    running = started;
    await started.recovered;
    logger.info({ url, id, startMs: Math.round(performance.now() - startedAtMs) }, 'leading master serving');
    // A leader whose state write was refused (by the fence, or a conflict) is useless: give the leadership up.
    fencedCheck = setInterval(() => {
      if (running?.host.fenced) depose('the state store refused a write');
    }, 250);
  };

  parts.election.on((event) => {
    switch (event.type) {
      case 'leadership.gained':
        logger.info({ url, id, fence: event.fence }, 'elected leading master');
        becomeLeader().catch((error: unknown) => {
          logger.fatal({ err: error }, 'could not start serving as the leader');
          depose(`could not start serving: ${(error as Error).message}`);
        });
        return;
      case 'leadership.lost':
        // The election runs on performance.now(); the log says when leadership ended in wall-clock time (epoch ms).
        depose(
          event.reason,
          event.trustEndedAtMs === undefined ? undefined : Math.round(Date.now() - (performance.now() - event.trustEndedAtMs)),
        );
        return;
      case 'leader.changed':
        logger.info({ leader: event.leader }, 'leading master changed');
        return;
      default: {
        const unreachable: never = event;
        throw new Error(`unknown election event ${JSON.stringify(unreachable)}`);
      }
    }
  });

  function depose(reason: string, leadershipEndedAt?: number): void {
    if (deposed || closing) return;
    deposed = true;
    if (fencedCheck) clearInterval(fencedCheck);
    logger.warn(
      { url, id, reason, ...(leadershipEndedAt === undefined ? {} : { leadershipEndedAt }) },
      'lost leadership: this master stops serving',
    );
    // Stop answering at once; the fence already refuses its writes.
    const master = running;
    running = null;
    void master?.close().catch(() => undefined);
    options.onDeposed(reason);
  }

  // On etcd a takeover already waits ~2 s for the lease; do not add a cold start on top.
  if (backend.kind === 'etcd') await warmUp(options);
  parts.election.start();
  logger.info({ url, id, backend }, 'ha master listening (following until elected)');
  return {
    id,
    url,
    election: parts.election,
    master: () => running,
    async close() {
      closing = true;
      if (fencedCheck) clearInterval(fencedCheck);
      const master = running;
      running = null;
      await master?.close();
      await follower?.close();
      await parts.election.stop();
      closeBackend();
    },
  };
}

function createBackend(
  backend: HaBackend,
  self: { id: string; address: string },
  logger: Logger,
): { election: Election; store: StateStore; close: () => void } {
  if (backend.kind === 'file') {
    const election = new FileLockElection({ directory: backend.workDir, candidate: self });
    return {
      election,
      store: leaderOnly(new FileStore(join(backend.workDir, 'state')), () => election.isLeader()),
      close: () => undefined,
    };
  }
  const prefix = backend.prefix ?? '/allot/';
  const client = createEtcdClient(backend.endpoints);
  // The lease lives on its own thread: a master busy for seconds at scale keeps its leadership (threadLease.ts).
  const election = new LeaderElection({
    client,
    prefix,
    candidate: self,
    ...(backend.timing ? { timing: backend.timing } : {}),
    grantLease: (onLost) =>
      ThreadLease.grant({ endpoints: backend.endpoints, ...(backend.timing ? { timing: backend.timing } : {}), onLost }),
  });
  const store = new EtcdStore({ client, prefix, endpoints: backend.endpoints, fence: () => election.fence() });
  // A warm standby: followers keep a copy of the state, so a takeover reads only what changed (stateMirror.ts).
  const mirror = new StateMirror(store, logger);
  mirror.start();
  election.on((event) => {
    if (event.type === 'leadership.gained') mirror.stop();
  });
  return {
    election,
    store: mirroredStore(store, mirror),
    close: () => {
      mirror.stop();
      client.close();
    },
  };
}

/** A store that refuses writes unless this master leads right now (the file store has no fence of its own). */
function leaderOnly(store: StateStore, isLeader: () => boolean): StateStore {
  return {
    description: `${store.description} (leader only)`,
    get: (key: string): Promise<StoredValue | null> => store.get(key),
    list: (): Promise<Map<string, StoredValue>> => store.list(),
    commit: async (writes: readonly StoreWrite[]): Promise<CommitResult> =>
      isLeader()
        ? store.commit(writes)
        : { ok: false, code: 'not_leader', message: 'this master no longer holds the leader lock', key: null, actualVersion: 0 },
    put: async (key: string, value: string, expectedVersion?: number): Promise<PutResult> =>
      isLeader()
        ? store.put(key, value, expectedVersion)
        : { ok: false, code: 'not_leader', message: 'this master no longer holds the leader lock', actualVersion: 0 },
    delete: async (key: string): Promise<void> => {
      if (!isLeader()) throw new Error('this master no longer holds the leader lock');
      await store.delete(key);
    },
    close: () => store.close(),
  };
}

/**
 * Runs a throwaway master (memory store, any free port, silent) once and
 * closes it, so that the code a takeover runs is already compiled: measured,
 * a cold first start takes ~200 ms where a warm one takes ~60 ms.
 */
async function warmUp(options: HaMasterOptions): Promise<void> {
  const started = performance.now();
  try {
    const master = await startMaster({
      ...options.master,
      record: null,
      ip: '127.0.0.1',
      port: 0,
      store: new MemoryStore(),
      logger: pino({ level: 'silent' }),
      https: null,
    });
    await master.recovered;
    await master.app.inject({
      method: 'POST',
      url: '/api/v1/scheduler',
      headers: { 'content-type': 'application/json' },
      payload: '{"type":"SUBSCRIBE"}',
    });
    await master.close();
    options.logger.debug({ warmUpMs: Math.round(performance.now() - started) }, 'master code warmed up for a fast takeover');
  } catch (error) {
    options.logger.warn({ err: error }, 'warm-up failed (a takeover will start cold)');
  }
}
