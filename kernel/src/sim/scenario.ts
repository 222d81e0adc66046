/**
 * A scenario: the cluster, roles, frameworks and fault schedule of one
 * simulation. `ScenarioInput` is the form written in a JSON file; `Scenario` is
 * the validated form with every default filled in and every agent `count`
 * expanded. `parseScenario` is the only way from one to the other, and it
 * reports every problem with its JSON path instead of stopping at the first.
 */
import type { FrameworkCapability, FrameworkConfig, FrameworkKind } from '../schedulers/frameworkConfig.js';
import type { ServiceSpec } from '../sdk/serviceSpec.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type { FieldError } from '../schedulers/fieldReaders.js';
import type { PortRanges } from '../schedulers/resourceReaders.js';
import { validateScenario } from './scenarioValidation.js';

export type { FrameworkCapability, PortRanges, ResourceQuantities };

export type SorterKind = 'drf' | 'random';

export interface ScenarioAllocator {
  roleSorter: SorterKind;
  frameworkSorter: SorterKind;
  /** Default []. */
  fairSharingExcludedResourceNames: string[];
  /** Default [{ cpus: 0.01 }, { mem: 32 }]: offerable when any one entry fits. */
  minAllocatable: ResourceQuantities[];
  /** Default null: outstanding offers are never rescinded for age. */
  offerTimeoutMs: number | null;
}

export interface ScenarioQuota {
  guarantee?: ResourceQuantities;
  limit?: ResourceQuantities;
}

export interface ScenarioRole {
  name: string;
  /** Default 1. */
  weight: number;
  /** Only on top-level roles; guarantee <= limit for every name in both. */
  quota?: ScenarioQuota;
}

/** A static reservation: part of its agent's resources, never in addition to them. */
export interface ScenarioReservation {
  role: string;
  resources: ResourceQuantities;
  /** Default []; inside the agent's ports. */
  ports: PortRanges;
  /** Default {}. */
  labels: Record<string, string>;
}

/** A task running on an agent at time 0 (a fork of a live cluster). */
export interface ScenarioAgentTask {
  id: string;
  framework: string;
  /** Default: the framework's role. */
  role?: string;
  resources: ResourceQuantities;
  ports: PortRanges;
  /** Its resources come out of the agent's static reservation of this role. */
  reservation?: string;
  /** Null: runs until killed; else it finishes after this long. */
  durationMs: number | null;
}

export interface ScenarioAgent {
  id: string;
  /** Default: the (expanded) id. */
  hostname: string;
  resources: ResourceQuantities;
  ports: PortRanges;
  attributes: Record<string, string | number>;
  reservations: ScenarioReservation[];
  /** Tasks running on it at time 0 (absent in most scenarios). */
  tasks?: ScenarioAgentTask[];
}

/** A scenario's framework is a framework config (kernel/src/schedulers), as every host reads it. */
export type ScenarioFramework = FrameworkConfig;

export type ScenarioFault =
  | { atMs: number; type: 'agent.crash' | 'agent.restart'; agent: string }
  /** An operator drains the agent (its tasks are killed, it gets no offers), or the machine is gone for good (crash, then marked gone). */
  | { atMs: number; type: 'agent.drain' | 'agent.gone'; agent: string }
  | { atMs: number; type: 'network.partition' | 'network.heal'; agents: string[] }
  /** Without `task`, the simulator picks one running task of the framework. */
  | { atMs: number; type: 'task.fail'; framework: string; task?: string }
  | { atMs: number; type: 'master.failover' }
  /** Without `roles`, all of the framework's roles. */
  | { atMs: number; type: 'framework.revive' | 'framework.suppress'; framework: string; roles?: string[] }
  | { atMs: number; type: 'role.update'; role: string; weight?: number; quota?: ScenarioQuota }
  /** An `agent.add` with `count` n in the file becomes n of these, one per agent. */
  | { atMs: number; type: 'agent.add'; agent: ScenarioAgent }
  /** SDK plan controls on a stateful framework's plan (and phase, step). */
  | {
      atMs: number;
      type: 'plan.interrupt' | 'plan.continue' | 'plan.restart' | 'plan.forceComplete';
      framework: string;
      plan: string;
      phase?: string;
      step?: string;
    }
  | { atMs: number; type: 'pod.replace' | 'pod.restart'; framework: string; pod: string }
  /** Start a custom plan (with parameters for its tasks), or stop one. */
  | { atMs: number; type: 'plan.start'; framework: string; plan: string; parameters?: Record<string, string> }
  | { atMs: number; type: 'plan.stop'; framework: string; plan: string }
  /** A new target config for a stateful framework (validated against the current one when applied). */
  | { atMs: number; type: 'service.update'; framework: string; service: ServiceSpec }
  /** Uninstall a stateful service (every reservation given back); restart its scheduler from its state store. */
  | { atMs: number; type: 'service.uninstall' | 'scheduler.restart'; framework: string }
  /**
   * Maintenance of the agents' machines (by their hostnames): a window that starts `startsInMs` after the
   * fault (simulated frameworks accept the inverse offers, which drains the agents), then the machines
   * going DOWN and UP again.
   */
  | { atMs: number; type: 'maintenance.schedule'; agents: string[]; startsInMs?: number; durationMs?: number }
  | { atMs: number; type: 'maintenance.start' | 'maintenance.stop'; agents: string[] };

