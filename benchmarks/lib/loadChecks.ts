/**
 * What a load benchmark checks rather than times: after a failover, every
 * task the schedulers saw RUNNING is RUNNING at the new leader exactly once
 * (nothing lost, nothing duplicated, nothing unexpected), and every agent's
 * reservations and volumes, and every role's weight and quota, are what they
 * were before.
 */
import type { JsonHttp } from './jsonHttp.js';

type Json = Record<string, any>;

export interface TaskCheck {
  expected: number;
  running: number;
  lost: number;
  duplicated: number;
  unexpected: number;
  /** A few offending task ids, for the reader. */
  examples: string[];
}

async function operator(http: JsonHttp, origin: string, call: Json): Promise<Json> {
  const answer = await http.call(origin, '/api/v1', call);
  if (answer.status !== 200) throw new Error(`${call.type} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as Json;
}

/** `expected`: "frameworkId/taskId" of every task that must be RUNNING. */
export async function checkTasks(http: JsonHttp, origin: string, expected: ReadonlySet<string>): Promise<TaskCheck> {
  const tasks = (await operator(http, origin, { type: 'GET_TASKS' })).get_tasks;
  const seen = new Map<string, number>();
  const running = new Set<string>();
  for (const list of ['tasks', 'unreachable_tasks', 'completed_tasks', 'orphan_tasks']) {
    for (const task of (tasks[list] ?? []) as Json[]) {
      const key = `${task.framework_id.value}/${task.task_id.value}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (task.state === 'TASK_RUNNING') running.add(key);
    }
  }
  const examples: string[] = [];
  let lost = 0;
  for (const key of expected) {
    if (running.has(key)) continue;
    lost++;
    if (examples.length < 5) examples.push(`lost ${key}`);
  }
  let duplicated = 0;
  for (const [key, count] of seen) {
    if (count <= 1) continue;
    duplicated++;
    if (examples.length < 10) examples.push(`duplicated ${key} x${count}`);
  }
  let unexpected = 0;
  for (const key of running) if (!expected.has(key)) unexpected++;
  return { expected: expected.size, running: running.size, lost, duplicated, unexpected, examples };
}

/** Per agent, its reserved resources (role, amount, volume) as one canonical string; roles with their weight and quota. */
export async function registrySnapshot(http: JsonHttp, origin: string, agentIds: readonly string[]): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  const agents = (await operator(http, origin, { type: 'GET_AGENTS' })).get_agents;
  const byId = new Map<string, Json>((agents.agents as Json[]).map((agent) => [agent.agent_info.id.value, agent]));
  for (const agentId of agentIds) {
    const agent = byId.get(agentId);
    if (!agent) {
      snapshot.set(`agent ${agentId}`, 'not registered');
      continue;
    }
    const reserved = (agent.total_resources as Json[])
      .filter((resource) => (resource.reservations?.length ?? 0) > 0)
      .map((resource) => JSON.stringify([resource.name, resource.scalar?.value, resource.reservations, resource.disk ?? null]))
      .sort();
    snapshot.set(`agent ${agentId}`, reserved.join(';'));
  }
  const roles = (await operator(http, origin, { type: 'GET_ROLES' })).get_roles.roles as Json[];
  for (const role of roles) snapshot.set(`role ${role.name}`, JSON.stringify([role.weight, role.quota ?? null]));
  return snapshot;
}

export function registryDifferences(before: Map<string, string>, after: Map<string, string>): string[] {
  const differences: string[] = [];
  for (const [key, value] of before) {
    // Roles that only frameworks brought (weight 1, no quota) may come back later with their frameworks.
    if (key.startsWith('role ') && value === '[1,null]') continue;
    if (after.get(key) !== value) differences.push(`${key}: before ${value}, after ${after.get(key) ?? 'absent'}`);
  }
  return differences;
}
