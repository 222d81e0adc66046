/**
 * The phases of the fleet-load benchmark, each returning its figures:
 * reservations, volumes, weights and quota set by an operator (what the
 * failover must keep); schedulers launching their budget of tasks; the
 * store's write counters and largest value; and a killed leader, timed from
 * the kill to the successor serving offers, every agent back and every task
 * reconciled, then checked for lost or duplicated tasks and reservations.
 */
import type { Etcd3 } from 'etcd3';
import { createEtcdClient } from '../../adapters/src/ha/etcdClient.js';
import type { FleetLoadParameters } from '../fleetLoad.js';
import type { JsonHttp } from './jsonHttp.js';
import type { TaskCheck } from './loadChecks.js';
import { checkTasks, registryDifferences, registrySnapshot } from './loadChecks.js';
import type { LoadCluster } from './loadCluster.js';
import { ETCD_PREFIX, metricValue } from './loadCluster.js';
import { LoadScheduler } from './loadScheduler.js';
import { waitFor } from './processes.js';

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LaunchFigures {
  launched: number;
  seconds: number;
  launchesPerSecond: number;
  launchLatencyMs: Percentiles;
  acceptLatencyMs: Percentiles;
  acknowledgeLatencyMs: Percentiles;
  callFailures: number;
}

export interface StoreFigures {
  bytesWritten: number | null;
  writes: number | null;
  bytesPerLaunch: number | null;
  writesPerLaunch: number | null;
  largestValueBytes: number | null;
  largestValueKey: string | null;
  keys: number | null;
  storedBytes: number | null;
  masterRssMb: number | null;
}

export interface FailoverFigures {
  /** Wall-clock ms of the kill, to line the masters' logs up with the figures below. */
  killedAtMs: number;
  leaderServingSeconds: number;
  offersServedSeconds: number;
  agentsBackSeconds: number;
  reconciledSeconds: number;
  tasks: TaskCheck;
  tasksBeforeKill: TaskCheck;
  reconcileMismatches: number;
  registryDifferences: string[];
  /** Lost + duplicated + unexpected tasks, mismatched reconciliation answers and registry differences. */
  problems: number;
}

export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted.length === 0 ? Number.NaN : Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * q) - 1)] * 10) / 10;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: at(1) };
}