export type ScenarioFaultType = ScenarioFault['type'];

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  durationMs: number;
  allocationIntervalMs: number;
  allocator: ScenarioAllocator;
  roles: ScenarioRole[];
  agents: ScenarioAgent[];
  frameworks: ScenarioFramework[];
  faults: ScenarioFault[];
}

// The file form: what a person writes. Optional fields take the defaults above.

export interface ScenarioRoleInput {
  name: string;
  weight?: number;
  quota?: ScenarioQuota;
}

export interface ScenarioReservationInput {
  role: string;
  resources: ResourceQuantities;
  ports?: PortRanges;
  labels?: Record<string, string>;
}

export interface ScenarioAgentInput {
  id: string;
  /** Default 1; n > 1 makes agents `${id}-1` .. `${id}-${n}` (and suffixes a given hostname alike). */
  count?: number;
  hostname?: string;
  resources: ResourceQuantities;
  ports?: PortRanges;
  attributes?: Record<string, string | number>;
  reservations?: ScenarioReservationInput[];
  /** Only with `count` 1. */
  tasks?: Array<Omit<ScenarioAgentTask, 'ports' | 'durationMs'> & { ports?: PortRanges; durationMs?: number | null }>;
}

export interface ScenarioTasksInput {
  count: number;
  resources: ResourceQuantities;
  ports?: number;
  durationMs?: number | null;
  persistentVolume?: { sizeMb: number; containerPath?: string };
}

export interface ScenarioFrameworkInput {
  id: string;
  name?: string;
  role: string;
  kind: FrameworkKind;
  /** Batch only. */
  tasks?: ScenarioTasksInput;
  maxTasksPerOffer?: number;
  refuseSeconds?: number;
  capabilities?: FrameworkCapability[];
  partitionAware?: boolean;
  relaunch?: boolean;
  startAtMs?: number;
  minAllocatable?: ResourceQuantities[];
  /** Fields of the other kinds (see kernel/src/frameworks/<kind>). */
  [kindField: string]: unknown;
}

export type ScenarioFaultInput =
  | Exclude<ScenarioFault, { type: 'agent.add' | 'service.update' }>
  | { atMs: number; type: 'service.update'; framework: string; service: unknown }
  | { atMs: number; type: 'agent.add'; agent: ScenarioAgentInput };

export interface ScenarioInput {
  name: string;
  description?: string;
  seed?: number;
  durationMs: number;
  allocationIntervalMs?: number;
  allocator?: Partial<ScenarioAllocator>;
  roles?: ScenarioRoleInput[];
  agents?: ScenarioAgentInput[];
  frameworks?: ScenarioFrameworkInput[];
  faults?: ScenarioFaultInput[];
}

/** `path` is a JSON path such as "$.agents[2].resources.cpus". */
export type ScenarioError = FieldError;

export type ScenarioResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

/** Validates a parsed JSON value and fills in defaults; never throws. */
export function parseScenario(input: unknown): ScenarioResult {
  return validateScenario(input);
}

/** One line per error: "$.path: message". */
export function formatScenarioErrors(errors: readonly ScenarioError[]): string {
  return errors.map((error) => `${error.path}: ${error.message}`).join('\n');
}
