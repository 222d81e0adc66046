/**
 * The cluster a load benchmark runs against: etcd (or a shared work dir for
 * the file store), several HA `allot master` processes and one `allot fleet`
 * process of simulated agents, all children of the benchmark. Knows which
 * master leads (the one whose /health is not a follower's), can kill it, and
 * follows the fleet's JSON status lines.
 */
import { join } from 'node:path';
import type { FleetStats } from '../../adapters/src/fleet/fleet.js';
import type { JsonHttp } from './jsonHttp.js';
import type { LoadScheduler } from './loadScheduler.js';
import type { Child, EtcdProcess } from './processes.js';
import { freePort, startAllot, startEtcd, waitFor } from './processes.js';

export interface LoadClusterOptions {
  runDir: string;
  store: 'etcd' | 'file';
  masters: number;
  agents: number;
  agentResources: string;
  http: JsonHttp;
  /** Node options for the masters, e.g. ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] (FLEET_LOAD_MASTER_NODE_ARGS). */
  masterNodeArgs?: readonly string[];
  /** Node options for the fleet (FLEET_LOAD_FLEET_NODE_ARGS). */
  fleetNodeArgs?: readonly string[];
}

export const ETCD_PREFIX = '/bench/';

export class LoadCluster {
  etcd: EtcdProcess | null = null;
  readonly masters: Array<{ origin: string; child: Child }> = [];
  fleet: Child | null = null;
  readonly schedulers: LoadScheduler[] = [];
  /** The fleet's latest status line. */
  fleetStats: FleetStats | null = null;
  readonly #options: LoadClusterOptions;
  readonly #fleetListeners = new Set<(stats: FleetStats) => void>();

  constructor(options: LoadClusterOptions) {
    this.#options = options;
  }

  get origins(): string[] {
    return this.masters.map((master) => master.origin);
  }

  async startMasters(): Promise<void> {
    const { runDir, store } = this.#options;
    if (store === 'etcd') this.etcd = await startEtcd(runDir);
    const storeArgs =
      store === 'etcd'
        ? ['--store', 'etcd', '--etcd', this.etcd!.endpoint, '--etcd-prefix', ETCD_PREFIX]
        : ['--store', 'file', '--work-dir', join(runDir, 'master')];
    for (let index = 0; index < this.#options.masters; index++) {
      const port = await freePort();
      const args = [
        'master',
        ...storeArgs,
        '--port',
        String(port),
        // Mesos pings agents every 15 s; a killed leader's sockets close at once anyway.
        '--heartbeat-interval',
        '15',
        '--agent-reregister-timeout',
        '600',
        // Every simulated agent connects from 127.0.0.1: allow them all (the default is 512 per address).
        '--max-connections-per-client',
        String(this.#options.agents + 1000),
        '--log-level',
        process.env.FLEET_LOAD_MASTER_LOG_LEVEL ?? 'warn',
      ];
      const child = startAllot(args, join(runDir, `master-${index}.log`), this.#options.masterNodeArgs);
      this.masters.push({ origin: `http://127.0.0.1:${port}`, child });
    }
    await this.leader(60_000);
  }

  /** The origin of the master that serves as leader (waits for one). */
  async leader(timeoutMs: number, except?: string): Promise<string> {
    return waitFor(
      async () => {
        for (const { origin, child } of this.masters) {
          if (origin === except || child.process.exitCode !== null || child.process.signalCode !== null) continue;
          const health = await this.#options.http.get(origin, '/health', 2000);
          if (health.status !== 200) continue;
          const body = JSON.parse(health.body) as { leading?: boolean; recovering?: boolean };
          if (body.leading !== false && body.recovering === false) return origin;
        }
        return null;
      },
      'a leading master',
      timeoutMs,
      50,
    );
  }

  startFleet(idPrefix: string): void {
    const args = [
      'fleet',
      '--master',
      this.origins.join(','),
      '--agents',
      String(this.#options.agents),
      '--resources',
      this.#options.agentResources,
      '--id-prefix',
      idPrefix,
      '--connect-concurrency',
      '256',
      '--stats-interval',
      '0.25',
      '--json',
    ];
    this.fleet = startAllot(args, join(this.#options.runDir, 'fleet.log'), this.#options.fleetNodeArgs);
    this.fleet.onLine((line) => {
      if (!line.startsWith('{')) return;
      this.fleetStats = JSON.parse(line) as FleetStats;
      for (const listener of this.#fleetListeners) listener(this.fleetStats);
    });
  }

  /** Resolves with the first fleet status line for which `predicate` holds. */
  whenFleet(predicate: (stats: FleetStats) => boolean, what: string, timeoutMs: number): Promise<FleetStats> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fleetListeners.delete(check);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for the fleet: ${what} (last: ${JSON.stringify(this.fleetStats?.phases)})`),
        );
      }, timeoutMs);
      const check = (stats: FleetStats) => {
        if (!predicate(stats)) return;
        clearTimeout(timer);
        this.#fleetListeners.delete(check);
        resolve(stats);
      };
      this.#fleetListeners.add(check);
      if (this.fleetStats) check(this.fleetStats);
    });
  }

  /** Masters whose process has ended (an HA master that loses its lease exits with 75). */
  exitedMasters(): number {
    return this.masters.filter(({ child }) => child.process.exitCode !== null || child.process.signalCode !== null).length;
  }

  killMaster(origin: string): void {
    this.masters.find((master) => master.origin === origin)?.child.process.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.fleet?.kill('SIGTERM', 120_000);
    // A master writing a CPU profile on its way out (FLEET_LOAD_MASTER_NODE_ARGS=--cpu-prof) needs time.
    await Promise.all(this.masters.map((master) => master.child.kill('SIGTERM', 120_000)));
    await this.etcd?.stop();
  }
}

/** One sample of a Prometheus text exposition: `name{labels} value`. */
export function metricValue(text: string, name: string, labels = ''): number | null {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const key = line.slice(0, space);
    if (key === (labels ? `${name}{${labels}}` : name)) return Number(line.slice(space + 1));
  }
  return null;
}
