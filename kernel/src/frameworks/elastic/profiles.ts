/**
 * Myriad's NodeManager profiles: the capacity a NodeManager advertises to
 * YARN. zero 0/0 (capacity only through fine-grained scaling), small 2/2048,
 * medium 4/4096, large 10/12288 (cpus/mem MB). The Mesos task of a
 * NodeManager holds its profile plus the daemon's own overhead.
 */
import type { ResourceQuantities } from '../../resources/layout.js';

export interface Profile {
  readonly cpus: number;
  readonly mem: number;
}

export const DEFAULT_PROFILES: Readonly<Record<string, Profile>> = Object.freeze({
  zero: { cpus: 0, mem: 0 },
  small: { cpus: 2, mem: 2048 },
  medium: { cpus: 4, mem: 4096 },
  large: { cpus: 10, mem: 12288 },
});

/** What the NodeManager daemon itself needs, beyond the capacity it offers YARN (Myriad's nodemanager settings). */
export const DEFAULT_NODE_MANAGER_OVERHEAD: Profile = { cpus: 0.2, mem: 1024 };

export function isZeroProfile(profile: Profile): boolean {
  return profile.cpus === 0 && profile.mem === 0;
}

/** The resources of a NodeManager's Mesos task. */
export function nodeManagerResources(profile: Profile, overhead: Profile): ResourceQuantities {
  return { cpus: profile.cpus + overhead.cpus, mem: profile.mem + overhead.mem };
}
