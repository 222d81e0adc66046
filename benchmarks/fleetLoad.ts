/**
 * The master's state at datacenter scale, end to end on real processes: etcd,
 * three HA masters and a fleet of simulated agents (`allot fleet`), with
 * schedulers in this process launching tasks until every one is RUNNING and
 * acknowledged. Reports launches per second (ACCEPT sent to the RUNNING
 * acknowledgement answered), scheduler call latency, bytes written to the
 * store per launch, the largest stored value, the leader's RSS; then kills
 * the leader and times the successor (serving offers, every agent back,
 * reconciliation complete), and checks that no task or reservation was lost
 * or duplicated.
 *
 *   npx allot bench fleet-load [--quick] [--json] -- [--agents 10000 --tasks 100000 ...]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchmarkOptions } from './lib/benchmarkArgs.js';
import { integerOption, parseBenchmarkArgs, positiveNumberOption, UsageError } from './lib/benchmarkArgs.js';
import { JsonHttp } from './lib/jsonHttp.js';
import { LoadCluster } from './lib/loadCluster.js';
import { prepareRegistry, measureStore, runFailover, runLaunches } from './lib/loadPhases.js';
import type { FailoverFigures, LaunchFigures, StoreFigures } from './lib/loadPhases.js';
import { loadAverage1m, machineInfo } from './lib/machine.js';
import { etcdMissing } from './lib/processes.js';

export interface FleetLoadParameters {
  agents: number;
  tasks: number;
  frameworks: number;
  masters: number;
  store: 'etcd' | 'file';
  taskCpus: number;
  taskMemMb: number;
  agentResources: string;
  reservations: number;
  failover: boolean;
  timeoutMinutes: number;
  keep: boolean;
}

export interface FleetLoadReport {
  benchmark: 'fleet-load';
  parameters: FleetLoadParameters;
  machine: ReturnType<typeof machineInfo> & { loadAverage1mAtEnd: number };
  registerAgentsSeconds: number;
  /** Leaders that lost their lease during the run, before the planned kill (each is an unplanned failover). */
  stepDownsUnderLoad: number;
  launches: LaunchFigures;
  store: StoreFigures;
  masterRssMb: number | null;
  fleetRssKbPerAgent: number | null;
  failover: FailoverFigures | null;
  targets: Record<string, { target: string; measured: number | null; met: boolean | null }>;
  anchors: string[];
  logs: string | null;
}

const ANCHORS = [
  'Mesos production clusters: 35,000+ agents and 100,000+ active tasks (Mesos performance working group report, Dec 2017)',
  "Mesos's master failover benchmark: 1,000-40,000 agents with 10 active tasks each re-registering; its results are published only as graphs",
  'Mesos keeps only the registry (agents admitted, unreachable, gone; weights; quota; maintenance) in its replicated log; tasks come back from agents',
  'ZooKeeper znodes are limited to 1 MB; etcd requests to 1.5 MiB by default (--max-request-bytes)',
  'Mesos publishes no end-to-end launch rate for its master; its agent launches ~1,000 containers in ~30 s (Mesos 1.7 blog)',
];

const USAGE = `--agents N           simulated agents (default 10000; --quick: 50)
   --tasks N            tasks to launch (default 100000; --quick: 1000)
   --frameworks N       schedulers (default 10; --quick: 2)
   --masters N          HA masters (default 3)
   --store etcd|file    the masters' store (default etcd)
   --task-cpus X        cpus per task (default 0.25)
   --task-mem MB        mem per task (default 256)
   --agent-resources S  each agent's resources (default "cpus:8;mem:16384;disk:100000;ports:[31000-32000]")
   --reservations N     agents with a reservation (default 100; --quick: 5)
   --timeout-minutes X  give up after this long (default 30; --quick: 3)
   --no-failover        skip the leader kill
   --keep               keep the work directory and logs`;

