/**
 * Offer evaluation for one pod instance: a pipeline of stages (placement,
 * executor overhead, ports, scalars, volumes, launch), each PASS or FAIL with a
 * reason a person can read, and, when every stage passes, the operations to
 * send. A first launch RESERVEs each task's resources under a new resource_id
 * label, RESERVEs and CREATEs each volume, then launches; a relaunch finds its
 * reservations by resource_id and reserves or unreserves only the difference.
 */
import type { OfferOperation } from '../master/commands.js';
import type { Offer } from '../offers/offer.js';
import type { ResourceLayout } from '../resources/layout.js';
import { rangesCount } from '../resources/ranges.js';
import type { ReservationInfo, ReservedPart, ResourceSet } from '../resources/resourceSet.js';
import { reservedPart } from '../resources/resourceSet.js';
import type { TaskSpec } from '../tasks/task.js';
import type { PlacementTarget } from './constraints.js';
import type { StageOutcome } from './offerRequirements.js';
import { firstLaunchFailures, OFFER_REASON, round } from './offerRequirements.js';
import type { PodInstance, ReservedAmounts } from './podInstance.js';
import { launchSpecs } from './launchSpecs.js';
import type { PodSpec, PodTaskSpec } from './serviceSpec.js';

export type { StageOutcome } from './offerRequirements.js';

export interface Evaluation {
  readonly offerId: string;
  readonly agentId: string;
  readonly stages: StageOutcome[];
  /** Present when every stage passed. */
  readonly operations?: OfferOperation[];
  readonly tasks?: Array<{ name: string; spec: TaskSpec }>;
  /** Reservations the launch makes (first launch) or keeps, per task. */
  readonly reserved?: Record<string, ReservedAmounts>;
  /** First launch: the resource ids and volumes the instance will own once this is recorded. */
  readonly placement?: Pick<PodInstance, 'resourceIds' | 'volumes'>;
}

export interface EvaluationContext {
  readonly layout: ResourceLayout;
  readonly role: string;
  readonly principal: string;
  /** The service's name (FRAMEWORK_NAME in its tasks' environment). */
  readonly serviceName: string;
  /** The other instances of the same pod type, where they run. */
  readonly placed: readonly PlacementTarget[];
  /** Every agent seen so far, for GROUP_BY. */
  readonly known: readonly PlacementTarget[];
  /** Makes a new unique id (resource ids, task ids, persistence ids). */
  readonly newId: (prefix: string) => string;
  readonly configId: number;
  /** Relaunch only these tasks (a non-essential task that ended while the others run, a plan's sidecar). */
  readonly only?: readonly string[];
  /** First launch: reserve for every task of the pod, but launch only these (deploy leaves plan sidecars out). */
  readonly launch?: readonly string[];
  /** Parameters a custom plan was started with, passed to its tasks' environment. */
  readonly env?: Readonly<Record<string, string>>;
}

const EPSILON = 1e-6;

export function reservationStack(role: string, principal: string, resourceId: string): ReservationInfo[] {
  return [{ role, type: 'DYNAMIC', principal, labels: { resource_id: resourceId } }];
}

function findReserved(offer: ResourceSet, resourceId: string, volume: boolean): ReservedPart | undefined {
  return offer.reserved.find(
    (part) =>
      (volume ? part.volume !== undefined : part.volume === undefined) &&
      part.reservations[part.reservations.length - 1].labels?.resource_id === resourceId,
  );
}

function amounts(task: PodTaskSpec): ReservedAmounts {
  return { cpus: task.cpus, memMb: task.memMb, diskMb: task.diskMb };
}

function vector(layout: ResourceLayout, a: ReservedAmounts): Float64Array {
  return layout.vector({ cpus: a.cpus, mem: a.memMb, ...(a.diskMb > 0 ? { disk: a.diskMb } : {}) });
}

function only(layout: ResourceLayout, parts: ReservedPart[], ports: ResourceSet['ports'] = []): ResourceSet {
  return { scalars: layout.zero(), ports, reserved: parts };
}

