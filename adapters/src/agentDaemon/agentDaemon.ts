/**
 * `allot agent` assembled: an AgentRuntime (tasks as isolated processes,
 * reliable status updates, checkpoint recovery) wired to a master over the
 * agent protocol, plus a small HTTP server (`/health`, `/state`). The agent
 * registers with its resources, attributes, checkpointed total and tasks,
 * runs what the master launches, forwards every status update until it is
 * acknowledged, and re-registers whenever the link breaks.
 */
import { chmodSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname as osHostname } from 'node:os';
import pino from 'pino';
import type { Logger } from 'pino';
import { isTerminal } from '@allot/kernel';
import { AgentRuntime } from '../agent/agentRuntime.js';
import { EXECUTOR_REREGISTRATION_TIMEOUT_MS } from '../agent/executorProtocol.js';
import type { TaskMemoryPolicy } from '../agent/taskMemory.js';
import type { IsolationMode } from '../agent/isolation/createIsolator.js';
import { createIsolator } from '../agent/isolation/createIsolator.js';
import { parseAttributes, resolveAgentResources } from '../agent/resources.js';
import type { HttpsServerOptions } from '../security/tlsOptions.js';
import type { SecurityConfig } from '../security/securityConfig.js';
import { AgentCheckpoint } from './agentCheckpoint.js';
import { buildAgentHttp } from './agentHttp.js';
import type { AgentFacts } from './agentStateJson.js';
import { AgentView } from './agentView.js';
import { MasterConnection } from './masterConnection.js';
import { agentResourcesJson } from './resourcesJson.js';
import { failGroupSiblings, masterEventHandler, updateCall } from './masterEvents.js';
import { syncVolumes, volumesIn } from '../agent/persistentVolumes.js';

type Json = Record<string, any>;

export interface AgentDaemonOptions {
  /** The master, or several HA masters comma-separated (tried in turn; followers redirect to the leader). */
  masterUrl: string;
  workDir: string;
  ip?: string;
  port?: number;
  hostname?: string;
  resources?: string;
  attributes?: string;
  isolation?: IsolationMode;
  secret?: string | null;
  logger?: Logger;
  /** Poll interval for limits (OOM); default 1000 ms. */
  monitorIntervalMs?: number;
  /** Reconnect backoff bounds. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Serve /health and /state over HTTPS (from --tls-cert/--tls-key). */
  https?: HttpsServerOptions | null;
  /** Credentials and rules for the agent's own endpoints (files, /state, /api/v1); null = open. */
  security?: SecurityConfig | null;
  /** The memory limit of tasks that ask for none, or refusing them (--default-task-mem, --require-task-mem). */
  taskMemory?: TaskMemoryPolicy;
  /** False: tasks share the host's /tmp (`--no-private-tmp`); default: private where the agent can. */
  privateTmp?: boolean;
  /** Cap each task's CPU time at its cpus with a CFS quota (Mesos's --cgroups_enable_cfs); default off. */
  cfsQuota?: boolean;
  /** How long a recovered executor has to subscribe again after a restart (--executor-reregistration-timeout). */
  executorReregistrationTimeoutMs?: number;
}

export type AgentStartResult = { ok: true; agent: RunningAgent } | { ok: false; code: string; message: string };

export interface RunningAgent {
  readonly agentId: string;
  readonly url: string;
  readonly runtime: AgentRuntime;
  readonly warnings: readonly string[];
  /** Resolves when the agent stops by itself (shut down by the master, or a fatal refusal). */
  readonly stopped: Promise<string>;
  /** Stops the agent; with `killTasks` its tasks are killed first, else they keep running for the next agent. */
  close(options?: { killTasks?: boolean }): Promise<void>;
}

export const AGENT_VERSION = '0.1.0';

/** The agent's configuration in Mesos's flag names, every value a string. */
function agentFlags(options: AgentDaemonOptions, port: number, isolation: string): Record<string, string> {
  return {
    attributes: options.attributes ?? '',
    hostname: options.hostname ?? osHostname(),
    ip: options.ip ?? '127.0.0.1',
    isolation,
    master: options.masterUrl,
    port: String(port),
    resources: options.resources ?? '',
    work_dir: options.workDir,
    executor_reregistration_timeout: `${(options.executorReregistrationTimeoutMs ?? EXECUTOR_REREGISTRATION_TIMEOUT_MS) / 1000}secs`,
    authenticate_http_readonly: String(options.security != null),
    authenticate_http_readwrite: String(options.security != null),
  };
}

