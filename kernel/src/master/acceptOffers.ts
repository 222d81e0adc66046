/**
 * ACCEPT: the framework uses some of one or more offers from a single agent.
 * Offers are validated first (outstanding, the caller's, one agent, one role);
 * then each LAUNCH takes its tasks' resources from what is left, in order; the
 * unused rest goes back to the agent behind a filter for `refuseSeconds`.
 * Invalid offers fail every task with REASON_INVALID_OFFERS (TASK_DROPPED for
 * partition-aware frameworks, TASK_LOST otherwise) and lose no resources.
 */
import { filterDurationMs } from '../allocator/allocator.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { addResourceSets, isEmptyResourceSet, resourceSetContains, subtractResourceSets } from '../resources/resourceSet.js';
import type { Task, TaskSpec } from '../tasks/task.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { FrameworkState } from './frameworkState.js';
import type { Master, StepOutput } from './master.js';
import { recordTaskState } from './taskHandlers.js';

type AcceptCommand = Extract<Command, { type: 'offer.accept' }>;

export function handleAccept(master: Master, command: AcceptCommand, out: StepOutput): Rejection | null {
  const framework = master.frameworks.get(command.frameworkId);
  if (!framework) return { code: 'unknown_framework', message: `framework ${command.frameworkId} is not subscribed`, frameworkId: command.frameworkId };
  const problem = validateOffers(master, framework, command.offerIds);
  if (problem) {
    const valid = command.offerIds.map((id) => master.offers.get(id)).filter((offer): offer is Offer => offer?.frameworkId === framework.id);
    for (const offer of new Set(valid)) {
      master.offers.remove(offer.id);
      master.allocator.recover(master.allocator.client(offer.clientIndex)!, master.agents.get(offer.agentId)!, offer.resources, command.nowMs, 0);
    }
    const state: TaskState = framework.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const spec of launchedSpecs(command)) rejectTask(master, framework, spec, '', state, 'REASON_INVALID_OFFERS', problem.message, out);
    return problem;
  }
  const offers = command.offerIds.map((id) => master.offers.get(id)!);
  const first = offers[0];
  let remaining: ResourceSet = offers[0].resources;
  for (let i = 1; i < offers.length; i++) remaining = addResourceSets(remaining, offers[i].resources);
  for (const offer of offers) master.offers.remove(offer.id);
  let launched = 0;
  for (const spec of launchedSpecs(command)) {
    const invalid = taskProblem(framework, spec, remaining);
    if (invalid) {
      rejectTask(master, framework, spec, first.agentId, 'TASK_ERROR', 'REASON_TASK_INVALID', invalid, out);
      continue;
    }
    remaining = subtractResourceSets(remaining, spec.resources);
    launchTask(master, framework, first, spec, out);
    launched++;
  }
  const filterMs = filterDurationMs(command.refuseSeconds, master.allocationIntervalMs);
  const client = master.allocator.client(first.clientIndex)!;
  const agent = master.agents.get(first.agentId)!;
  if (!isEmptyResourceSet(remaining)) master.allocator.recover(client, agent, remaining, command.nowMs, filterMs);
  else if (filterMs > 0) master.allocator.filters.install(agent.index, client.index, command.nowMs + filterMs, remaining);
  master.counters.offersAccepted += offers.length;
  out.events.push({ type: 'offer.accepted', atMs: command.nowMs, offerIds: command.offerIds, frameworkId: framework.id, agentId: first.agentId, tasks: launched, filterMs });
  return null;
}

function launchedSpecs(command: AcceptCommand): TaskSpec[] {
  return command.operations.flatMap((operation) => (operation.type === 'LAUNCH' ? operation.tasks : []));
}

function validateOffers(master: Master, framework: FrameworkState, offerIds: readonly string[]): Rejection | null {
  if (offerIds.length === 0) return { code: 'invalid_offers', message: 'an accept must name at least one offer' };
  if (new Set(offerIds).size !== offerIds.length) return { code: 'invalid_offers', message: 'an offer is named more than once', offerIds };
  let agentId: string | null = null;
  let role: string | null = null;
  for (const offerId of offerIds) {
    const offer = master.offers.get(offerId);
    if (!offer) return { code: 'invalid_offers', message: `offer ${offerId} is no longer valid`, offerId };
    if (offer.frameworkId !== framework.id) return { code: 'invalid_offers', message: `offer ${offerId} belongs to another framework`, offerId };
    agentId ??= offer.agentId;
    role ??= offer.role;
    if (offer.agentId !== agentId) return { code: 'invalid_offers', message: `offers from more than one agent (${agentId}, ${offer.agentId})`, offerId };
    if (offer.role !== role) return { code: 'invalid_offers', message: `offers for more than one role (${role}, ${offer.role})`, offerId };
  }
  return null;
}

function taskProblem(framework: FrameworkState, spec: TaskSpec, remaining: ResourceSet): string | null {
  const existing = framework.tasks.get(spec.taskId);
  if (existing) return `task id ${spec.taskId} is already in use by this framework`;
  if (isEmptyResourceSet(spec.resources)) return `task ${spec.taskId} uses no resources`;
  if (!resourceSetContains(remaining, spec.resources)) return `task ${spec.taskId} needs more resources than the offers have left`;
  return null;
}

function launchTask(master: Master, framework: FrameworkState, offer: Offer, spec: TaskSpec, out: StepOutput): void {
  const task: Task = {
    id: spec.taskId,
    name: spec.name ?? spec.taskId,
    frameworkId: framework.id,
    role: offer.role,
    agentId: offer.agentId,
    resources: spec.resources,
    ...(spec.data !== undefined ? { data: spec.data } : {}),
    state: 'TASK_STAGING',
    history: [],
  };
  framework.tasks.set(task.id, task);
  master.counters.tasksLaunched++;
  out.events.push({ type: 'task.launched', atMs: master.nowMs, taskId: task.id, frameworkId: framework.id, agentId: task.agentId, role: task.role });
  recordTaskState(master, task, 'TASK_STAGING', undefined, undefined, out);
  out.effects.push({ type: 'agent.launch', agentId: task.agentId, frameworkId: framework.id, task });
}

/** A task that never started: a status with no uuid, never stored as live. */
function rejectTask(
  master: Master,
  framework: FrameworkState,
  spec: TaskSpec,
  agentId: string,
  state: TaskState,
  reason: TaskReason,
  message: string,
  out: StepOutput,
): void {
  const status = { taskId: spec.taskId, frameworkId: framework.id, agentId, state, reason, message, timestampMs: master.nowMs };
  out.events.push({ type: 'task.updated', atMs: master.nowMs, status, previous: null });
  out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
}
