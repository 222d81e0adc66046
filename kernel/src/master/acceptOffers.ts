/**
 * ACCEPT: the framework uses one or more offers from a single agent through
 * a pipeline of operations applied in order, each against what the earlier
 * ones left: RESERVE, UNRESERVE, CREATE, DESTROY reshape the offered
 * resources (and the agent's total); LAUNCH and LAUNCH_GROUP start tasks on
 * them; an operation the host's authorizer refused fails its tasks (or is
 * dropped) and the others go ahead. The unused rest goes back to the agent
 * behind a filter for `refuseSeconds`. Invalid offers fail every task with REASON_INVALID_OFFERS
 * (TASK_DROPPED when partition-aware, else TASK_LOST) and lose nothing.
 */
import { filterDurationMs } from '../allocator/allocator.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { subtractRanges } from '../resources/ranges.js';
import { addResourceSets, isEmptyResourceSet, resourceSetContains, subtractResourceSets } from '../resources/resourceSet.js';
import { subtractInto } from '../resources/vector.js';
import type { Conversion, ResourceOperation } from '../reservations/resourceConversion.js';
import { applyConversion, conversionFor } from '../reservations/resourceConversion.js';
import type { TaskSpec } from '../tasks/task.js';
import { TaskRecord } from '../tasks/taskRecord.js';
import type { TaskReason, TaskState } from '../tasks/taskState.js';
import type { AcceptOperation, Command } from './commands.js';
import type { Rejection } from './effects.js';
import { conversionProblem } from './conversionChecks.js';
import type { FrameworkState } from './frameworkState.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { executorToStart, startExecutor } from './executorHandlers.js';
import { unknownFramework } from './rejections.js';

type AcceptCommand = Extract<Command, { type: 'offer.accept' }>;

interface Pipeline {
  readonly parts: MasterParts;
  readonly framework: FrameworkState;
  readonly offer: Offer;
  remaining: ResourceSet;
  /** A copy of the scalars the pipeline owns: while `remaining.scalars` is this vector, tasks are subtracted in place. */
  owned: Float64Array | null;
  launched: number;
  rejection: Rejection | null;
}

export function handleAccept(parts: MasterParts, command: AcceptCommand, out: StepSink): Rejection | null {
  const framework = parts.frameworks.get(command.frameworkId);
  if (!framework) return unknownFramework(command.frameworkId);
  const problem = validateOffers(parts, framework, command.offerIds);
  if (problem) {
    // Invalid offers are used up: their resources go back with no filter, as in Mesos.
    for (const offerId of new Set(command.offerIds)) {
      const offer = parts.offers.get(offerId);
      if (offer?.frameworkId === framework.id) parts.offers.release(offer, 0);
    }
    const state: TaskState = framework.partitionAware ? 'TASK_DROPPED' : 'TASK_LOST';
    for (const spec of launchedSpecs(command.operations))
      failTask(parts, framework, spec, '', state, 'REASON_INVALID_OFFERS', problem.message, out);
    return problem;
  }
  const offers = command.offerIds.map((id) => parts.offers.get(id)!);
  parts.offers.accept(offers);
  const pipeline: Pipeline = {
    parts,
    framework,
    offer: offers[0],
    remaining: offers.slice(1).reduce((sum, offer) => addResourceSets(sum, offer.resources), offers[0].resources),
    owned: null,
    launched: 0,
    rejection: null,
  };
  for (const operation of command.operations) applyOperation(pipeline, operation, out);
  const filterMs = filterDurationMs(command.refuseSeconds, parts.timeouts.allocationIntervalMs);
  const client = parts.allocator.client(pipeline.offer.clientIndex)!;
  const agent = parts.agents.get(pipeline.offer.agentId)!;
  if (!isEmptyResourceSet(pipeline.remaining)) parts.offers.returnUnused(client, agent, pipeline.remaining, filterMs);
  out.events.push({
    type: 'offer.accepted',
    atMs: command.nowMs,
    offerIds: command.offerIds,
    frameworkId: framework.id,
    agentId: agent.id,
    tasks: pipeline.launched,
    filterMs,
  });
  return pipeline.rejection;
}