export function evaluateOffer(offer: Offer, instance: PodInstance, fullPod: PodSpec, context: EvaluationContext): Evaluation {
  // A volume goes with its task (by default the pod's first): a partial relaunch without that task leaves it be.
  const only = context.only;
  const pod: PodSpec = only
    ? {
        ...fullPod,
        tasks: fullPod.tasks.filter((t) => only.includes(t.name)),
        volumes: fullPod.volumes.filter((volume) => only.includes(volume.task ?? fullPod.tasks[0]?.name)),
      }
    : fullPod;
  const stages: StageOutcome[] = [];
  const fail = (stage: StageOutcome['stage'], reason: string, code: StageOutcome['code']): Evaluation => ({
    offerId: offer.id,
    agentId: offer.agentId,
    stages: [...stages, { stage, pass: false, reason, ...(code ? { code } : {}) }],
  });
  const pass = (stage: StageOutcome['stage'], reason: string): void => void stages.push({ stage, pass: true, reason });
  if (instance.agentId !== null) {
    if (offer.agentId !== instance.agentId)
      return fail(
        'placement',
        `${instance.name}'s reservations and volumes are on ${instance.agentId}, not ${offer.agentId}`,
        OFFER_REASON.RESERVED_ELSEWHERE,
      );
    pass('placement', `${instance.name} returns to ${offer.agentId}, where its reservations are`);
  } else {
    if (offer.agentId === instance.avoidAgentId)
      return fail('placement', `${instance.name} is being replaced away from ${offer.agentId}`, OFFER_REASON.AVOIDED_AGENT);
    // Every failing requirement at once (placement rules, ports, each resource), not only the first.
    const failures = firstLaunchFailures(offer, pod, context.layout, context);
    if (failures.length > 0) return { offerId: offer.id, agentId: offer.agentId, stages: failures };
    pass(
      'placement',
      pod.constraints.length > 0
        ? `${offer.hostname} satisfies ${pod.placement.map((c) => c.join(':')).join(', ')}`
        : 'no placement constraints',
    );
  }
  pass('executor', 'no executor overhead (command tasks)');
  const portsNeeded = pod.tasks.reduce((sum, task) => sum + task.ports, 0);
  if (rangesCount(offer.resources.ports) < portsNeeded)
    return fail(
      'ports',
      `insufficient ports: need ${portsNeeded}, offer has ${rangesCount(offer.resources.ports)}`,
      OFFER_REASON.INSUFFICIENT_PORTS,
    );
  pass('ports', `${portsNeeded} ports`);
  return instance.agentId === null
    ? firstLaunch(offer, instance, pod, context, stages, fail)
    : relaunch(offer, instance, pod, context, stages, fail);
}

type Fail = (stage: StageOutcome['stage'], reason: string, code: StageOutcome['code']) => Evaluation;

function firstLaunch(
  offer: Offer,
  instance: PodInstance,
  pod: PodSpec,
  context: EvaluationContext,
  stages: StageOutcome[],
  fail: Fail,
): Evaluation {
  const { layout } = context;
  const need = { cpus: 0, mem: 0, disk: 0 };
  for (const task of pod.tasks) {
    need.cpus += task.cpus;
    need.mem += task.memMb;
    need.disk += task.diskMb;
  }
  for (const volume of pod.volumes) need.disk += volume.sizeMb;
  const have = layout.quantities(offer.resources.scalars);
  for (const [name, amount] of Object.entries(need)) {
    if ((have[name] ?? 0) + EPSILON < amount)
      return fail(
        'scalars',
        `insufficient ${name}: need ${round(amount)}, offer has ${round(have[name] ?? 0)} unreserved`,
        OFFER_REASON.INSUFFICIENT_RESOURCES,
      );
  }
  stages.push({
    stage: 'scalars',
    pass: true,
    reason: `reserve cpus ${round(need.cpus)}, mem ${round(need.mem)}, disk ${round(need.disk)}`,
  });
  const operations: OfferOperation[] = [];
  const reservedParts: Record<string, ReservedPart> = {};
  const reserved: Record<string, ReservedAmounts> = {};
  const resourceIds: Record<string, string> = {};
  for (const task of pod.tasks) {
    const resourceId = context.newId(`${instance.name}-${task.name}-r`);
    resourceIds[task.name] = resourceId;
    reserved[task.name] = amounts(task);
    reservedParts[task.name] = reservedPart(
      reservationStack(context.role, context.principal, resourceId),
      vector(layout, reserved[task.name]),
    );
    operations.push({ type: 'RESERVE', resources: only(layout, [reservedParts[task.name]]) });
  }
  const volumeParts: ReservedPart[] = [];
  const volumes = pod.volumes.map((volume) => {
    const resourceId = context.newId(`${instance.name}-volume-r`);
    const persistenceId = context.newId(`${instance.name}-${volume.containerPath}`);
    const stack = reservationStack(context.role, context.principal, resourceId);
    const disk = layout.vector({ disk: volume.sizeMb });
    operations.push({ type: 'RESERVE', resources: only(layout, [reservedPart(stack, disk)]) });
    const part = reservedPart(stack, disk, [], { persistenceId, containerPath: volume.containerPath, mode: 'RW' });
    operations.push({ type: 'CREATE', volumes: only(layout, [part]) });
    volumeParts.push(part);
    return { containerPath: volume.containerPath, persistenceId, resourceId, sizeMb: volume.sizeMb };
  });
  stages.push({
    stage: 'volumes',
    pass: true,
    reason: volumes.length ? `create ${volumes.map((v) => `${v.containerPath} (${v.sizeMb} MB)`).join(', ')}` : 'no volumes',
  });
  const tasks = launchSpecs(offer, instance, pod, context, reservedParts, volumeParts, context.launch);
  if (!tasks) return fail('ports', 'ports went missing while building the launch', OFFER_REASON.LAUNCH_FAILED);
  operations.push({ type: 'LAUNCH_GROUP', tasks: tasks.map((t) => t.spec) });
  stages.push({ stage: 'launch', pass: true, reason: `first launch of ${instance.name} on ${offer.agentId}` });
  return { offerId: offer.id, agentId: offer.agentId, stages, operations, tasks, reserved, placement: { resourceIds, volumes } };
}

