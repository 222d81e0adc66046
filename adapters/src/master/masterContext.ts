/**
 * What the HTTP handlers of one master daemon share: the kernel host, the
 * open subscriptions, the logger and the daemon's settings.
 */
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { AgentSessions } from './agentSessions.js';
import type { FrameworkLimits } from './frameworkLimits.js';
import type { FrameworkSessions } from './frameworkSessions.js';
import type { CompletedHistory } from './completedHistory.js';
import type { MasterExecutors } from './masterExecutors.js';
import type { MasterHost, RunOptions } from './masterHost.js';
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
  /** How long a call may wait for its turn in the master's queue before it is dropped unrun (503). */
  requestBudgetMs: number;
  limits: FrameworkLimits;
}

export const REQUEST_BUDGET_MS = 10_000;

/** The queue deadline of a call that starts being handled now. */
export function requestDeadline(context: MasterContext): RunOptions {
  return { deadlineMs: performance.now() + context.settings.requestBudgetMs };
}

/** An authorization decision: 403 (or another 4xx) with the reason when refused. */
export type Decision = { ok: true } | { ok: false; status: number; reason: string };

/**
 * Authorization as the handlers ask for it, once a call is validated and
 * normalized (adapters/src/security/masterSecurity.ts; null = no security file).
 */
export interface CallAuthorizer {
  subscribe(
    request: FastifyRequest,
    facts: { frameworkId: string | undefined; roles: readonly string[]; declaredPrincipal: string | null },
  ): Decision;
  schedulerCall(request: FastifyRequest, call: Record<string, any>): Decision;
  /** Each operation of an ACCEPT the call as a whole was allowed for, in order. */
  acceptOperations(request: FastifyRequest, call: Record<string, any>): Decision[];
  operatorCall(request: FastifyRequest, call: Record<string, any>): Decision;
  /**
   * A read of cluster state outside the operator API (the event stream, /metrics, the classic endpoints), judged
   * as the operator call that returns the same data (GET_STATE, GET_METRICS, GET_TASKS, ...).
   */
  read(request: FastifyRequest, call: string): Decision;
}

export interface MasterContext {
  host: MasterHost;
  authorizer: CallAuthorizer | null;
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
