/**
 * The validated settings of a `service` framework (Marathon-like): its apps
 * and the maintenance windows it was told of. An app is a number of identical
 * instances of one version; `changes` rescale it or roll it to a new version
 * at given times. Every field has Marathon's default unless noted.
 */
import type { MarathonSnapshot } from './marathonFramework.js';
import type { ResourceQuantities } from '../../resources/layout.js';
import type { PlacementConstraint } from '../../sdk/constraints.js';
import type { HealthCheckSpec } from './healthCheck.js';
import type { BackoffSpec } from './launchBackoff.js';
import type { MaintenanceWindow } from './offerFunnel.js';
import type { UnreachableStrategy } from './unreachableStrategy.js';
import type { UpgradeStrategy } from './upgradeStrategy.js';

export interface AppChange {
  readonly atMs: number;
  readonly instances?: number;
  /** A new version: a rolling restart under the app's upgrade strategy. */
  readonly version?: string;
}

export interface ServiceApp {
  readonly id: string;
  /** Default: the framework's role. */
  readonly role: string;
  /** Default null: unreserved and reserved-for-role resources alike. */
  readonly acceptedResourceRoles: readonly string[] | null;
  readonly instances: number;
  readonly resources: ResourceQuantities;
  /** Default 0. */
  readonly ports: number;
  /** Default null: runs until killed; else the process exits after this long (a failure, for a service). */
  readonly durationMs: number | null;
  /** Default []. */
  readonly constraints: readonly PlacementConstraint[];
  /** Default null: an instance is healthy as soon as it runs. */
  readonly healthCheck: HealthCheckSpec | null;
  /**
   * Default false: a new instance counts for a restart once healthy. True (Marathon's readiness checks, run by
   * a real cluster's host): it also waits until the host reports it ready (`task.ready`).
   */
  readonly readiness?: boolean;
  /**
   * Default none: an unreachable instance counts until the master ends it. Given (Marathon's unreachableStrategy,
   * on a real cluster): it is replaced after inactiveAfterMs and forgotten after expungeAfterMs.
   */
  readonly unreachable?: UnreachableStrategy;
  readonly upgradeStrategy: UpgradeStrategy;
  readonly backoff: BackoffSpec;
  /** Default "1". */
  readonly version: string;
  /** Default [], in time order. */
  readonly changes: readonly AppChange[];
}

/** `framework.options` of a service framework. */
export interface ServiceOptions {
  readonly apps: readonly ServiceApp[];
  /** Default []. */
  readonly maintenance: readonly MaintenanceWindow[];
  /** The model's store: it starts from it as if restarted (a live Marathon forked into the simulator). */
  readonly snapshot?: MarathonSnapshot;
}