/** The parameters from the options (strict, like every benchmark's: a usage error names what was wrong), and --json. */
export function parseParameters(options: BenchmarkOptions): FleetLoadParameters & { json: boolean } {
  const string = { type: 'string' } as const;
  const { values, json, quick } = parseBenchmarkArgs(
    'fleet-load',
    options,
    {
      agents: string,
      tasks: string,
      frameworks: string,
      masters: string,
      store: string,
      'task-cpus': string,
      'task-mem': string,
      'agent-resources': string,
      reservations: string,
      'timeout-minutes': string,
      'no-failover': { type: 'boolean' },
      keep: { type: 'boolean' },
    },
    USAGE,
  );
  const whole = (flag: string, fallback: number, min = 1) => {
    const text = values[flag as keyof typeof values] as string | undefined;
    return text === undefined ? fallback : integerOption(text, `--${flag}`, min);
  };
  const positive = (flag: string, fallback: number) => {
    const text = values[flag as keyof typeof values] as string | undefined;
    return text === undefined ? fallback : positiveNumberOption(text, `--${flag}`);
  };
  const store = values.store ?? 'etcd';
  if (store !== 'etcd' && store !== 'file') throw new UsageError(`--store must be etcd or file, got "${store}"`);
  const parameters: FleetLoadParameters = {
    agents: whole('agents', quick ? 50 : 10_000),
    tasks: whole('tasks', quick ? 1000 : 100_000),
    frameworks: whole('frameworks', quick ? 2 : 10),
    masters: whole('masters', 3),
    store,
    taskCpus: positive('task-cpus', 0.25),
    taskMemMb: positive('task-mem', 256),
    agentResources: values['agent-resources'] ?? 'cpus:8;mem:16384;disk:100000;ports:[31000-32000]',
    reservations: whole('reservations', quick ? 5 : 100, 0),
    failover: values['no-failover'] !== true,
    timeoutMinutes: positive('timeout-minutes', quick ? 3 : 30),
    keep: values.keep === true,
  };
  parameters.reservations = Math.min(parameters.reservations, parameters.agents);
  return { ...parameters, json };
}

export async function runFleetLoad(options: BenchmarkOptions): Promise<FleetLoadReport> {
  const { json, ...parameters } = parseParameters(options);
  if (parameters.store === 'etcd') {
    const missing = etcdMissing();
    if (missing) throw new UsageError(`fleet-load needs etcd: ${missing}`);
  }
  const machine = machineInfo();
  const runDir = mkdtempSync(join(tmpdir(), 'allot-fleet-load-'));
  const http = new JsonHttp(256);
  const nodeArgs = (name: string) => (process.env[name] ?? '').split(' ').filter((arg) => arg.length > 0);
  const cluster = new LoadCluster({
    runDir,
    store: parameters.store,
    masters: parameters.masters,
    agents: parameters.agents,
    agentResources: parameters.agentResources,
    http,
    masterNodeArgs: nodeArgs('FLEET_LOAD_MASTER_NODE_ARGS'),
    fleetNodeArgs: nodeArgs('FLEET_LOAD_FLEET_NODE_ARGS'),
  });
  const progress = (message: string) => {
    if (!json || process.stderr.isTTY) process.stderr.write(`fleet-load: ${message}\n`);
  };
  const timeoutMs = parameters.timeoutMinutes * 60_000;
  let report: FleetLoadReport;
  try {
    progress(`starting ${parameters.store === 'etcd' ? 'etcd and ' : ''}${parameters.masters} masters (run dir ${runDir})`);
    await cluster.startMasters();
    const registerStartedAt = performance.now();
    cluster.startFleet('bench');
    await cluster.whenFleet(
      (stats) => stats.phases.subscribed === parameters.agents,
      `all ${parameters.agents} agents subscribed`,
      timeoutMs,
    );
    const registerAgentsSeconds = (performance.now() - registerStartedAt) / 1000;
    progress(`${parameters.agents} agents registered in ${registerAgentsSeconds.toFixed(1)} s; reserving on ${parameters.reservations}`);
    const reservedAgents = await prepareRegistry(http, await cluster.leader(10_000), parameters.reservations);
    const launches = await runLaunches(http, cluster, await cluster.leader(10_000), parameters, timeoutMs, progress);
    // A leader that lost its lease under load (exit 75) handed over by itself: counted, and the run goes on with the successor.
    const stepDownsUnderLoad = cluster.exitedMasters();
    if (stepDownsUnderLoad > 0) progress(`${stepDownsUnderLoad} master(s) stepped down during the run (see the logs)`);
    const leader = await cluster.leader(60_000);
    const store = await measureStore(http, cluster, leader, launches);
    const fleetStats = cluster.fleetStats;
    const failover = parameters.failover ? await runFailover(http, cluster, leader, reservedAgents, launches, timeoutMs, progress) : null;
    report = {
      benchmark: 'fleet-load',
      parameters,
      machine: { ...machine, loadAverage1mAtEnd: loadAverage1m() },
      registerAgentsSeconds: round(registerAgentsSeconds),
      stepDownsUnderLoad,
      launches: launches.figures,
      store,
      masterRssMb: store.masterRssMb,
      fleetRssKbPerAgent: fleetStats ? round(fleetStats.rssBytesPerAgent / 1024) : null,
      failover,
      targets: targets(launches.figures, store, failover),
      anchors: ANCHORS,
      logs: parameters.keep ? runDir : null,
    };
  } finally {
    for (const scheduler of cluster.schedulers) scheduler.close();
    await cluster.stop();
    http.close();
    if (!parameters.keep) rmSync(runDir, { recursive: true, force: true });
  }
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : describe(report));
  return report;
}

