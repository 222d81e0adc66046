/**
 * `allot service`: `run` starts a service scheduler; `plan`, `pod`,
 * `endpoints` and `update` talk to a running one over its HTTP API
 * (`--url`, default http://127.0.0.1:8080), printing tables, or the API's
 * JSON with `--json`. A control that changes nothing says "already done"
 * (the API's 208) and exits 0; an error answer exits 1 with its message.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { renderTemplate, parseOptions } from '../service/specTemplate.js';
import { specFormatOf } from '../service/serviceSpecFile.js';
import { UsageError } from './exitCodes.js';
import { serviceRequest } from './serviceClient.js';
import { registerServiceRunCommand } from './serviceRunCommand.js';
import { endpointsTable, planTable, plansTable, podTable, podsTable } from './serviceTables.js';

type Json = Record<string, any>;

interface ClientFlags {
  url: string;
  json?: boolean;
}

const DEFAULT_URL = 'http://127.0.0.1:8080';
const collect = (value: string, previous: string[]) => [...previous, value];

export function registerServiceCommand(program: Command): void {
  const service = program.command('service').description('run an SDK service on a cluster, and steer it (plans, pods, endpoints, updates)');
  registerServiceRunCommand(service);
  registerPlanCommands(service);
  registerPodCommands(service);
  client(service.command('endpoints').description('list the advertised endpoints, or show one').argument('[name]')).action(
    async (name: string | undefined, flags: ClientFlags) => {
      if (name !== undefined) {
        const answer = await serviceRequest(flags.url, 'GET', `/v1/endpoints/${encodeURIComponent(name)}`);
        return print(flags, answer.body, () => endpointsTable([{ name, endpoint: answer.body as Json }]));
      }
      const names = (await serviceRequest(flags.url, 'GET', '/v1/endpoints')).body as string[];
      const all = await Promise.all(
        names.map(async (endpoint) => ({
          name: endpoint,
          endpoint: (await serviceRequest(flags.url, 'GET', `/v1/endpoints/${encodeURIComponent(endpoint)}`)).body as Json,
        })),
      );
      print(flags, Object.fromEntries(all.map(({ name: endpoint, endpoint: value }) => [endpoint, value])), () => endpointsTable(all));
    },
  );
  client(service.command('update').description('roll a new SPEC out through the deploy plan (refused changes say why)').argument('<spec>'))
    .option('--option <key=value>', 'a {{KEY}} value of the spec (repeatable; the environment fills the rest)', collect, [])
    .action(async (specPath: string, flags: ClientFlags & { option: string[] }) => {
      const options = parseOptions(flags.option);
      if (!options.ok) throw new UsageError(options.message);
      let text: string;
      try {
        text = readFileSync(specPath, 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${specPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      const rendered = renderTemplate(text, (name) => options.values[name] ?? process.env[name]);
      if (!rendered.ok) throw new UsageError(`${basename(specPath)}: ${rendered.errors.join('\n  ')}`);
      const contentType = specFormatOf(specPath) === 'json' ? 'application/json' : 'application/x-yaml';
      const answer = await serviceRequest(flags.url, 'PUT', '/v1/configurations/target', { text: rendered.text, contentType });
      print(flags, answer.body, () => `${(answer.body as Json).message}\n`);
    });
}

function client(command: Command): Command {
  return command.option('--url <url>', 'the service scheduler', DEFAULT_URL).option('--json', 'print the API JSON');
}

function print(flags: { json?: boolean }, body: unknown, human: () => string): void {
  process.stdout.write(flags.json ? `${JSON.stringify(body, null, 2)}\n` : human());
}

function registerPlanCommands(service: Command): void {
  const plan = service.command('plan').description('list, show and steer plans');
  client(plan.command('list').description('every plan with its status')).action(async (flags: ClientFlags) => {
    const names = (await serviceRequest(flags.url, 'GET', '/v1/plans')).body as string[];
    const plans = await Promise.all(
      names.map(async (name) => ({ name, plan: (await serviceRequest(flags.url, 'GET', `/v1/plans/${name}`)).body as Json })),
    );
    print(flags, names, () => plansTable(plans));
  });
  client(plan.command('show').description('a plan with its phases and steps').argument('<plan>')).action(
    async (name: string, flags: ClientFlags) => {
      const answer = await serviceRequest(flags.url, 'GET', `/v1/plans/${encodeURIComponent(name)}`, undefined, [417]);
      print(flags, answer.body, () => planTable(name, answer.body as Json));
    },
  );
  const controls: Array<[string, string, string, boolean]> = [
    ['interrupt', 'interrupt', 'stop a plan (or --phase) before its next step', false],
    ['continue', 'continue', 'go on with an interrupted plan (or --phase), or let the next canary step go', false],
    ['restart', 'restart', 'run a plan, --phase or --step again', true],
    ['force-complete', 'forceComplete', 'mark a plan, --phase or --step complete', true],
  ];
  for (const [command, path, description, takesStep] of controls) {
    const sub = client(plan.command(command).description(description).argument('<plan>')).option('--phase <phase>', 'a phase (name or id)');
    if (takesStep) sub.option('--step <step>', 'a step of --phase (name or id)');
    sub.action(async (name: string, flags: ClientFlags & { phase?: string; step?: string }) => {
      const query = new URLSearchParams({
        ...(flags.phase ? { phase: flags.phase } : {}),
        ...(flags.step ? { step: flags.step } : {}),
      }).toString();
      await control(flags, `/v1/plans/${encodeURIComponent(name)}/${path}${query ? `?${query}` : ''}`);
    });
  }
  client(plan.command('start').description('start a custom plan, with parameters for its tasks').argument('<plan>'))
    .option('--param <key=value>', "an environment variable of the plan's tasks (repeatable)", collect, [])
    .action(async (name: string, flags: ClientFlags & { param: string[] }) => {
      const parameters = parseOptions(flags.param);
      if (!parameters.ok) throw new UsageError(parameters.message.replace('--option', '--param'));
      await control(flags, `/v1/plans/${encodeURIComponent(name)}/start`, parameters.values);
    });
  client(plan.command('stop').description('stop a custom plan (its tasks are killed)').argument('<plan>')).action(
    async (name: string, flags: ClientFlags) => control(flags, `/v1/plans/${encodeURIComponent(name)}/stop`),
  );
}

function registerPodCommands(service: Command): void {
  const pod = service.command('pod').description('list, inspect, restart and replace pod instances');
  client(pod.command('list').description('the pod instances')).action(async (flags: ClientFlags) => {
    const answer = await serviceRequest(flags.url, 'GET', '/v1/pod');
    print(flags, answer.body, () => `${(answer.body as string[]).join('\n')}\n`);
  });
  client(pod.command('status').description('tasks and their states, of every pod or of one').argument('[pod]')).action(
    async (name: string | undefined, flags: ClientFlags) => {
      const answer = await serviceRequest(flags.url, 'GET', name ? `/v1/pod/${encodeURIComponent(name)}/status` : '/v1/pod/status');
      print(flags, answer.body, () => (name ? podTable(answer.body as Json) : podsTable(answer.body as Json)));
    },
  );
  client(pod.command('info').description('the TaskInfos and latest statuses of a pod (JSON)').argument('<pod>')).action(
    async (name: string, flags: ClientFlags) => {
      const answer = await serviceRequest(flags.url, 'GET', `/v1/pod/${encodeURIComponent(name)}/info`);
      process.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    },
  );
  for (const [command, description] of [
    ['restart', 'kill a pod and relaunch it in place, on its reservations and volumes'],
    ['replace', 'kill a pod and launch it elsewhere, with new reservations and empty volumes'],
  ] as const)
    client(pod.command(command).description(description).argument('<pod>')).action(async (name: string, flags: ClientFlags) => {
      const answer = await serviceRequest(flags.url, 'POST', `/v1/pod/${encodeURIComponent(name)}/${command}`);
      const body = answer.body as Json;
      print(
        flags,
        body,
        () => `${command === 'restart' ? 'restarting' : 'replacing'} ${body.pod}: ${(body.tasks as string[]).join(', ')}\n`,
      );
    });
}

async function control(flags: ClientFlags, path: string, json: unknown = undefined): Promise<void> {
  const answer = await serviceRequest(flags.url, 'POST', path, json === undefined ? undefined : { json });
  if (answer.status === 208) return print(flags, { message: answer.text }, () => `already done: ${answer.text}\n`);
  print(flags, answer.body, () => `${(answer.body as Json).message}\n`);
}