async function operator(http: JsonHttp, origin: string, call: Record<string, unknown>): Promise<void> {
  const answer = await http.call(origin, '/api/v1', call);
  if (answer.status !== 200 && answer.status !== 202)
    throw new Error(`${String(call.type)} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
}

/** Reservations (and every fifth agent a volume), a weight and a quota: registry state the failover must keep. */
export async function prepareRegistry(http: JsonHttp, leader: string, count: number): Promise<string[]> {
  const agentIds: string[] = [];
  const dynamic = [{ type: 'DYNAMIC', role: 'reserved' }];
  for (let index = 0; index < count; index++) {
    const agentId = { value: `bench-${index}` };
    agentIds.push(agentId.value);
    const resources = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: dynamic },
      { name: 'disk', type: 'SCALAR', scalar: { value: 1024 }, reservations: dynamic },
    ];
    await operator(http, leader, { type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: agentId, resources } });
    if (index % 5 === 0) {
      const volume = { ...resources[1], disk: { persistence: { id: `vol-${index}` }, volume: { container_path: 'data', mode: 'RW' } } };
      await operator(http, leader, { type: 'CREATE_VOLUMES', create_volumes: { agent_id: agentId, volumes: [volume] } });
    }
  }
  await operator(http, leader, { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'reserved', weight: 2 }] } });
  await operator(http, leader, {
    type: 'UPDATE_QUOTA',
    update_quota: { quota_configs: [{ role: 'quota', guarantees: { cpus: { value: 1 } } }] },
  });
  return agentIds;
}

export interface LaunchRun {
  figures: LaunchFigures;
  launched: number;
  baseline: { bytes: number | null; writes: number | null };
}

export async function runLaunches(
  http: JsonHttp,
  cluster: LoadCluster,
  leader: string,
  parameters: FleetLoadParameters,
  timeoutMs: number,
  progress: (message: string) => void,
): Promise<LaunchRun> {
  const baseline = await storeCounters(http, leader);
  const perFramework = Math.ceil(parameters.tasks / parameters.frameworks);
  for (let index = 0; index < parameters.frameworks; index++) {
    const tasks = Math.min(perFramework, parameters.tasks - index * perFramework);
    if (tasks <= 0) break;
    cluster.schedulers.push(
      new LoadScheduler({
        http,
        origins: cluster.origins,
        name: `fw${index}`,
        role: `load${index % 4}`,
        tasks,
        cpus: parameters.taskCpus,
        memMb: parameters.taskMemMb,
      }),
    );
  }
  for (const scheduler of cluster.schedulers) scheduler.start();
  let lastReport = Date.now();
  await waitFor(
    () => {
      const acked = cluster.schedulers.reduce((sum, scheduler) => sum + scheduler.runningAcked, 0);
      if (Date.now() - lastReport > 5000) {
        lastReport = Date.now();
        const failures = cluster.schedulers.reduce((sum, scheduler) => sum + scheduler.callFailures, 0);
        const last = cluster.schedulers.map((scheduler) => scheduler.lastFailure).find((failure) => failure !== null);
        progress(
          `${acked} of ${parameters.tasks} tasks RUNNING and acknowledged${failures > 0 ? `; ${failures} calls refused (last: ${last})` : ''}`,
        );
      }
      return cluster.schedulers.every((scheduler) => scheduler.done) ? true : null;
    },
    `all ${parameters.tasks} tasks RUNNING and acknowledged`,
    timeoutMs,
    100,
  );
  const schedulers = cluster.schedulers;
  const launched = schedulers.reduce((sum, scheduler) => sum + scheduler.runningAcked, 0);
  const first = Math.min(...schedulers.map((scheduler) => scheduler.firstAcceptAtMs));
  const last = Math.max(...schedulers.map((scheduler) => scheduler.lastRunningAckAtMs));
  const seconds = (last - first) / 1000;
  const figures: LaunchFigures = {
    launched,
    seconds: Math.round(seconds * 100) / 100,
    launchesPerSecond: Math.round(launched / seconds),
    launchLatencyMs: percentiles(schedulers.flatMap((scheduler) => scheduler.launchLatencyMs)),
    acceptLatencyMs: percentiles(schedulers.flatMap((scheduler) => scheduler.acceptLatencyMs)),
    acknowledgeLatencyMs: percentiles(schedulers.flatMap((scheduler) => scheduler.acknowledgeLatencyMs)),
    callFailures: schedulers.reduce((sum, scheduler) => sum + scheduler.callFailures, 0),
  };
  progress(`${launched} tasks in ${figures.seconds} s: ${figures.launchesPerSecond} launches/s`);
  return { figures, launched, baseline };
}

async function storeCounters(
  http: JsonHttp,
  leader: string,
): Promise<{ bytes: number | null; writes: number | null; valueMax: number | null; rss: number | null }> {
  const metrics = await http.get(leader, '/metrics', 60_000);
  return {
    bytes: metricValue(metrics.body, 'allot_store_bytes_written_total'),
    writes: metricValue(metrics.body, 'allot_store_writes_total'),
    valueMax: metricValue(metrics.body, 'allot_store_value_bytes_max'),
    rss: metricValue(metrics.body, 'allot_master_process_resident_memory_bytes'),
  };
}

export async function measureStore(http: JsonHttp, cluster: LoadCluster, leader: string, run: LaunchRun): Promise<StoreFigures> {
  const after = await storeCounters(http, leader);
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : a - b);
  const bytesWritten = delta(after.bytes, run.baseline.bytes);
  const writes = delta(after.writes, run.baseline.writes);
  const perLaunch = (value: number | null) => (value === null ? null : Math.round((value / run.launched) * 100) / 100);
  const figures: StoreFigures = {
    bytesWritten,
    writes,
    bytesPerLaunch: perLaunch(bytesWritten),
    writesPerLaunch: perLaunch(writes),
    largestValueBytes: after.valueMax,
    largestValueKey: null,
    keys: null,
    storedBytes: null,
    masterRssMb: after.rss === null ? null : Math.round(after.rss / 2 ** 20),
  };
  if (cluster.etcd) Object.assign(figures, await etcdContents(cluster.etcd.endpoint));
  return figures;
}

/** Every key under the benchmark's prefix: how many, how big in total, and the largest value. */
async function etcdContents(
  endpoint: string,
): Promise<Pick<StoreFigures, 'largestValueBytes' | 'largestValueKey' | 'keys' | 'storedBytes'>> {
  const client: Etcd3 = createEtcdClient([endpoint]);
  try {
    const all = await client.getAll().prefix(ETCD_PREFIX).buffers();
    let largestValueBytes = 0;
    let largestValueKey = '';
    let storedBytes = 0;
    for (const [key, value] of Object.entries(all)) {
      storedBytes += value.length;
      if (value.length > largestValueBytes) [largestValueBytes, largestValueKey] = [value.length, key];
    }
    return { largestValueBytes, largestValueKey, keys: Object.keys(all).length, storedBytes };
  } finally {
    client.close();
  }
}

export async function runFailover(
  http: JsonHttp,
  cluster: LoadCluster,
  leader: string,
  reservedAgents: readonly string[],
  launches: LaunchRun,
  timeoutMs: number,
  progress: (message: string) => void,
): Promise<FailoverFigures> {
  void launches;
  const schedulers = cluster.schedulers;
  const expected = new Set<string>();
  for (const scheduler of schedulers)
    for (const [taskId, task] of scheduler.tasks) if (task.runningAcked) expected.add(`${scheduler.frameworkId}/${taskId}`);
  const tasksBeforeKill = await checkTasks(http, leader, expected);
  const registryBefore = await registrySnapshot(http, leader, reservedAgents);
  const agents = cluster.fleetStats!.agents;
  const resubscriptionsBefore = cluster.fleetStats!.counters.resubscriptions;
  const subscriptionsBefore = schedulers.map((scheduler) => scheduler.subscriptions);
  progress(`killing the leader ${leader} (SIGKILL)`);
  const killedAt = Date.now();
  cluster.killMaster(leader);
  const seconds = (at: number) => Math.round((at - killedAt) / 10) / 100;
  const resubscribed = () => schedulers.every((scheduler, index) => scheduler.subscriptions > subscriptionsBefore[index]);
  const [successor, offersAt, agentsAt, reconciledAt] = await Promise.all([
    cluster.leader(timeoutMs, leader).then((origin) => ({ origin, at: Date.now() })),
    waitFor(
      () => {
        const times = schedulers
          .filter((_, index) => _.subscriptions > subscriptionsBefore[index])
          .map((scheduler) => scheduler.firstOffersAtMs);
        const served = times.filter((at) => !Number.isNaN(at));
        return served.length > 0 ? Math.min(...served) : null;
      },
      'offers from the new leader',
      timeoutMs,
      20,
    ),
    cluster
      .whenFleet(
        (stats) => stats.phases.subscribed === agents && stats.counters.resubscriptions >= resubscriptionsBefore + agents,
        'every agent back',
        timeoutMs,
      )
      .then(() => Date.now()),
    waitFor(
      () =>
        resubscribed() && schedulers.every((scheduler) => !Number.isNaN(scheduler.reconciledAtMs))
          ? Math.max(...schedulers.map((s) => s.reconciledAtMs))
          : null,
      'reconciliation',
      timeoutMs,
      50,
    ),
  ]);
  progress(
    `new leader ${successor.origin}: serving ${seconds(successor.at)} s, offers ${seconds(offersAt)} s, agents back ${seconds(agentsAt)} s`,
  );
  const tasks = await checkTasks(http, successor.origin, expected);
  const registryAfter = await registrySnapshot(http, successor.origin, reservedAgents);
  const differences = registryDifferences(registryBefore, registryAfter);
  const reconcileMismatches = schedulers.reduce((sum, scheduler) => sum + scheduler.reconcileMismatches.size, 0);
  return {
    killedAtMs: killedAt,
    leaderServingSeconds: seconds(successor.at),
    offersServedSeconds: seconds(offersAt),
    agentsBackSeconds: seconds(agentsAt),
    reconciledSeconds: seconds(reconciledAt),
    tasks,
    tasksBeforeKill,
    reconcileMismatches,
    registryDifferences: differences.slice(0, 20),
    problems: tasks.lost + tasks.duplicated + tasks.unexpected + reconcileMismatches + differences.length,
  };
}
