/**
 * The master's configuration as Mesos shows flags (`/flags`, `/master/state`
 * `flags`, GET_FLAGS): Mesos's flag names where one exists, every value a
 * string, durations in stout's form ("1secs", "10mins", "200ms").
 */
import type { HistoryLimits } from './completedHistory.js';

/** stout's Duration printing: the largest unit the value is a whole number of. */
export function mesosDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['weeks', 604_800_000],
    ['days', 86_400_000],
    ['hrs', 3_600_000],
    ['mins', 60_000],
    ['secs', 1000],
    ['ms', 1],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export interface MasterFlagInputs {
  ip: string;
  port: number;
  hostname: string;
  workDir: string | null;
  store: string;
  allocationIntervalMs: number;
  agentUnreachableTimeoutMs: number;
  agentReregisterTimeoutMs: number;
  offerTimeoutMs: number | null;
  heartbeatMs: number;
  authenticated: boolean;
  history: HistoryLimits;
}

export function masterFlags(inputs: MasterFlagInputs): Record<string, string> {
  const flags: Record<string, string> = {
    agent_ping_timeout: mesosDuration(Math.round(inputs.agentUnreachableTimeoutMs / 5)),
    agent_reregister_timeout: mesosDuration(inputs.agentReregisterTimeoutMs),
    allocation_interval: mesosDuration(inputs.allocationIntervalMs),
    allocator: 'HierarchicalDRF',
    authenticate_agents: String(inputs.authenticated),
    authenticate_frameworks: String(inputs.authenticated),
    authenticate_http_frameworks: String(inputs.authenticated),
    authenticate_http_readonly: String(inputs.authenticated),
    authenticate_http_readwrite: String(inputs.authenticated),
    framework_sorter: 'drf',
    hostname: inputs.hostname,
    http_framework_authenticators: 'basic',
    ip: inputs.ip,
    max_agent_ping_timeouts: '5',
    max_completed_frameworks: String(inputs.history.maxCompletedFrameworks),
    max_completed_tasks_per_framework: String(inputs.history.maxCompletedTasksPerFramework),
    port: String(inputs.port),
    registry: inputs.store,
    role_sorter: 'drf',
    version: 'false',
    heartbeat_interval: mesosDuration(inputs.heartbeatMs),
  };
  if (inputs.workDir) flags.work_dir = inputs.workDir;
  if (inputs.offerTimeoutMs !== null) flags.offer_timeout = mesosDuration(inputs.offerTimeoutMs);
  return Object.fromEntries(Object.entries(flags).sort(([a], [b]) => (a < b ? -1 : 1)));
}
