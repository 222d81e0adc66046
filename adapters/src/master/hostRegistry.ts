/**
 * What only the daemon knows, beside the kernel: the master's identity and
 * clock base, the framework counter, framework infos with their failover
 * timeouts, and agents' addresses. Persisted with the kernel's registry, one
 * key per object (stateRecords.ts).
 */
import type { AgentEndpoint } from './mesosJson.js';

export interface FrameworkRecord {
  id: string;
  /** FrameworkInfo as the framework sent it (normalized: id set, roles as a list). */
  info: Record<string, unknown>;
  roles: string[];
  failoverTimeoutMs: number;
  registeredAtMs: number;
}

export interface AgentInfoRecord extends AgentEndpoint {
  id: string;
  registeredAtMs: number;
}

export interface HostRegistry {
  masterId: string;
  /** Wall-clock ms at which the kernel's time 0 lies: kernel times survive restarts. */
  clockBaseMs: number;
  nextFrameworkSeq: number;
  frameworks: Map<string, FrameworkRecord>;
  agents: Map<string, AgentInfoRecord>;
}
