/**
 * The validated settings of an `elastic` framework (Myriad-like): the
 * NodeManager profiles, the flex schedule, and the YARN workload the
 * simulated ResourceManager runs on the NodeManagers.
 */
import type { Profile } from './profiles.js';

export interface FlexAction {
  readonly atMs: number;
  readonly action: 'up' | 'down';
  readonly profile: string;
  readonly count: number;
}

/** One YARN application: an application master, then `containers` workers of `durationMs` each. */
export interface YarnApplicationSpec {
  readonly id: string;
  readonly atMs: number;
  readonly containers: number;
  readonly resources: Profile;
  /** Default: `resources`. */
  readonly amResources: Profile;
  readonly durationMs: number;
}

/** `framework.options` of an elastic framework. */
export interface ElasticOptions {
  /** The four defaults, plus or overridden by the scenario's. */
  readonly profiles: Readonly<Record<string, Profile>>;
  readonly nodeManagerOverhead: Profile;
  readonly flex: readonly FlexAction[];
  readonly applications: readonly YarnApplicationSpec[];
}
