/**
 * Workloads: a cluster plus a sequence of abstract steps for a Master. Offer
 * and task ids exist only at run time, so steps that answer offers or update
 * tasks say which one by `pick` (an index taken modulo what is outstanding when
 * the step runs) and describe tasks as shares of what the offer has left;
 * `runWorkload` resolves them into concrete commands. Time only moves forward.
 */
import fc from 'fast-check';
import { createPrng } from '../prng.js';
import type { MasterOptions } from '../master/master.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type { QuotaSpec } from '../roles/quota.js';
import type { Cluster, ClusterOptions } from './arbitraries.js';
import { clusterArbitrary, plainRecord, quotaArbitrary, weightArbitrary } from './arbitraries.js';

/** A task carved out of an offer when the step runs. */
export interface TaskShape {
  /** Share of each unreserved scalar still left in the offer, in (0, 1]. */
  fraction: number;
  /** Share of each reserved scalar still left, in [0, 1]. */
  reservedFraction: number;
  ports: number;
  /** Ask for more than the offer has: the master must answer TASK_ERROR. */
  oversized: boolean;
  /** Reuse the framework's previous task id: the master must answer TASK_ERROR. */
  reuseId: boolean;
}

/** States a workload's agents report for a task (TASK_UNREACHABLE is opt-in: see `WorkloadOptions`). */
export type ReportedState =
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_LOST'
  | 'TASK_UNREACHABLE';

/** How an ACCEPT names its offers: the picked one, plus the caller's others on that agent, or plus one on another agent (invalid). */
export type OfferMerge = 'none' | 'same-agent' | 'other-agent';

export type WorkloadStep =
  /** Moves the clock forward (0 = now) and ticks: due allocation cycles and offer timeouts run. */
  | { type: 'tick'; advanceMs: number }
  | { type: 'agent.add'; pick: number }
  | { type: 'agent.remove'; pick: number }
  /** The agent's connection drops; its tasks keep running and it may re-register. */
  | { type: 'agent.disconnect'; pick: number }
  /** The host's failure detector gives up on the agent: its tasks become UNREACHABLE (or LOST). */
  | { type: 'agent.unreachable'; pick: number }
  /** A registered or unreachable agent re-registers, reporting the tasks the master placed there (`keep` drops some). */
  | { type: 'agent.reregister'; pick: number; keep: boolean[] }
  | { type: 'agent.updateAttributes'; pick: number; rack: string }
  /** Subscribes a framework of the cluster, or re-subscribes it when it is known. */
  | { type: 'framework.subscribe'; pick: number }
  | { type: 'framework.disconnect'; pick: number }
  | { type: 'framework.teardown'; pick: number }
  /** `roles`: indices into the framework's roles; null = all of them. */
  | { type: 'framework.suppress'; pick: number; roles: number[] | null }
  | { type: 'framework.revive'; pick: number; roles: number[] | null }
  | { type: 'offer.decline'; pick: number; refuseSeconds?: number }
  | { type: 'offer.accept'; pick: number; merge: OfferMerge; tasks: TaskShape[]; refuseSeconds?: number }
  | { type: 'task.status'; pick: number; state: ReportedState }
  | { type: 'task.kill'; pick: number }
  | { type: 'role.weight'; pick: number; weight: number }
  /** On a top-level role; the limit may fall below what the role already holds. */
  | { type: 'role.quota'; pick: number; quota: QuotaSpec | null };

export type WorkloadStepType = WorkloadStep['type'];

export interface WorkloadSettings {
  allocationIntervalMs: number;
  offerTimeoutMs: number | null;
  minAllocatable?: ResourceQuantities[];
  fairSharingExcludedResourceNames: string[];
  roleSorter: 'drf' | 'random';
  frameworkSorter: 'drf' | 'random';
}

export interface Workload {
  /** Seeds the master's PRNG (agent shuffles, the random sorter). */
  seed: number;
  settings: WorkloadSettings;
  cluster: Cluster;
  steps: WorkloadStep[];
}

