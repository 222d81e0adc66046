/**
 * `allot explain F [A] --master URL [--json]`: why framework F gets (or not)
 * agent A, every reason, from the master's GET /explain; without A, F's row
 * of the framework × agent matrix (GET /explain/matrix): agents counted by
 * outcome, then one line per agent.
 */
import type { Command } from 'commander';
import type { MasterAccess } from '../fork/operatorClient.js';
import { getJson } from '../fork/operatorClient.js';
import { EXIT_CODES_HELP, EXIT_OK, UsageError } from './exitCodes.js';

type Json = Record<string, any>;

interface ExplainFlags {
  master: string;
  json?: boolean;
  atMs?: string;
  token?: string;
  basic?: string;
}

export function registerExplainCommand(program: Command): void {
  program
    .command('explain <framework> [agent]')
    .description('why a framework gets (or not) an agent, every reason; without an agent, its row of the matrix')
    .requiredOption('--master <url>', "the master's URL")
    .option('--at-ms <ms>', "with an agent: at this time on the master's clock (default: now)")
    .option('--json', "print the master's JSON answer")
    .option('--token <token>', 'bearer token of an operator allowed GET_STATE')
    .option('--basic <principal:secret>', 'HTTP basic credentials instead of --token')
    .addHelpText(
      'after',
      `\nExamples:\n  allot explain my-framework-id agent-3 --master http://127.0.0.1:5050\n  allot explain my-framework-id --master http://127.0.0.1:5050 --json\n\n${EXIT_CODES_HELP}`,
    )
    .action(async (framework: string, agent: string | undefined, flags: ExplainFlags) => {
      process.exitCode = await runExplain(framework, agent, flags);
    });
}

async function runExplain(frameworkId: string, agentId: string | undefined, flags: ExplainFlags): Promise<number> {
  const access: MasterAccess = {
    url: flags.master,
    ...(flags.token ? { token: flags.token } : {}),
    ...(flags.basic ? { basic: flags.basic } : {}),
  };
  if (flags.atMs !== undefined && agentId === undefined) throw new UsageError('--at-ms needs an agent: the matrix is of the latest cycle');
  const query = new URLSearchParams({ framework_id: frameworkId, ...(agentId !== undefined ? { agent_id: agentId } : {}) });
  if (flags.atMs !== undefined) query.set('at_ms', flags.atMs);
  const answer = await getJson(access, `${agentId !== undefined ? '/explain' : '/explain/matrix'}?${query}`);
  if (!answer.ok) throw new UsageError(answer.message, 1);
  if (flags.json) process.stdout.write(`${JSON.stringify(answer.value, null, 2)}\n`);
  else process.stdout.write(agentId !== undefined ? formatPair(answer.value) : formatRow(frameworkId, answer.value));
  return EXIT_OK;
}

function formatPair(answer: Json): string {
  const lines = [`${answer.framework_id} on ${answer.agent_id} at ${answer.at_ms} ms: ${answer.outcome}`, ''];
  lines.push(
    ...table(
      ['reason', 'role', 'why'],
      (answer.reasons as Json[]).map((r) => [r.code, r.role ?? '', r.message]),
    ),
  );
  return `${lines.join('\n')}\n`;
}

function formatRow(frameworkId: string, matrix: Json): string {
  const counts = Object.entries((matrix.summary?.[frameworkId] ?? {}) as Record<string, number>)
    .map(([code, agents]) => `${code} ${agents}`)
    .join(', ');
  const lines = [
    `${frameworkId} at ${matrix.now_ms} ms (cycle ${matrix.cycle ?? 'none'}): agents by outcome: ${counts || 'no agents'}`,
    '',
  ];
  const rows = (matrix.cells as Json[]).map((cell) => [
    cell.agent_id,
    cell.outcome,
    (cell.reasons as Json[])
      .slice(1)
      .map((r) => r.code)
      .join(', '),
  ]);
  lines.push(...table(['agent', 'outcome', 'also'], rows));
  return `${lines.join('\n')}\n`;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (column === header.length - 1 ? 0 : row[column].length))),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}
