/**
 * `allot task log TASK [--follow] [--stderr] [--lines N]` and
 * `allot task ls TASK [PATH]`: a task's sandbox read through the agent's
 * Mesos files endpoints, found through the master (sandboxLocator.ts), like
 * `dcos task log` / `dcos task ls`.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { getJson, locateSandbox } from './sandboxLocator.js';
import type { DaemonClient } from './sandboxLocator.js';

interface TaskFlags {
  master: string;
  framework?: string;
  token?: string;
  follow?: boolean;
  stderr?: boolean;
  lines?: number;
}

const PAGE_BYTES = 65_536;
const FOLLOW_POLL_MS = 1000;

function parseLines(text: string): number {
  if (!/^\d{1,7}$/.test(text.trim())) throw new InvalidArgumentError(`expected a whole number of lines, got "${text}".`);
  return Number(text);
}

function clientFor(flags: TaskFlags): DaemonClient {
  return { headers: flags.token ? { Authorization: `Bearer ${flags.token}` } : {} };
}

async function readFrom(agentUrl: string, path: string, offset: number, client: DaemonClient): Promise<{ data: string; offset: number }> {
  const query = new URLSearchParams({ path, offset: String(offset), length: String(PAGE_BYTES) });
  return (await getJson(`${agentUrl}/files/read?${query}`, client)) as { data: string; offset: number };
}

async function printLog(taskId: string, flags: TaskFlags): Promise<void> {
  const client = clientFor(flags);
  const sandbox = await locateSandbox(flags.master.replace(/\/+$/, ''), taskId, flags.framework, client);
  const path = `${sandbox.directory}/${flags.stderr ? 'stderr' : 'stdout'}`;
  const size = (await readFrom(sandbox.agentUrl, path, -1, client)).offset;
  let offset = 0;
  if (flags.lines !== undefined) {
    // Read back from the end until enough lines are in hand (at most 1 MB back).
    const start = Math.max(0, size - 1_048_576);
    let tail = '';
    for (let at = start; at < size; ) {
      const chunk = await readFrom(sandbox.agentUrl, path, at, client);
      if (chunk.data.length === 0) break;
      tail += chunk.data;
      at += Buffer.byteLength(chunk.data);
    }
    const lines = tail.split('\n');
    const keep = lines.slice(Math.max(0, lines.length - 1 - flags.lines));
    process.stdout.write(keep.join('\n'));
    offset = size;
  }
  for (;;) {
    const chunk = await readFrom(sandbox.agentUrl, path, offset, client);
    if (chunk.data.length > 0) {
      process.stdout.write(chunk.data);
      offset += Buffer.byteLength(chunk.data);
      continue;
    }
    if (!flags.follow) return;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

async function listSandbox(taskId: string, path: string | undefined, flags: TaskFlags): Promise<void> {
  const client = clientFor(flags);
  const sandbox = await locateSandbox(flags.master.replace(/\/+$/, ''), taskId, flags.framework, client);
  const target = path ? `${sandbox.directory}/${path.replace(/^\/+/, '')}` : sandbox.directory;
  const entries = (await getJson(`${sandbox.agentUrl}/files/browse?${new URLSearchParams({ path: target })}`, client)) as unknown as Array<
    Record<string, any>
  >;
  for (const entry of entries) {
    const when = new Date(entry.mtime * 1000).toISOString().slice(0, 16).replace('T', ' ');
    const name = String(entry.path).split('/').pop();
    process.stdout.write(`${entry.mode}  ${String(entry.uid).padEnd(8)} ${String(entry.size).padStart(10)}  ${when}  ${name}\n`);
  }
}

export function registerTaskCommand(program: Command): void {
  const task = program.command('task').description("read a task's sandbox through the master and its agent (like `dcos task log`)");
  const common = (command: Command) =>
    command
      .option('--master <url>', 'the master', 'http://127.0.0.1:5050')
      .option('--framework <id>', 'the framework, when several use the task id')
      .option('--token <token>', 'a bearer token for masters and agents with a security file');
  common(
    task
      .command('log <task>')
      .description("print the task's stdout (or stderr)")
      .option('--stderr', 'print stderr instead of stdout')
      .option('--follow', 'keep printing what the task writes, until interrupted')
      .option('--lines <n>', 'only the last N lines (then follow, with --follow)', parseLines),
  ).action(async (taskId: string, flags: TaskFlags) => printLog(taskId, flags));
  common(task.command('ls <task> [path]').description("list the task's sandbox (or a directory in it)")).action(
    async (taskId: string, path: string | undefined, flags: TaskFlags) => listSandbox(taskId, path, flags),
  );
}
