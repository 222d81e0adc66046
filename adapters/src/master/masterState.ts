/**
 * What the master persists, in one document under the store key
 * `master-state`: the kernel's snapshot (agents with their totals,
 * reservations and volumes; unreachable and gone agents; frameworks; roles),
 * plus what only the daemon knows: framework infos and their failover
 * timeouts, agent addresses, and every task with its latest status and
 * launch data. Tasks come back to the kernel when their agents re-register;
 * until then the document's copy answers operator queries and is kept.
 */
import type { Master, MasterSnapshot, SerializedResourceSet, Task, TaskStatus } from '@allot/kernel';
import { isTerminal, serializeResourceSet, snapshotMaster } from '@allot/kernel';
import type { AgentEndpoint } from './mesosJson.js';

export const STATE_KEY = 'master-state';
export const STATE_VERSION = 1;
/** Finished tasks kept for the operator API (and persisted): the most recent ones. */
export const COMPLETED_TASKS_MAX = 1000;

export interface FrameworkRecord {
  id: string;
  /** FrameworkInfo as the framework sent it (normalized: id set, roles as a list). */
  info: Record<string, unknown>;
  roles: string[];
  failoverTimeoutMs: number;
  registeredAtMs: number;
}

export interface AgentInfoRecord extends AgentEndpoint {
  id: string;
  registeredAtMs: number;
}

export interface TaskRecord {
  frameworkId: string;
  taskId: string;
  name: string;
  agentId: string;
  role: string;
  state: string;
  latest: TaskStatus | null;
  resources: SerializedResourceSet;
  data: unknown;
}

export interface MasterStateDocument {
  format: 'allot-master-state';
  version: typeof STATE_VERSION;
  masterId: string;
  /** Wall-clock ms at which the kernel's time 0 lies: kernel times survive restarts. */
  clockBaseMs: number;
  lastNowMs: number;
  nextFrameworkSeq: number;
  kernel: MasterSnapshot;
  frameworks: FrameworkRecord[];
  agents: AgentInfoRecord[];
  tasks: TaskRecord[];
}

export function taskRecord(master: Master, task: Task): TaskRecord {
  return {
    frameworkId: task.frameworkId,
    taskId: task.id,
    name: task.name,
    agentId: task.agentId,
    role: task.role,
    state: task.state,
    latest: task.latest,
    resources: serializeResourceSet(task.resources, master.layout),
    data: task.data ?? null,
  };
}

/** The tasks worth keeping: live ones, ended ones not yet acknowledged, and the latest finished ones. */
export function persistedTasks(master: Master, recovered: ReadonlyMap<string, TaskRecord>): TaskRecord[] {
  const live: TaskRecord[] = [];
  const finished: Array<{ atMs: number; record: TaskRecord }> = [];
  const seen = new Set<string>();
  for (const framework of master.frameworks.values()) {
    for (const task of framework.tasks.values()) {
      seen.add(`${task.frameworkId}/${task.id}`);
      if (!isTerminal(task.state) || task.unacknowledged.length > 0) live.push(taskRecord(master, task));
      else finished.push({ atMs: task.latest?.timestampMs ?? 0, record: taskRecord(master, task) });
    }
  }
  finished.sort((a, b) => b.atMs - a.atMs);
  const kept = finished.slice(0, COMPLETED_TASKS_MAX).map((entry) => entry.record);
  // Tasks known from before a restart whose agent has not reported yet.
  const waiting = [...recovered.values()].filter(
    (record) =>
      !seen.has(`${record.frameworkId}/${record.taskId}`) &&
      (master.recoveredAgents.has(record.agentId) || master.unreachableAgents.has(record.agentId)),
  );
  return [...live, ...waiting, ...kept];
}

export interface HostRegistry {
  masterId: string;
  clockBaseMs: number;
  nextFrameworkSeq: number;
  frameworks: Map<string, FrameworkRecord>;
  agents: Map<string, AgentInfoRecord>;
  /** Tasks from the document that the kernel does not know (yet). */
  recoveredTasks: Map<string, TaskRecord>;
}

export function buildDocument(master: Master, registry: HostRegistry): MasterStateDocument {
  return {
    format: 'allot-master-state',
    version: STATE_VERSION,
    masterId: registry.masterId,
    clockBaseMs: registry.clockBaseMs,
    lastNowMs: master.nowMs,
    nextFrameworkSeq: registry.nextFrameworkSeq,
    kernel: snapshotMaster(master),
    frameworks: [...registry.frameworks.values()].filter((record) => master.frameworks.has(record.id)),
    agents: [...registry.agents.values()],
    tasks: persistedTasks(master, registry.recoveredTasks),
  };
}

export function parseDocument(text: string): MasterStateDocument {
  const document = JSON.parse(text) as MasterStateDocument;
  if (document.format !== 'allot-master-state') throw new Error('the stored state is not an allot master state document');
  if (document.version !== STATE_VERSION)
    throw new Error(`the stored state has version ${document.version}; this master reads version ${STATE_VERSION}`);
  return document;
}