function relaunch(
  offer: Offer,
  instance: PodInstance,
  pod: PodSpec,
  context: EvaluationContext,
  stages: StageOutcome[],
  fail: Fail,
): Evaluation {
  const { layout } = context;
  const operations: OfferOperation[] = [];
  const reservedParts: Record<string, ReservedPart> = {};
  const reserved: Record<string, ReservedAmounts> = {};
  const changes: string[] = [];
  let unreserved = layout.quantities(offer.resources.scalars);
  for (const task of pod.tasks) {
    const resourceId = instance.resourceIds[task.name];
    const part = resourceId ? findReserved(offer.resources, resourceId, false) : undefined;
    if (!resourceId || !part)
      return fail(
        'scalars',
        `missing reservation ${resourceId ?? '(none)'} of ${instance.name}-${task.name} in this offer`,
        OFFER_REASON.MISSING_RESERVATION,
      );
    const want = amounts(task);
    const has = layout.quantities(part.scalars);
    const stack = part.reservations;
    const grow: Record<string, number> = {};
    const shrink: Record<string, number> = {};
    for (const [name, amount] of [
      ['cpus', want.cpus],
      ['mem', want.memMb],
      ['disk', want.diskMb],
    ] as const) {
      const delta = amount - (has[name] ?? 0);
      if (delta > EPSILON) grow[name] = delta;
      else if (delta < -EPSILON) shrink[name] = -delta;
    }
    for (const [name, amount] of Object.entries(grow)) {
      if ((unreserved[name] ?? 0) + EPSILON < amount)
        return fail(
          'scalars',
          `insufficient ${name} to grow ${instance.name}-${task.name}: need ${round(amount)} more, offer has ${round(unreserved[name] ?? 0)} unreserved`,
          OFFER_REASON.INSUFFICIENT_RESOURCES,
        );
      unreserved = { ...unreserved, [name]: (unreserved[name] ?? 0) - amount };
    }
    if (Object.keys(grow).length > 0) {
      operations.push({ type: 'RESERVE', resources: only(layout, [reservedPart(stack, layout.vector(grow))]) });
      changes.push(`reserve ${describe(grow)} more for ${task.name}`);
    }
    if (Object.keys(shrink).length > 0) {
      operations.push({ type: 'UNRESERVE', resources: only(layout, [reservedPart(stack, layout.vector(shrink))]) });
      changes.push(`unreserve ${describe(shrink)} of ${task.name}`);
    }
    reserved[task.name] = want;
    reservedParts[task.name] = reservedPart(stack, vector(layout, want));
  }
  stages.push({
    stage: 'scalars',
    pass: true,
    reason: changes.length ? changes.join('; ') : `reservations of ${instance.name} found by resource_id`,
  });
  const volumeParts: ReservedPart[] = [];
  for (const volume of instance.volumes.filter((record) => pod.volumes.some((spec) => spec.containerPath === record.containerPath))) {
    const part = findReserved(offer.resources, volume.resourceId, true);
    if (!part || part.volume?.persistenceId !== volume.persistenceId)
      return fail('volumes', `volume ${volume.persistenceId} of ${instance.name} is not in this offer`, OFFER_REASON.MISSING_VOLUME);
    volumeParts.push(part);
  }
  stages.push({
    stage: 'volumes',
    pass: true,
    reason: volumeParts.length ? `reuse ${instance.volumes.map((v) => v.persistenceId).join(', ')}` : 'no volumes',
  });
  const tasks = launchSpecs(offer, instance, pod, context, reservedParts, volumeParts);
  if (!tasks) return fail('ports', 'ports went missing while building the launch', OFFER_REASON.LAUNCH_FAILED);
  operations.push({ type: 'LAUNCH_GROUP', tasks: tasks.map((t) => t.spec) });
  stages.push({ stage: 'launch', pass: true, reason: `relaunch of ${instance.name} in place on ${offer.agentId}` });
  return { offerId: offer.id, agentId: offer.agentId, stages, operations, tasks, reserved };
}

function describe(quantities: Record<string, number>): string {
  return Object.entries(quantities)
    .map(([name, amount]) => `${name} ${round(amount)}`)
    .join(', ');
}
