/**
 * A master in a highly available group on etcd. It campaigns for leadership;
 * while it follows, its address answers 307 to the leader (followerServer);
 * once elected it starts the ordinary master daemon on the same address with
 * its state in etcd behind the election's fence, so the new leader recovers
 * the state, waits for agents and accepts framework re-subscriptions exactly
 * as after a restart. A leader that loses leadership stops serving at once
 * and the process exits (as a Mesos master does), to rejoin as a follower
 * when its supervisor restarts it: no stale in-memory state survives.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { MasterDaemonOptions, RunningMaster } from '../master/masterDaemon.js';
import { startMaster } from '../master/masterDaemon.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import { EtcdStore } from '../store/etcdStore.js';
import { createEtcdClient } from './etcdClient.js';
import type { FollowerServer } from './followerServer.js';
import { startFollowerServer } from './followerServer.js';
import { LeaderElection } from './leaderElection.js';
import type { LeaseTiming } from './leaseTiming.js';

export interface HaMasterOptions {
  endpoints: readonly string[];
  /** One prefix per cluster, e.g. "/allot/" (default). */
  prefix?: string;
  ip: string;
  port: number;
  logger: Logger;
  https?: HttpsServerOptions | null;
  timing?: LeaseTiming;
  /** Everything else the master daemon takes (kernel timeouts, heartbeat, agent secret...). */
  master?: Omit<MasterDaemonOptions, 'ip' | 'port' | 'store' | 'workDir' | 'logger'>;
  /** Called once when this master stops being the leader; the CLI exits the process. */
  onDeposed: (reason: string) => void;
}

export interface RunningHaMaster {
  readonly id: string;
  readonly url: string;
  readonly election: LeaderElection;
  /** The master daemon while this process leads, else null. */
  master(): RunningMaster | null;
  close(): Promise<void>;
}

export async function startHaMaster(options: HaMasterOptions): Promise<RunningHaMaster> {
  const { logger } = options;
  const prefix = options.prefix ?? '/allot/';
  const client = createEtcdClient(options.endpoints);
  const id = randomUUID();
  let self = { id, address: '' };
  let election: LeaderElection | null = null;
  let follower: FollowerServer | null = await startFollowerServer({ ip: options.ip, port: options.port, https: options.https ?? null, leader: () => election?.leader ?? null, self: () => self });
  const port = (follower as FollowerServer & { port: number }).port;
  const url = `${options.https ? 'https' : 'http'}://${options.ip}:${port}`;
  self = { id, address: url };
  election = new LeaderElection({ client, prefix, candidate: self, ...(options.timing ? { timing: options.timing } : {}) });
  let running: RunningMaster | null = null;
  let deposed = false;
  let closing = false;

  const becomeLeader = async (): Promise<void> => {
    const startedAtMs = performance.now();
    await follower?.close();
    follower = null;
    if (deposed || closing) return;
    const store = new EtcdStore({ client, prefix, endpoints: options.endpoints, fence: () => election!.fence() });
    running = await startMaster({ ...options.master, ip: options.ip, port, store, logger });
    await running.recovered;
    logger.info({ url, id, startMs: Math.round(performance.now() - startedAtMs) }, 'leading master serving');
  };

  election.on((event) => {
    switch (event.type) {
      case 'leadership.gained':
        logger.info({ url, id, fence: event.fence }, 'elected leading master');
        becomeLeader().catch((error: unknown) => {
          logger.fatal({ err: error }, 'could not start serving as the leader');
          depose(`could not start serving: ${(error as Error).message}`);
        });
        return;
      case 'leadership.lost':
        depose(event.reason);
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

  function depose(reason: string): void {
    if (deposed || closing) return;
    deposed = true;
    logger.warn({ url, id, reason }, 'lost leadership: this master stops serving');
    // Stop answering at once; the fence already refuses its writes.
    const master = running;
    running = null;
    void master?.close().catch(() => undefined);
    options.onDeposed(reason);
  }

  election.start();
  logger.info({ url, id, etcd: options.endpoints, prefix }, 'ha master listening (following until elected)');
  return {
    id,
    url,
    election,
    master: () => running,
    async close() {
      closing = true;
      const master = running;
      running = null;
      await master?.close();
      await follower?.close();
      await election!.stop();
      client.close();
    },
  };
}
