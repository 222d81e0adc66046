/**
 * Custom executors' resources through their life (the table is
 * executorTable.ts): started with the first task launched for them (from
 * the offer, acceptOffers.ts), adopted from an agent's report when it
 * registers again, and released when the agent reports the executor exited
 * (the framework then hears of it, Mesos's FAILURE event with executor_id),
 * when its agent is lost or removed, or when its framework is torn down.
 */
import type { Agent } from '../agents/agent.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import type { Task } from '../tasks/task.js';
import type { Command, ReportedExecutor } from './commands.js';
import type { Rejection } from './effects.js';
import type { ExecutorRecord } from './executorTable.js';
import type { MasterParts, StepSink } from './masterParts.js';

type ExitedCommand = Extract<Command, { type: 'executor.exited' }>;

/** Whether a launch of `executorId` on the agent must also take the executor's own resources. */
export function executorToStart(
  parts: MasterParts,
  frameworkId: string,
  agentId: string,
  executorId: string | undefined,
  resources: ResourceSet | undefined,
): boolean {
  return resources !== undefined && executorId !== undefined && parts.executors.get(frameworkId, agentId, executorId) === undefined;
}

/** The executor starts with the task launched for it: its resources came out of the same offer. */
export function startExecutor(parts: MasterParts, agent: Agent, record: ExecutorRecord, out: StepSink): void {
  parts.executors.add(record, agent.index);
  out.events.push({
    type: 'executor.started',
    atMs: parts.nowMs,
    frameworkId: record.frameworkId,
    agentId: record.agentId,
    executorId: record.executorId,
  });
}

/** An executor the agent reports (it registered again): charged to its framework as if launched. */
export function adoptExecutor(parts: MasterParts, agent: Agent, reported: ReportedExecutor): void {
  if (parts.executors.get(reported.frameworkId, agent.id, reported.executorId)) return;
  const client = parts.frameworks.get(reported.frameworkId)?.clients.get(reported.role);
  if (!client) return; // Its framework is gone: the agent shuts it down, nothing is charged.
  // A DEFAULT executor lives as long as its tasks: with none live here (ended, or killed on return), it is gone.
  if (reported.endsWithTasks && !hasLiveTask(parts, agent.id, reported.frameworkId, reported.executorId)) return;
  parts.allocator.allocate(client, agent, reported.resources);
  parts.executors.add({ ...reported, agentId: agent.id }, agent.index);
}

/** The executor's resources go back to the agent's free pool (and the framework's allocation shrinks). */
export function releaseExecutor(parts: MasterParts, record: ExecutorRecord): void {
  const agent = parts.agents.get(record.agentId);
  parts.executors.remove(record, agent?.index ?? -1);
  const client = parts.frameworks.get(record.frameworkId)?.clients.get(record.role);
  if (agent && client) parts.giveBack(client, agent, record.resources, 0);
}

/** The agent is being lost or removed: its executors hold nothing any more. */
export function releaseExecutorsOn(parts: MasterParts, agentId: string): void {
  for (const record of parts.executors.onAgent(agentId)) releaseExecutor(parts, record);
}

/** The framework is being removed (before its clients go): its executors are shut down with it. */
export function releaseExecutorsOf(parts: MasterParts, frameworkId: string): void {
  for (const record of parts.executors.ofFramework(frameworkId)) releaseExecutor(parts, record);
}

/**
 * A registered agent's report of its executors, when it sends one: those the
 * master holds that it no longer has are released, new ones adopted.
 */
export function reconcileExecutors(
  parts: MasterParts,
  agent: Agent,
  reported: readonly ReportedExecutor[] | undefined,
  out: StepSink,
): void {
  if (reported === undefined) return;
  const keys = new Set(reported.map((executor) => `${executor.frameworkId}\n${executor.executorId}`));
  // An executor the agent no longer has ended while it was away: its framework hears FAILURE, as from
  // the ExitedExecutorMessage a Mesos agent sends for an executor it did not recover.
  for (const record of parts.executors.onAgent(agent.id))
    if (!record.endsWithTasks && !keys.has(`${record.frameworkId}\n${record.executorId}`)) exited(parts, record, undefined, out);
  for (const executor of reported) adoptExecutor(parts, agent, executor);
}

/**
 * A task ended: a DEFAULT executor with no live task left on the agent ends too, as Mesos's default
 * executor does, and its framework hears it as for any executor. Cheap when no executor runs anywhere.
 */
export function afterExecutorTaskEnded(parts: MasterParts, task: Task, out: StepSink): void {
  if (parts.executors.size === 0) return;
  const record = parts.executors.get(task.frameworkId, task.agentId, task.executorId);
  if (!record?.endsWithTasks) return;
  if (!hasLiveTask(parts, task.agentId, task.frameworkId, task.executorId)) exited(parts, record, 0, out);
}

function hasLiveTask(parts: MasterParts, agentId: string, frameworkId: string, executorId: string): boolean {
  return parts.tasks.liveOn(agentId).some((task) => task.frameworkId === frameworkId && task.executorId === executorId);
}

/** The agent says the executor exited: its resources come back and its framework hears (FAILURE in Mesos). */
export function handleExecutorExited(parts: MasterParts, command: ExitedCommand, out: StepSink): Rejection | null {
  if (!parts.agents.has(command.agentId))
    return { code: 'unknown_agent', message: `agent ${command.agentId} is not registered`, agentId: command.agentId };
  const record = parts.executors.get(command.frameworkId, command.agentId, command.executorId);
  if (!record)
    return {
      code: 'unknown_executor',
      message: `framework ${command.frameworkId} has no executor ${command.executorId} on agent ${command.agentId}`,
    };
  exited(parts, record, command.status, out);
  return null;
}

function exited(parts: MasterParts, record: ExecutorRecord, exitStatus: number | undefined, out: StepSink): void {
  releaseExecutor(parts, record);
  parts.triggerAllocation(record.agentId);
  const status = exitStatus === undefined ? {} : { status: exitStatus };
  out.events.push({
    type: 'executor.exited',
    atMs: parts.nowMs,
    frameworkId: record.frameworkId,
    agentId: record.agentId,
    executorId: record.executorId,
    ...status,
  });
  if (parts.frameworks.has(record.frameworkId))
    out.effects.push({
      type: 'framework.executorExited',
      frameworkId: record.frameworkId,
      agentId: record.agentId,
      executorId: record.executorId,
      ...status,
    });
}
