/**
 * The executor-facing details of Mesos's v1 executor API that carry no
 * state: what a launch for an executor holds, the environment an executor
 * starts with (MESOS_FRAMEWORK_ID, MESOS_EXECUTOR_ID, MESOS_DIRECTORY,
 * MESOS_SANDBOX, MESOS_AGENT_ENDPOINT, MESOS_CHECKPOINT, ...), and its update
 * uuids (base64 of bytes on the wire, text in the status update manager).
 */
import { join } from 'node:path';
import type { LaunchTaskSpec } from './launchSpec.js';
import { DEFAULT_PATH } from './launchSpec.js';
import type { TaskUser } from './sandbox.js';
import { SANDBOX_TMP_DIR } from './sandbox.js';

type Json = Record<string, any>;

export const EXECUTOR_SHUTDOWN_GRACE_MS = 5_000;
/**
 * How long a recovered executor has to subscribe to a restarted agent. Mesos's default is 2 s; allot
 * waits longer because the timer starts while the new agent is still opening its HTTP server.
 */
export const EXECUTOR_REREGISTRATION_TIMEOUT_MS = 5_000;
/** How long a disconnected executor of a checkpointing framework retries before giving up (Mesos's --recovery_timeout). */
export const EXECUTOR_RECOVERY_TIMEOUT_MS = 15 * 60_000;

export interface ExecutorTaskSpec extends LaunchTaskSpec {
  executorId: string;
  /** `role`: whose allocation the executor's own resources (info.resources) are charged to. */
  executor: { command: string; env: Record<string, string>; info: Json; role?: string };
  taskInfo: Json;
  frameworkInfo: Json;
  group?: { id: string; size: number };
}

export interface ExecutorEnvironmentContext {
  agentId: string;
  endpoint: string;
  sandboxDir: string;
  user: TaskUser | null;
  shutdownGraceMs: number;
  reregistrationTimeoutMs: number;
  recoveryTimeoutMs: number;
}

/** A duration as Mesos writes it in executor environments: `250ms`, `5secs`, `15mins`. */
export function mesosDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}mins`;
  if (ms % 1000 === 0) return `${ms / 1000}secs`;
  return `${Math.round(ms)}ms`;
}

export function executorEnvironment(spec: ExecutorTaskSpec, context: ExecutorEnvironmentContext): Record<string, string> {
  const checkpoint = spec.frameworkInfo.checkpoint === true;
  return {
    PATH: DEFAULT_PATH,
    HOME: context.sandboxDir,
    TMPDIR: join(context.sandboxDir, SANDBOX_TMP_DIR),
    ...(context.user ? { USER: context.user.name } : {}),
    ...spec.executor.env,
    MESOS_FRAMEWORK_ID: spec.frameworkId,
    MESOS_EXECUTOR_ID: spec.executorId,
    MESOS_AGENT_ID: context.agentId,
    MESOS_SLAVE_ID: context.agentId,
    MESOS_DIRECTORY: context.sandboxDir,
    MESOS_SANDBOX: context.sandboxDir,
    MESOS_AGENT_ENDPOINT: context.endpoint,
    MESOS_CHECKPOINT: checkpoint ? '1' : '0',
    MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: `${context.shutdownGraceMs / 1000}secs`,
    // With checkpointing, an executor retries a broken subscription (a restarting agent) this long,
    // at most this far apart: half the re-registration timeout, so a retry always lands within it.
    ...(checkpoint
      ? {
          MESOS_RECOVERY_TIMEOUT: mesosDuration(context.recoveryTimeoutMs),
          MESOS_SUBSCRIPTION_BACKOFF_MAX: mesosDuration(Math.max(100, Math.floor(context.reregistrationTimeoutMs / 2))),
        }
      : {}),
    MESOS_HTTP_COMMAND_EXECUTOR: '0',
    ...(checkpoint ? { MESOS_RECOVERY_TIMEOUT: '15mins', MESOS_SUBSCRIPTION_BACKOFF_MAX: '2secs' } : {}),
  };
}

/** An executor's uuid (base64 of bytes) as the text uuid the status update manager keys by. */
export function uuidText(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 200) return null;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return null;
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length === 16) {
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return `b64:${value}`;
}

export function uuidBase64(uuid: string): string {
  if (uuid.startsWith('b64:')) return uuid.slice(4);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64');
}
