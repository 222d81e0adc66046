/**
 * `allot fork --master URL [--service URL...] [--out scenario.json]`: the live cluster as a
 * scenario (kernel/src/sim/fork/forkScenario.ts) that `allot simulate` and the
 * playground run, what-if flags included; each `--service` (an `allot service
 * run` API) forks its service with its spec and its scheduler's state. What the fork could not carry over
 * exactly is printed on stderr.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { forkScenario, formatScenarioErrors, parseScenario } from '@allot/kernel';
import type { MasterAccess } from '../fork/operatorClient.js';
import { getJson, operatorCall } from '../fork/operatorClient.js';
import { EXIT_CODES_HELP, UsageError } from './exitCodes.js';
import { parseNonNegativeMs } from './flagValues.js';

interface ForkFlags {
  master: string;
  out?: string;
  token?: string;
  basic?: string;
  duration?: number;
  service: string[];
  marathon: string[];
}

export function registerForkCommand(program: Command): void {
  program
    .command('fork')
    .description(
      'write a live cluster (agents, roles, frameworks, running tasks; SDK services and Marathon apps with their state) as a scenario for allot simulate',
    )
    .requiredOption('--master <url>', "the master's URL")
    .option('--out <file>', 'write the scenario here (default: stdout)')
    .option('--token <token>', 'bearer token of an operator allowed GET_STATE and GET_ROLES')
    .option('--basic <principal:secret>', 'HTTP basic credentials instead of --token')
    .option('--duration <ms>', 'how long the scenario runs (default 600000)', parseNonNegativeMs)
    .option(
      '--service <url>',
      'an `allot service run` API: its service forks with its spec and plan state (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      '--marathon <url>',
      'an `allot marathon run` API: its apps fork with their instances and deployments (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .addHelpText(
      'after',
      `\nExamples:\n  allot fork --master http://127.0.0.1:5050 --out fork.json\n  allot fork --master http://127.0.0.1:5050 --service http://127.0.0.1:8080 --out fork.json\n  allot simulate fork.json --drain agent-3 --quota web=cpus:40\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (flags: ForkFlags) => {
      await runFork(flags);
    });
}

async function runFork(flags: ForkFlags): Promise<void> {
  const access: MasterAccess = {
    url: flags.master,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.basic ? { basic: flags.basic } : {}),
  };
  const state = await operatorCall(access, 'GET_STATE');
  if (!state.ok) throw new UsageError(state.message, 1);
  const roles = await operatorCall(access, 'GET_ROLES');
  if (!roles.ok) throw new UsageError(roles.message, 1);
  // Task durations and declines as observed (GET /fork/history); a master without it forks without them.
  const history = await getJson(access, '/fork/history');
  const services = [];
  for (const url of flags.service) {
    // The service's state store (GET /v1/state/snapshot, allot's own path beside DC/OS Commons's).
    const answer = await getJson({ url }, '/v1/state/snapshot');
    if (!answer.ok) throw new UsageError(`--service ${url}: ${answer.message}`, 1);
    services.push({ url, answer: answer.value });
  }
  const marathons = [];
  for (const url of flags.marathon) {
    // The model's store (GET /v2/state/snapshot, allot's own path beside Marathon's).
    const answer = await getJson({ url }, '/v2/state/snapshot');
    if (!answer.ok) throw new UsageError(`--marathon ${url}: ${answer.message}`, 1);
    marathons.push({ url, answer: answer.value });
  }
  const { scenario, notes } = forkScenario({
    state: state.value.get_state,
    roles: roles.value.get_roles,
    masterUrl: flags.master,
    history: history.ok ? history.value : null,
    services,
    marathons,
    ...(flags.duration !== undefined ? { durationMs: flags.duration } : {}),
  });
  const parsed = parseScenario(scenario);
  if (!parsed.ok)
    throw new Error(`the fork of ${flags.master} is not a valid scenario (a bug in allot fork):\n${formatScenarioErrors(parsed.errors)}`);
  const text = `${JSON.stringify(scenario, null, 2)}\n`;
  if (flags.out) writeFileSync(flags.out, text);
  else process.stdout.write(text);
  const tasks = parsed.scenario.agents.reduce((sum, agent) => sum + (agent.tasks?.length ?? 0), 0);
  process.stderr.write(
    `forked ${flags.master}: ${parsed.scenario.agents.length} agents, ${parsed.scenario.roles.length} roles, ${parsed.scenario.frameworks.length} frameworks, ${tasks} running tasks${flags.out ? ` -> ${flags.out}` : ''}\n`,
  );
  if (!history.ok) process.stderr.write(`  note: no history from the master (${history.message})\n`);
  for (const note of notes) process.stderr.write(`  note: ${note}\n`);
}