export async function startAgent(options: AgentDaemonOptions): Promise<AgentStartResult> {
  const logger = options.logger ?? pino({ name: 'allot-agent' });
  mkdirSync(options.workDir, { recursive: true });
  // Tasks run as an unprivileged user and must reach their sandboxes under the work dir.
  chmodSync(options.workDir, 0o755);
  const resources = await resolveAgentResources(options.resources, { workDir: options.workDir });
  if (!resources.ok) return { ok: false, code: resources.code, message: `--resources: ${resources.message}` };
  const attributes = parseAttributes(options.attributes ?? '');
  if (!attributes.ok) return { ok: false, code: attributes.code, message: `--attributes: ${attributes.message}` };
  const checkpoint = new AgentCheckpoint(options.workDir);
  const agentId = checkpoint.agentId();
  const isolation = await createIsolator({
    mode: options.isolation ?? 'auto',
    cgroupParent: `allot/${agentId}`,
    cfsQuota: options.cfsQuota === true,
  });
  if (!isolation.ok) return { ok: false, code: isolation.code, message: `--isolation: ${isolation.message}` };

  const facts: AgentFacts = {
    agentId,
    hostname: options.hostname ?? osHostname(),
    ip: options.ip ?? '127.0.0.1',
    port: options.port ?? 5051,
    version: AGENT_VERSION,
    masterUrl: options.masterUrl,
    resources: agentResourcesJson(resources.value),
    attributes: attributes.value,
    flags: {},
  };
  let connection: MasterConnection | null = null;
  // Updates resent while the runtime recovers arrive before `runtime` is assigned: they go out without container details.
  let runtime: AgentRuntime | null = null;
  runtime = await AgentRuntime.create({
    workDir: options.workDir,
    agentId,
    isolator: isolation.isolator,
    logger,
    monitorIntervalMs: options.monitorIntervalMs,
    ...(options.taskMemory ? { taskMemory: options.taskMemory } : {}),
    ...(options.privateTmp === false ? { privateTmp: false } : {}),
    onStatusUpdate: (update) => {
      void connection?.post(updateCall(agentId, runtime, update));
      if (runtime) failGroupSiblings(runtime, update);
    },
    executors: {
      ...(options.executorReregistrationTimeoutMs !== undefined
        ? { reregistrationTimeoutMs: options.executorReregistrationTimeoutMs }
        : {}),
      endpoint: () => `${facts.ip}:${facts.port}`,
      agentInfo: () => ({ id: { value: agentId }, hostname: facts.hostname, port: facts.port }),
      onExited: (frameworkId, executorId, status) =>
        void connection?.post({
          type: 'EXECUTOR_EXITED',
          agent_id: agentId,
          executor_exited: { framework_id: frameworkId, executor_id: executorId, ...(status.code !== null ? { status: status.code } : {}) },
        }),
      onMessage: (frameworkId, executorId, data) =>
        void connection?.post({
          type: 'MESSAGE',
          agent_id: agentId,
          message: { framework_id: frameworkId, executor_id: executorId, data },
        }),
    },
  });
  if (isolation.isolator.kind === 'posix')
    logger.warn({ agentId }, `posix isolation: resource limits are NOT enforced (${isolation.isolator.warning ?? 'cgroups unavailable'})`);

  const view = new AgentView(() => runtime!, checkpoint);
  const app = buildAgentHttp({
    logger,
    https: options.https ?? null,
    security: options.security ?? null,
    workDir: options.workDir,
    facts,
    view,
    runtime: () => runtime!,
    // allot's own fields, kept beside Mesos's on /state.
    extras: () => ({
      agentId,
      master: options.masterUrl,
      connected: connection?.streamId != null,
      isolation: isolation.isolator.kind,
      warnings: runtime!.warnings,
      tasks: runtime!.tasks(),
    }),
  });
  await app.listen({ host: options.ip ?? '127.0.0.1', port: options.port ?? 5051 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 5051);
  facts.port = port;
  facts.flags = agentFlags(options, port, isolation.isolator.kind);
  const url = `${options.https ? 'https' : 'http'}://${options.ip ?? '127.0.0.1'}:${port}`;

  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve));
  const declared = facts.resources;
  const forgetEnded = () => {
    const live = new Set(runtime.tasks().map((task) => `${task.frameworkId}/${task.taskId}`));
    for (const [frameworkId, taskId] of checkpoint.taskKeys())
      if (!live.has(`${frameworkId}/${taskId}`)) checkpoint.removeTask(frameworkId, taskId);
  };

  const handle = masterEventHandler({
    agentId,
    runtime: () => runtime!,
    checkpoint,
    view,
    logger,
    workDir: options.workDir,
    keepVolumes: (resources) => keepVolumes(resources),
    forgetEnded,
    shutdown: (reason) => void close({ killTasks: true }).then(() => resolveStopped(`shut down by the master: ${reason}`)),
  });

  /** Volume directories follow the checkpointed resources: made on CREATE, removed on DESTROY. */
  const keepVolumes = (resources: unknown[]): void => {
    const inUse = new Set(
      runtime
        .tasks()
        .flatMap((task) =>
          volumesIn((checkpoint.task(task.frameworkId, task.taskId)?.resources as Json[]) ?? [], options.workDir).map(
            (volume) => volume.hostPath,
          ),
        ),
    );
    for (const path of syncVolumes(options.workDir, resources as Json[], inUse)) logger.info({ path }, 'persistent volume destroyed');
  };
  const checkpointed = checkpoint.resources();
  if (checkpointed) keepVolumes(checkpointed);

  connection = new MasterConnection({
    masterUrl: options.masterUrl.replace(/\/+$/, ''),
    secret: options.secret ?? null,
    logger,
    backoffMinMs: options.backoffMinMs,
    backoffMaxMs: options.backoffMaxMs,
    subscribeCall: () => {
      forgetEnded();
      // DEFAULT executors run as their live tasks: reported so that a master after failover charges them again.
      const defaultExecutors = new Map<string, Json>();
      const tasks = runtime.tasks().flatMap((task) => {
        const saved = checkpoint.task(task.frameworkId, task.taskId);
        if (!saved) return [];
        if (saved.defaultExecutor && !isTerminal(task.state))
          defaultExecutors.set(`${task.frameworkId}\n${saved.executorId}`, {
            framework_id: task.frameworkId,
            executor_id: saved.executorId,
            role: saved.role,
            resources: Array.isArray(saved.defaultExecutor.resources) ? saved.defaultExecutor.resources : [],
            info: saved.defaultExecutor,
            default: true,
          });
        return [
          {
            task_id: task.taskId,
            framework_id: task.frameworkId,
            state: task.state,
            role: saved.role,
            resources: saved.resources,
            executor_id: saved.executorId,
            container_id: task.containerId,
            name: saved.name,
          },
        ];
      });
      const checkpointed = checkpoint.resources();
      return {
        type: 'SUBSCRIBE',
        agent_id: agentId,
        subscribe: {
          agent: {
            id: agentId,
            hostname: options.hostname ?? osHostname(),
            port,
            resources: declared,
            ...(checkpointed ? { checkpointed_resources: checkpointed } : {}),
            attributes: attributes.value,
          },
          tasks,
          // Before the runtime has recovered the agent cannot say: the master then keeps what it holds.
          ...(runtime ? { executors: [...runtime.executors.list(), ...defaultExecutors.values()] } : {}),
        },
      };
    },
    onEvent: (event) => {
      handle(event).catch((error) => logger.error({ err: error, type: event.type }, 'handling a master event failed'));
    },
    onFatal: (message) => {
      logger.error({ agentId }, message);
      void close({ killTasks: false }).then(() => resolveStopped(message));
    },
  });
  connection.start();
  logger.info({ agentId, url, master: options.masterUrl, isolation: isolation.isolator.kind, resources: declared }, 'agent started');

  let closing: Promise<void> | null = null;
  const close = (closeOptions: { killTasks?: boolean } = {}): Promise<void> => {
    closing ??= (async () => {
      await connection?.stop();
      if (closeOptions.killTasks) {
        const live = runtime
          .tasks()
          .filter((task) => !['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_LOST'].includes(task.state));
        for (const task of live) runtime.kill(task.frameworkId, task.taskId, 0);
        await Promise.race([
          Promise.all(live.map((task) => runtime.whenTerminal(task.frameworkId, task.taskId))),
          new Promise((resolve) => setTimeout(resolve, 5000)),
        ]);
      }
      runtime.close();
      if (closeOptions.killTasks) removeAgentCgroups(agentId);
      await app.close();
    })();
    return closing;
  };

  return { ok: true, agent: { agentId, url, runtime, warnings: runtime.warnings, stopped, close } };
}

/** Best effort: the agent's own (now empty) parent cgroups, once its tasks are gone for good. */
function removeAgentCgroups(agentId: string, root = '/sys/fs/cgroup'): void {
  const candidates = [join(root, 'allot', agentId)];
  try {
    for (const controller of readdirSync(root)) candidates.push(join(root, controller, 'allot', agentId));
  } catch {
    return;
  }
  for (const directory of candidates) {
    try {
      rmdirSync(directory);
    } catch {
      // Not there, or still busy: nothing to tidy.
    }
  }
}
