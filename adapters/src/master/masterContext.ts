/**
 * What the HTTP handlers of one master daemon share: the kernel host, the
 * open subscriptions, the logger and the daemon's settings.
 */
import type { Logger } from 'pino';
import type { AgentSessions } from './agentSessions.js';
import type { FrameworkSessions } from './frameworkSessions.js';
import type { CompletedHistory } from './completedHistory.js';
import type { MasterExecutors } from './masterExecutors.js';
import type { MasterHost } from './masterHost.js';
import type { TaskContainers } from './taskContainers.js';

export interface MasterSettings {
  ip: string;
  port: number;
  hostname: string;
  version: string;
  heartbeatMs: number;
  /** Agents must present it as `Authorization: Bearer <secret>`; null = no check. */
  agentSecret: string | null;
  /** When this master process started (wall ms), for `start_time` and `master/uptime_secs`. */
  startedAtMs: number;
  /** The daemon's flags in Mesos's names and string forms, for /flags and GET_FLAGS. */
  flags: Record<string, string>;
}

export interface MasterContext {
  host: MasterHost;
  frameworks: FrameworkSessions;
  agents: AgentSessions;
  /** Container ids of tasks, from the agents' status updates. */
  containers: TaskContainers;
  /** Custom executors launched through this master. */
  executors: MasterExecutors;
  /** Removed frameworks and ended tasks, bounded, for the classic endpoints. */
  history: CompletedHistory;
  logger: Logger;
  settings: MasterSettings;
}

export function masterInfoJson(context: MasterContext): Record<string, unknown> {
  const { settings, host } = context;
  return {
    id: host.registry.masterId,
    ip: ipv4AsNumber(settings.ip),
    port: settings.port,
    hostname: settings.hostname,
    version: settings.version,
    address: { hostname: settings.hostname, ip: settings.ip, port: settings.port },
  };
}

/** Mesos's MasterInfo.ip is an IPv4 address as a (network order) uint32. */
function ipv4AsNumber(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return 0;
  return ((parts[3] << 24) >>> 0) + (parts[2] << 16) + (parts[1] << 8) + parts[0];
}