export interface WorkloadOptions extends ClusterOptions {
  stepsMin?: number;
  stepsMax?: number;
  /** Also use the random sorters (default false: DRF only, which the DRF-order law needs). */
  randomSorters?: boolean;
  /** Let agents report TASK_UNREACHABLE too (default false: an open kernel issue, see the README). */
  unreachable?: boolean;
  /** Step types never to generate, e.g. `STATIC_CLUSTER_EXCLUDED` for a cluster whose agents and quotas stay put. */
  exclude?: readonly WorkloadStepType[];
}

/** Steps that change which agents (and so which reservations) are registered, or change quota. */
export const STATIC_CLUSTER_EXCLUDED: readonly WorkloadStepType[] = [
  'agent.add',
  'agent.remove',
  'agent.unreachable',
  'agent.reregister',
  'role.quota',
];

const REFUSE_SECONDS = [0, 0.5, 1, 5, 30, -1, 1e9] as const;
const pick = fc.nat({ max: 1000 });

function refuseSecondsArbitrary(): fc.Arbitrary<number | undefined> {
  return fc.option(fc.constantFrom(...REFUSE_SECONDS), { nil: undefined, freq: 4 });
}

function taskShapeArbitrary(): fc.Arbitrary<TaskShape> {
  return plainRecord({
    fraction: fc.constantFrom(0.1, 0.25, 0.5, 1),
    reservedFraction: fc.constantFrom(0, 0.5, 1),
    ports: fc.integer({ min: 0, max: 2 }),
    oversized: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    reuseId: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  });
}

function rolesChoiceArbitrary(): fc.Arbitrary<number[] | null> {
  return fc.option(fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 2 }), { nil: null });
}

export function workloadStepArbitrary(options: WorkloadOptions = {}): fc.Arbitrary<WorkloadStep> {
  const states: ReportedState[] = [
    'TASK_STARTING',
    'TASK_RUNNING',
    'TASK_KILLING',
    'TASK_FINISHED',
    'TASK_FAILED',
    'TASK_KILLED',
    'TASK_LOST',
  ];
  if (options.unreachable) states.push('TASK_UNREACHABLE');
  const advanceMs = fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 1, max: 1500 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1500, max: 12_000 }) },
  );
  const choices: Array<{ type: WorkloadStepType } & fc.WeightedArbitrary<WorkloadStep>> = [
    { type: 'tick', weight: 10, arbitrary: plainRecord({ type: fc.constant('tick' as const), advanceMs }) },
    { type: 'agent.add', weight: 1, arbitrary: plainRecord({ type: fc.constant('agent.add' as const), pick }) },
    { type: 'agent.remove', weight: 1, arbitrary: plainRecord({ type: fc.constant('agent.remove' as const), pick }) },
    { type: 'agent.disconnect', weight: 1, arbitrary: plainRecord({ type: fc.constant('agent.disconnect' as const), pick }) },
    { type: 'agent.unreachable', weight: 1, arbitrary: plainRecord({ type: fc.constant('agent.unreachable' as const), pick }) },
    {
      type: 'agent.reregister',
      weight: 1,
      arbitrary: plainRecord({
        type: fc.constant('agent.reregister' as const),
        pick,
        keep: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
      }),
    },
    {
      type: 'agent.updateAttributes',
      weight: 1,
      arbitrary: plainRecord({ type: fc.constant('agent.updateAttributes' as const), pick, rack: fc.constantFrom('r1', 'r2', 'r3') }),
    },
    { type: 'framework.subscribe', weight: 1, arbitrary: plainRecord({ type: fc.constant('framework.subscribe' as const), pick }) },
    { type: 'framework.disconnect', weight: 1, arbitrary: plainRecord({ type: fc.constant('framework.disconnect' as const), pick }) },
    { type: 'framework.teardown', weight: 1, arbitrary: plainRecord({ type: fc.constant('framework.teardown' as const), pick }) },
    {
      type: 'framework.suppress',
      weight: 1,
      arbitrary: plainRecord({ type: fc.constant('framework.suppress' as const), pick, roles: rolesChoiceArbitrary() }),
    },
    {
      type: 'framework.revive',
      weight: 2,
      arbitrary: plainRecord({ type: fc.constant('framework.revive' as const), pick, roles: rolesChoiceArbitrary() }),
    },
    {
      type: 'offer.decline',
      weight: 6,
      arbitrary: plainRecord({ type: fc.constant('offer.decline' as const), pick, refuseSeconds: refuseSecondsArbitrary() }),
    },
    {
      type: 'offer.accept',
      weight: 8,
      arbitrary: plainRecord({
        type: fc.constant('offer.accept' as const),
        pick,
        merge: fc.constantFrom<OfferMerge>('none', 'none', 'none', 'same-agent', 'other-agent'),
        tasks: fc.array(taskShapeArbitrary(), { maxLength: 3 }),
        refuseSeconds: refuseSecondsArbitrary(),
      }),
    },
    {
      type: 'task.status',
      weight: 6,
      arbitrary: plainRecord({ type: fc.constant('task.status' as const), pick, state: fc.constantFrom(...states) }),
    },
    { type: 'task.kill', weight: 1, arbitrary: plainRecord({ type: fc.constant('task.kill' as const), pick }) },
    {
      type: 'role.weight',
      weight: 1,
      arbitrary: plainRecord({ type: fc.constant('role.weight' as const), pick, weight: weightArbitrary() }),
    },
    {
      type: 'role.quota',
      weight: 1,
      arbitrary: plainRecord({ type: fc.constant('role.quota' as const), pick, quota: fc.option(quotaArbitrary(), { nil: null }) }),
    },
  ];
  const excluded = new Set(options.exclude ?? []);
  // Ticks are what make a workload allocate; they are never excluded.
  return fc.oneof(
    ...choices
      .filter((choice) => choice.type === 'tick' || !excluded.has(choice.type))
      .map(({ weight, arbitrary }) => ({ weight, arbitrary })),
  );
}