function applyOperation(pipeline: Pipeline, operation: AcceptOperation, out: StepSink): void {
  switch (operation.type) {
    case 'LAUNCH':
      for (const spec of operation.tasks) launchOne(pipeline, spec, out);
      return;
    case 'LAUNCH_GROUP':
      launchIfValid(pipeline, operation.tasks, out);
      return;
    case 'UNAUTHORIZED': {
      // Mesos: each task of a refused launch gets TASK_ERROR; a refused reservation is dropped.
      const reason = operation.operation === 'LAUNCH_GROUP' ? 'REASON_TASK_GROUP_UNAUTHORIZED' : 'REASON_TASK_UNAUTHORIZED';
      const { parts, framework, offer } = pipeline;
      for (const spec of operation.tasks) failTask(parts, framework, spec, offer.agentId, 'TASK_ERROR', reason, operation.message, out);
      return;
    }
    case 'RESERVE':
    case 'UNRESERVE':
    case 'CREATE':
    case 'DESTROY':
      convert(pipeline, operation, out);
      return;
    default: {
      const unknown: never = operation;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}

/** A reservation or volume operation: reshapes what is left of the offer and the agent's total. */
function convert(pipeline: Pipeline, operation: ResourceOperation, out: StepSink): void {
  const { parts, offer } = pipeline;
  const agent = parts.agents.get(offer.agentId)!;
  const result = conversionFor(operation, offer.role, parts.layout.slotOf('disk'));
  const problem = result.ok ? conversionProblem(parts.tasks, agent, operation, result.conversion) : result;
  const applied = result.ok && !problem ? applyConversion(pipeline.remaining, result.conversion) : null;
  if (!result.ok || problem || !applied) {
    const why = problem ?? { code: 'insufficient_resources', message: `${operation.type} needs resources the offers do not have left` };
    pipeline.rejection ??= { code: why.code, message: `${operation.type} dropped: ${why.message}`, operation: operation.type };
    return;
  }
  const conversion: Conversion = result.conversion;
  pipeline.remaining = applied;
  agent.convertTotal(conversion);
  parts.allocator.chargeConversion(conversion, offer.role, true);
  out.effects.push({ type: 'agent.resources', agentId: agent.id, total: agent.total });
  out.events.push({
    type: 'resources.converted',
    atMs: parts.nowMs,
    agentId: agent.id,
    operation: operation.type,
    role: offer.role,
    by: 'framework',
  });
}

const NO_IDS: ReadonlySet<string> = new Set<string>();

/**
 * LAUNCH of one task: the same checks as a group of one, and the resources come out of what is
 * left in place (an offer of a thousand tasks copies its scalars once, not once per task).
 */
function launchOne(pipeline: Pipeline, spec: TaskSpec, out: StepSink): void {
  const { parts, framework, offer } = pipeline;
  const withExecutor = executorToStart(parts, framework.id, offer.agentId, spec.executorId, spec.executorResources);
  const used = withExecutor ? addResourceSets(spec.resources, spec.executorResources!) : spec.resources;
  const problem = taskProblem(parts, framework, offer, spec, used, pipeline.remaining, NO_IDS);
  if (problem) {
    failTask(parts, framework, spec, offer.agentId, 'TASK_ERROR', 'REASON_TASK_INVALID', problem, out);
    return;
  }
  if (used.reserved.length > 0) pipeline.remaining = subtractResourceSets(pipeline.remaining, used);
  else {
    if (pipeline.owned === null || pipeline.remaining.scalars !== pipeline.owned) {
      pipeline.owned = pipeline.remaining.scalars.slice();
      pipeline.remaining = { ...pipeline.remaining, scalars: pipeline.owned };
    }
    subtractInto(pipeline.owned, pipeline.owned, used.scalars);
    if (used.ports.length > 0) pipeline.remaining = { ...pipeline.remaining, ports: subtractRanges(pipeline.remaining.ports, used.ports) };
  }
  launchTask(parts, framework, offer, spec, out);
  pipeline.launched++;
}

function launchIfValid(pipeline: Pipeline, specs: readonly TaskSpec[], out: StepSink): void {
  const { parts, framework, offer } = pipeline;
  let left = pipeline.remaining;
  const problems: string[] = [];
  const ids = new Set<string>();
  // The group's executor (all its tasks name the same one) takes its resources once, with the first task.
  const starting = new Set<string>();
  for (const spec of specs) {
    const startsExecutor =
      executorToStart(parts, framework.id, offer.agentId, spec.executorId, spec.executorResources) && !starting.has(spec.executorId!);
    const used = startsExecutor ? addResourceSets(spec.resources, spec.executorResources!) : spec.resources;
    const problem = taskProblem(parts, framework, offer, spec, used, left, ids);
    if (problem) problems.push(problem);
    else left = subtractResourceSets(left, used);
    if (startsExecutor) starting.add(spec.executorId!);
    ids.add(spec.taskId);
  }
  if (problems.length > 0) {
    // A group starts whole or not at all.
    const message = problems.join('; ');
    for (const spec of specs) failTask(parts, framework, spec, offer.agentId, 'TASK_ERROR', 'REASON_TASK_INVALID', message, out);
    return;
  }
  pipeline.remaining = left;
  for (const spec of specs) launchTask(parts, framework, offer, spec, out);
  pipeline.launched += specs.length;
}

function launchedSpecs(operations: readonly AcceptOperation[]): TaskSpec[] {
  return operations.flatMap((operation) =>
    operation.type === 'LAUNCH' || operation.type === 'LAUNCH_GROUP' || operation.type === 'UNAUTHORIZED' ? operation.tasks : [],
  );
}

function validateOffers(parts: MasterParts, framework: FrameworkState, offerIds: readonly string[]): Rejection | null {
  if (offerIds.length === 0) return { code: 'invalid_offers', message: 'an accept must name at least one offer' };
  if (new Set(offerIds).size !== offerIds.length) return { code: 'invalid_offers', message: 'an offer is named more than once', offerIds };
  let agentId: string | null = null;
  let role: string | null = null;
  for (const offerId of offerIds) {
    const offer = parts.offers.get(offerId);
    if (!offer) return { code: 'invalid_offers', message: `offer ${offerId} is no longer valid`, offerId };
    if (offer.frameworkId !== framework.id)
      return { code: 'invalid_offers', message: `offer ${offerId} belongs to another framework`, offerId };
    agentId ??= offer.agentId;
    role ??= offer.role;
    if (offer.agentId !== agentId)
      return { code: 'invalid_offers', message: `offers from more than one agent (${agentId}, ${offer.agentId})`, offerId };
    if (offer.role !== role) return { code: 'invalid_offers', message: `offers for more than one role (${role}, ${offer.role})`, offerId };
  }
  return null;
}

/** `used`: the task's resources, plus its executor's when the launch starts the executor. */
function taskProblem(
  parts: MasterParts,
  framework: FrameworkState,
  offer: Offer,
  spec: TaskSpec,
  used: ResourceSet,
  remaining: ResourceSet,
  idsInGroup: ReadonlySet<string>,
): string | null {
  if (framework.tasks.has(spec.taskId) || idsInGroup.has(spec.taskId)) return `task id ${spec.taskId} is already in use by this framework`;
  if (isEmptyResourceSet(spec.resources)) return `task ${spec.taskId} uses no resources`;
  const running = spec.executorResources && spec.executorId ? parts.executors.get(framework.id, offer.agentId, spec.executorId) : undefined;
  if (running && !sameResources(running.resources, spec.executorResources!))
    return `executor ${spec.executorId} already runs on agent ${offer.agentId} with other resources than task ${spec.taskId}'s ExecutorInfo names`;
  if (!resourceSetContains(remaining, used))
    return used === spec.resources
      ? `task ${spec.taskId} needs more resources than the offers have left`
      : `task ${spec.taskId} and its executor ${spec.executorId} need more resources than the offers have left`;
  return null;
}

function sameResources(a: ResourceSet, b: ResourceSet): boolean {
  return resourceSetContains(a, b) && resourceSetContains(b, a);
}

function launchTask(parts: MasterParts, framework: FrameworkState, offer: Offer, spec: TaskSpec, out: StepSink): void {
  const task = new TaskRecord({
    id: spec.taskId,
    name: spec.name,
    frameworkId: framework.id,
    role: offer.role,
    agentId: offer.agentId,
    resources: spec.resources,
    executorId: spec.executorId,
    data: spec.data,
    state: 'TASK_STAGING',
  });
  parts.tasks.launched++;
  // TASK_STAGING is the master's own starting state: Mesos sends no update for it (the framework
  // knows what it launched), so it is recorded here and announced by task.launched alone.
  parts.tasks.appendHistory(task, 'TASK_STAGING', parts.nowMs, undefined);
  task.setLatestState('TASK_STAGING', parts.nowMs);
  parts.tasks.add(task);
  parts.tasks.held(task, offer.agentIndex, 1);
  if (executorToStart(parts, framework.id, offer.agentId, spec.executorId, spec.executorResources)) {
    const agent = parts.agents.get(offer.agentId)!;
    const record = {
      frameworkId: framework.id,
      agentId: offer.agentId,
      executorId: spec.executorId!,
      role: offer.role,
      resources: spec.executorResources!,
      ...(spec.defaultExecutor ? { endsWithTasks: true } : {}),
    };
    startExecutor(parts, agent, record, out);
  }
  out.events.push({
    type: 'task.launched',
    atMs: parts.nowMs,
    taskId: task.id,
    frameworkId: framework.id,
    agentId: task.agentId,
    role: task.role,
  });
  out.effects.push({ type: 'agent.launch', agentId: task.agentId, frameworkId: framework.id, task });
}

/** A task that never started: a status with no uuid, never stored as live. */
function failTask(
  parts: MasterParts,
  framework: FrameworkState,
  spec: TaskSpec,
  agentId: string,
  state: TaskState,
  reason: TaskReason,
  message: string,
  out: StepSink,
): void {
  const status = { taskId: spec.taskId, frameworkId: framework.id, agentId, state, reason, message, timestampMs: parts.nowMs };
  out.events.push({ type: 'task.updated', atMs: parts.nowMs, status, previous: null });
  out.effects.push({ type: 'framework.update', frameworkId: framework.id, status });
}
