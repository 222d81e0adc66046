/**
 * What the service scheduler remembers about each pod instance ("node-0"):
 * where its reservations and volumes live (by resource_id label), what is
 * reserved for each task, its tasks and their states, the config it runs
 * under, and its failure clock. Written before operations are sent, so a
 * launch that is lost in flight is still known (SDK: record, then act).
 */
import type { TaskState } from '../tasks/taskState.js';
import type { PlacementTarget } from './constraints.js';

export interface TaskRecord {
  readonly name: string;
  taskId: string | null;
  state: TaskState | null;
  ready: boolean;
  configId: number;
}

export interface VolumeRecord {
  readonly containerPath: string;
  readonly persistenceId: string;
  readonly resourceId: string;
  readonly sizeMb: number;
}

export interface ReservedAmounts {
  cpus: number;
  memMb: number;
  diskMb: number;
}

export interface PodInstance {
  readonly name: string;
  readonly podType: string;
  readonly index: number;
  /** The agent holding its reservations; null before the first launch and after a permanent replace. */
  agentId: string | null;
  target: PlacementTarget | null;
  /** Per task name: the resource_id label of its reservation. */
  resourceIds: Record<string, string>;
  /** Per task name: what its reservation holds now. */
  reserved: Record<string, ReservedAmounts>;
  volumes: VolumeRecord[];
  tasks: Record<string, TaskRecord>;
  /** The config its reservations and tasks were made for. */
  configId: number;
  /** When it first failed since it last ran well: the permanent-failure clock (persisted). */
  failedAtMs: number | null;
  backoffMs: number | null;
  delayedUntilMs: number | null;
  /** Since when every task has been running and ready (null while not). */
  readySinceMs: number | null;
  /** A restart or replace asked for a fresh launch: what runs now does not count as done. */
  relaunchPending: boolean;
  /** A replacement goes elsewhere: the agent it was replaced from, until it has launched. */
  avoidAgentId: string | null;
  /**
   * Its first launch was sent and no task has shown a sign of life since: its
   * reservations may never have been made (absent in older snapshots: false).
   */
  unconfirmed?: boolean;
  decommissioned: boolean;
}

export function newPodInstance(podType: string, index: number, taskNames: readonly string[], configId: number): PodInstance {
  const tasks: Record<string, TaskRecord> = {};
  for (const name of taskNames) tasks[name] = { name, taskId: null, state: null, ready: false, configId };
  return {
    name: `${podType}-${index}`,
    podType,
    index,
    agentId: null,
    target: null,
    resourceIds: {},
    reserved: {},
    volumes: [],
    tasks,
    configId,
    failedAtMs: null,
    backoffMs: null,
    delayedUntilMs: null,
    readySinceMs: null,
    relaunchPending: false,
    avoidAgentId: null,
    decommissioned: false,
  };
}

/** Every resource_id this instance owns (tasks and volumes). */
export function ownedResourceIds(instance: PodInstance): string[] {
  return [...Object.values(instance.resourceIds), ...instance.volumes.map((volume) => volume.resourceId)];
}

/** Forgets where the instance lived: a permanent replacement starts over elsewhere. */
export function forgetPlacement(instance: PodInstance): string[] {
  const released = ownedResourceIds(instance);
  instance.agentId = null;
  instance.target = null;
  instance.resourceIds = {};
  instance.reserved = {};
  instance.volumes = [];
  instance.failedAtMs = null;
  instance.backoffMs = null;
  instance.delayedUntilMs = null;
  instance.readySinceMs = null;
  return released;
}
