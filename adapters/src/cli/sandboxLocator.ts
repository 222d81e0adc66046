/**
 * Finds a task's sandbox the way `dcos task log` does: the master's
 * `/master/tasks?task_id=` says which framework and agent, `/master/slaves`
 * where the agent listens, and the agent's `/state` the executor's sandbox
 * `directory`, which its `/files/*` endpoints then read. Failures are
 * UsageErrors with what went wrong (exit 1 for an unreachable daemon or an
 * unknown task, 2 for an ambiguous one).
 */
import { UsageError } from './exitCodes.js';

type Json = Record<string, any>;

export interface SandboxLocation {
  frameworkId: string;
  taskId: string;
  agentUrl: string;
  directory: string;
  state: string;
}

export interface DaemonClient {
  headers: Record<string, string>;
}

export async function getJson(url: string, client: DaemonClient): Promise<Json> {
  let response: Response;
  try {
    response = await fetch(url, { headers: client.headers, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new UsageError(`cannot reach ${new URL(url).origin}: ${(error as Error).message}`, 1);
  }
  const text = await response.text();
  if (response.status !== 200)
    throw new UsageError(`${url.replace(/\?.*$/, '')} answered ${response.status}: ${text.slice(0, 300).trim()}`, 1);
  return JSON.parse(text) as Json;
}

function agentUrl(slave: Json, secure: boolean): string {
  const match = /@([^:]+):(\d+)$/.exec(String(slave.pid ?? ''));
  const host = match ? match[1] : slave.hostname;
  const port = match ? match[2] : slave.port;
  return `${secure ? 'https' : 'http'}://${host}:${port}`;
}

function findDirectory(state: Json, frameworkId: string, taskId: string): string | null {
  for (const framework of [...(state.frameworks ?? []), ...(state.completed_frameworks ?? [])]) {
    if (framework.id !== frameworkId) continue;
    for (const executor of [...(framework.executors ?? []), ...(framework.completed_executors ?? [])]) {
      const tasks = [...(executor.tasks ?? []), ...(executor.completed_tasks ?? []), ...(executor.queued_tasks ?? [])];
      if (tasks.some((task: Json) => task.id === taskId)) return executor.directory;
    }
  }
  return null;
}

export async function locateSandbox(
  masterUrl: string,
  taskId: string,
  frameworkId: string | undefined,
  client: DaemonClient,
): Promise<SandboxLocation> {
  const query = new URLSearchParams({ task_id: taskId, limit: '1000' });
  if (frameworkId) query.set('framework_id', frameworkId);
  const { tasks } = await getJson(`${masterUrl}/master/tasks?${query}`, client);
  if (!Array.isArray(tasks) || tasks.length === 0)
    throw new UsageError(`no task ${taskId}${frameworkId ? ` in framework ${frameworkId}` : ''} is known to the master`, 1);
  const frameworks = [...new Set(tasks.map((task: Json) => task.framework_id))];
  if (frameworks.length > 1)
    throw new UsageError(`task id ${taskId} is used by several frameworks (${frameworks.join(', ')}); name one with --framework`);
  const task = tasks[0];
  const { slaves } = await getJson(`${masterUrl}/master/slaves?slave_id=${encodeURIComponent(task.slave_id)}`, client);
  if (!Array.isArray(slaves) || slaves.length === 0)
    throw new UsageError(`the agent ${task.slave_id} of task ${taskId} is not registered with the master`, 1);
  const url = agentUrl(slaves[0], masterUrl.startsWith('https:'));
  const state = await getJson(`${url}/state`, client);
  const directory = findDirectory(state, task.framework_id, taskId);
  if (!directory) throw new UsageError(`the agent at ${url} no longer lists task ${taskId}; its sandbox may have been removed`, 1);
  return { frameworkId: task.framework_id, taskId, agentUrl: url, directory, state: task.state };
}
