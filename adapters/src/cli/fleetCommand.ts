/**
 * `allot fleet`: N simulated agents in one process against a real master
 * (adapters/src/fleet), for load tests and for sizing a cluster. Prints a
 * status line every `--stats-interval` seconds (JSON lines with `--json`)
 * until SIGINT/SIGTERM; agents the master refused for good are listed.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { FleetStats } from '../fleet/fleet.js';
import { DEFAULT_FLEET_RESOURCES, Fleet } from '../fleet/fleet.js';
import { parseSeconds, untilSignal } from './daemonFlags.js';
import { UsageError } from './exitCodes.js';

interface FleetFlags {
  master?: string;
  agents: number;
  resources: string;
  attributes?: string;
  taskDuration?: number;
  idPrefix?: string;
  secret?: string;
  connectConcurrency: number;
  statsInterval: number;
  json?: boolean;
}

function parseWhole(max: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!/^\d+$/.test(text.trim()) || value < 1 || value > max)
      throw new InvalidArgumentError(`expected a whole number 1..${max}, got "${text}".`);
    return value;
  };
}

function parseMs(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value))
    throw new InvalidArgumentError(`expected milliseconds >= 0, got "${text}".`);
  return value;
}

export function registerFleetCommand(program: Command): void {
  program
    .command('fleet')
    .description('run N simulated agents in one process against a real master (tasks are timers, not processes)')
    .option('--master <url>', 'the master, e.g. http://127.0.0.1:5050 (HA masters: several, comma-separated)')
    .option('--agents <n>', 'how many agents', parseWhole(100_000), 100)
    .option('--resources <spec>', 'resources of every agent, Mesos syntax', DEFAULT_FLEET_RESOURCES)
    .option('--attributes <spec>', 'attributes of every agent, e.g. "rack:r1;zone:a"')
    .option('--task-duration <ms>', 'tasks finish after this long (default: they run until killed)', parseMs)
    .option('--id-prefix <prefix>', 'agent ids are PREFIX-0 .. PREFIX-(N-1); reuse it to bring the same agents back (default: random)')
    .option('--secret <secret>', 'shared secret the master expects (default: none)')
    .option('--connect-concurrency <n>', 'subscriptions opened at a time', parseWhole(10_000), 64)
    .option('--stats-interval <seconds>', 'seconds between status lines', parseSeconds, 5)
    .option('--json', 'status lines as JSON')
    .action(async (flags: FleetFlags) => {
      await runFleet(flags);
    });
}

async function runFleet(flags: FleetFlags): Promise<void> {
  if (!flags.master) throw new UsageError('--master: the master URL is required, e.g. --master http://127.0.0.1:5050');
  const created = Fleet.create({
    masterUrl: flags.master,
    agents: flags.agents,
    resources: flags.resources,
    ...(flags.attributes !== undefined ? { attributes: flags.attributes } : {}),
    taskDurationMs: flags.taskDuration ?? null,
    ...(flags.idPrefix !== undefined ? { idPrefix: flags.idPrefix } : {}),
    secret: flags.secret ?? null,
    connectConcurrency: flags.connectConcurrency,
  });
  if (!created.ok) throw new UsageError(created.message);
  const fleet = created.fleet;
  fleet.start();
  const print = () => process.stdout.write(`${flags.json ? JSON.stringify(fleet.stats()) : describe(fleet.stats())}\n`);
  const timer = setInterval(print, flags.statsInterval * 1000);
  const signal = await untilSignal();
  clearInterval(timer);
  print();
  fleet.stop();
  for (const [agentId, reason] of [...fleet.stopReasons].slice(0, 20)) process.stderr.write(`agent ${agentId} stopped: ${reason}\n`);
  if (!flags.json) process.stdout.write(`fleet stopped (${signal})\n`);
}

function describe(stats: FleetStats): string {
  const { phases, counters } = stats;
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  return (
    `fleet: ${stats.agents} agents (${phases.subscribed} subscribed, ${phases.connecting} connecting, ${phases.waiting} waiting, ${phases.stopped} stopped); ` +
    `${stats.liveTasks} live tasks, ${stats.pendingUpdates} updates in flight; launches ${counters.launches}, updates ${counters.updatesSent}, ` +
    `re-subscriptions ${counters.resubscriptions}; RSS ${mb(stats.rssBytes)} (${(stats.rssBytesPerAgent / 1024).toFixed(1)} KB per agent)`
  );
}