function targets(launches: LaunchFigures, store: StoreFigures, failover: FailoverFigures | null): FleetLoadReport['targets'] {
  const check = (target: string, measured: number | null, met: (value: number) => boolean) => ({
    target,
    measured,
    met: measured === null ? null : met(measured),
  });
  return {
    launchesPerSecond: check('>= 2000 end-to-end launches/s', launches.launchesPerSecond, (value) => value >= 2000),
    largestStoredValueBytes: check('<= 100 KB', store.largestValueBytes, (value) => value <= 100 * 1024),
    offersAfterFailoverSeconds: check('<= 3 s', failover?.offersServedSeconds ?? null, (value) => value <= 3),
    agentsBackSeconds: check('<= 30 s', failover?.agentsBackSeconds ?? null, (value) => value <= 30),
    nothingLost: check('0 tasks or reservations lost or duplicated', failover ? failover.problems : null, (value) => value === 0),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function describe(report: FleetLoadReport): string {
  const p = report.parameters;
  const lines = [
    `${p.agents} agents, ${p.tasks} tasks, ${p.frameworks} frameworks, ${p.masters} masters on ${p.store} (load average ${report.machine.loadAverage1mAtStart} -> ${report.machine.loadAverage1mAtEnd})`,
    `agents registered in ${report.registerAgentsSeconds} s; ${report.stepDownsUnderLoad} unplanned step-downs; fleet ${report.fleetRssKbPerAgent ?? '?'} KB RSS per agent; leader RSS ${report.masterRssMb ?? '?'} MB`,
    `launches: ${report.launches.launchesPerSecond} /s end to end; launch p50 ${report.launches.launchLatencyMs.p50} ms, p99 ${report.launches.launchLatencyMs.p99} ms`,
    `calls: ACCEPT p50 ${report.launches.acceptLatencyMs.p50} / p99 ${report.launches.acceptLatencyMs.p99} ms; ACKNOWLEDGE p50 ${report.launches.acknowledgeLatencyMs.p50} / p99 ${report.launches.acknowledgeLatencyMs.p99} ms`,
    `store: ${report.store.bytesPerLaunch ?? '?'} bytes and ${report.store.writesPerLaunch ?? '?'} writes per launch; largest value ${report.store.largestValueBytes ?? '?'} bytes (${report.store.largestValueKey ?? '?'}), ${report.store.keys ?? '?'} keys`,
  ];
  const f = report.failover;
  if (f)
    lines.push(
      `failover: leader ${f.leaderServingSeconds} s, offers ${f.offersServedSeconds} s, all agents back ${f.agentsBackSeconds} s, reconciled ${f.reconciledSeconds} s`,
      `check: ${f.tasks.expected} expected, ${f.tasks.running} running, ${f.tasks.lost} lost, ${f.tasks.duplicated} duplicated, ${f.tasks.unexpected} unexpected; registry differences ${f.registryDifferences.length}${f.tasks.examples.length ? ` (${f.tasks.examples.join(', ')})` : ''}`,
    );
  for (const [name, target] of Object.entries(report.targets))
    lines.push(
      `target ${name}: ${target.target}, measured ${target.measured ?? '-'} -> ${target.met === null ? 'not measured' : target.met ? 'met' : 'NOT met'}`,
    );
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  runFleetLoad({
    json: argv.includes('--json'),
    quick: argv.includes('--quick'),
    argv: argv.filter((arg) => arg !== '--json' && arg !== '--quick'),
  }).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
