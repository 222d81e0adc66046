/**
 * A framework's configuration, as every host reads it: the fields every
 * framework has (id, role, kind, offer handling, capabilities) and, in
 * `options`, the settings its kind's plugin validated (kernel/src/frameworks).
 * A scenario file holds a list of these; the Node host builds one per
 * scheduler it runs.
 */
import type { ResourceQuantities } from '../resources/layout.js';

export type FrameworkKind = 'batch' | 'service' | 'stateful' | 'elastic';

/** The batch kind's queue of identical tasks (empty for the other kinds). */
export interface FrameworkTasks {
  count: number;
  resources: ResourceQuantities;
  /** How many ports each task needs; default 0. */
  ports: number;
  /** Null (the default): runs until killed. */
  durationMs: number | null;
  /**
   * Each task keeps a dynamic reservation (labelled with a resource_id) and a
   * persistent volume of this size; a relaunched task returns to both.
   */
  persistentVolume?: { sizeMb: number; containerPath: string };
}

export type FrameworkCapability =
  | 'GPU_RESOURCES'
  | 'MULTI_ROLE'
  | 'PARTITION_AWARE'
  | 'REGION_AWARE'
  | 'RESERVATION_REFINEMENT'
  | 'REVOCABLE_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'TASK_KILLING_STATE';

export interface FrameworkConfig {
  id: string;
  /** Default: the id. */
  name: string;
  role: string;
  kind: FrameworkKind;
  /** Settings validated by the kind's plugin (kernel/src/frameworks): every kind but batch, and batch for `jobs`. */
  options?: unknown;
  tasks: FrameworkTasks;
  /** Default 1. */
  maxTasksPerOffer: number;
  /** Default 5; the allocator applies Mesos's rules to 0, negative and huge values. */
  refuseSeconds: number;
  /** Default []; always contains "PARTITION_AWARE" when `partitionAware` is true. */
  capabilities: FrameworkCapability[];
  /** Default: whether `capabilities` lists "PARTITION_AWARE". */
  partitionAware: boolean;
  /** Default false: relaunch tasks that fail or are lost. */
  relaunch: boolean;
  /** Batch only, default false: with `relaunch`, also replace tasks killed by others (a drain), keeping the task count. */
  keepRunning?: boolean;
  /** Default 0: when the framework subscribes. */
  startAtMs: number;
  minAllocatable?: ResourceQuantities[];
}