export function workloadSettingsArbitrary(options: WorkloadOptions = {}): fc.Arbitrary<WorkloadSettings> {
  const sorter = options.randomSorters ? fc.constantFrom<'drf' | 'random'>('drf', 'drf', 'random') : fc.constant<'drf' | 'random'>('drf');
  return plainRecord({
    allocationIntervalMs: fc.constantFrom(500, 1000),
    offerTimeoutMs: fc.option(fc.constantFrom(2000, 5000), { nil: null, freq: 3 }),
    minAllocatable: fc.option(fc.constantFrom<ResourceQuantities[]>([{ cpus: 0.5 }], [{ cpus: 0.1 }, { mem: 256 }]), {
      nil: undefined,
      freq: 3,
    }),
    fairSharingExcludedResourceNames: fc.constantFrom<string[]>([], [], ['gpus']),
    roleSorter: sorter,
    frameworkSorter: sorter,
  }).map((settings) => {
    const { minAllocatable, ...rest } = settings;
    return minAllocatable ? { ...rest, minAllocatable } : rest;
  });
}

export function workloadArbitrary(options: WorkloadOptions = {}): fc.Arbitrary<Workload> {
  return plainRecord({
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
    settings: workloadSettingsArbitrary(options),
    cluster: clusterArbitrary(options),
    steps: fc.array(workloadStepArbitrary(options), {
      minLength: options.stepsMin ?? 1,
      maxLength: options.stepsMax ?? 30,
      size: 'medium',
    }),
  });
}

/** Master options matching a workload; `overrides` wins (e.g. `{ fastPaths: false, decisionCycles: 1 }`). */
export function workloadMasterOptions(workload: Workload, overrides: Partial<MasterOptions> = {}): MasterOptions {
  const { settings } = workload;
  return {
    prng: createPrng(workload.seed),
    allocationIntervalMs: settings.allocationIntervalMs,
    offerTimeoutMs: settings.offerTimeoutMs,
    fairSharingExcludedResourceNames: settings.fairSharingExcludedResourceNames,
    roleSorter: settings.roleSorter,
    frameworkSorter: settings.frameworkSorter,
    ...(settings.minAllocatable ? { minAllocatable: settings.minAllocatable } : {}),
    ...overrides,
  };
}
