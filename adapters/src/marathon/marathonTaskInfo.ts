/**
 * A Marathon app definition as the kernel's app model (ServiceApp) and as the
 * Mesos TaskInfo of one instance. The model needs resources, port count,
 * constraints, upgrade strategy, backoff and whether there is a health check
 * (the agent runs it; its verdicts come back on status updates). The
 * TaskInfo carries the command (`cmd` through the shell, `args` without),
 * the environment Marathon gives tasks (MARATHON_APP_ID, HOST, PORT_<NAME>,
 * ...; the agent adds PORT0.., PORTS, MESOS_*), artifacts as
 * `CommandInfo.uris`, the health check on the instance's port, the kill
 * grace period and the app's labels.
 */
import { unreachableForModel } from './unreachableStrategy.js';
import type { PlacementConstraint, ResourceLayout, ServiceApp, TaskSpec } from '@allot/kernel';
import { parseConstraint, portList } from '@allot/kernel';
import { fromResourceSet } from '../master/mesosResources.js';
import type { AppDefinition } from './appDefinition.js';
import type { HealthCheckDefinition } from './appParts.js';

type Json = Record<string, any>;

export function serviceApp(app: AppDefinition, configVersion: string, role: string): ServiceApp {
  const constraints: PlacementConstraint[] = app.constraints.map((raw) => {
    const parsed = parseConstraint(raw);
    // Definitions are validated before they are stored.
    if (!parsed.ok) throw new Error(`app ${app.id}: constraint ${JSON.stringify(raw)}: ${parsed.message}`);
    return parsed.constraint;
  });
  const check = app.healthChecks[0];
  return {
    id: app.id,
    role,
    acceptedResourceRoles: app.acceptedResourceRoles,
    instances: app.instances,
    resources: { cpus: app.cpus, ...(app.mem > 0 ? { mem: app.mem } : {}), ...(app.disk > 0 ? { disk: app.disk } : {}) },
    ports: app.portDefinitions.length,
    durationMs: null,
    constraints,
    healthCheck: check
      ? {
          gracePeriodMs: check.gracePeriodSeconds * 1000,
          intervalMs: check.intervalSeconds * 1000,
          maxConsecutiveFailures: Math.max(1, check.maxConsecutiveFailures),
          startupMs: 0,
          unhealthyVersions: [],
        }
      : null,
    ...(app.readinessChecks.length > 0 ? { readiness: true } : {}),
    ...(unreachableForModel(app.unreachableStrategy) ? { unreachable: unreachableForModel(app.unreachableStrategy) } : {}),
    upgradeStrategy: app.upgradeStrategy,
    backoff: { initialMs: app.backoffSeconds * 1000, factor: app.backoffFactor, maxMs: app.maxLaunchDelaySeconds * 1000 },
    version: configVersion,
    changes: [],
  };
}

export interface TaskInfoContext {
  app: AppDefinition;
  /** The app's version (lastConfigChangeAt) the instance runs. */
  version: string;
  agentId: string;
  role: string;
  layout: ResourceLayout;
  hostname: string;
}

export function marathonTaskInfo(task: TaskSpec, context: TaskInfoContext): Json {
  const { app } = context;
  const ports = portList(task.resources.ports);
  const env: Record<string, string> = {
    ...app.env,
    MARATHON_APP_ID: app.id,
    MARATHON_APP_VERSION: context.version,
    MARATHON_APP_RESOURCE_CPUS: String(app.cpus),
    MARATHON_APP_RESOURCE_MEM: String(app.mem),
    MARATHON_APP_RESOURCE_DISK: String(app.disk),
    MARATHON_APP_LABELS: Object.keys(app.labels).join(' '),
    HOST: context.hostname,
  };
  app.portDefinitions.forEach((definition, index) => {
    if (definition.name && ports[index] !== undefined)
      env[`PORT_${definition.name.toUpperCase().replace(/-/g, '_')}`] = String(ports[index]);
  });
  const command: Json = {
    environment: { variables: Object.entries(env).map(([name, value]) => ({ name, value })) },
    ...(app.user ? { user: app.user } : {}),
    ...(app.fetch.length > 0
      ? {
          uris: app.fetch.map((artifact) => ({
            value: artifact.uri,
            extract: artifact.extract,
            executable: artifact.executable,
            cache: artifact.cache,
            ...(artifact.destPath ? { output_file: artifact.destPath } : {}),
          })),
        }
      : {}),
  };
  if (app.cmd !== null) Object.assign(command, { shell: true, value: app.cmd });
  else Object.assign(command, { shell: false, value: app.args![0], arguments: app.args });
  const info: Json = {
    name: app.id.slice(1).split('/').reverse().join('.'),
    task_id: { value: task.taskId },
    agent_id: { value: context.agentId },
    resources: fromResourceSet(task.resources, context.layout, context.role),
    command,
    labels: { labels: Object.entries(app.labels).map(([key, value]) => ({ key, value })) },
  };
  const check = app.healthChecks[0];
  if (check) info.health_check = healthCheckJson(check, ports);
  if (app.taskKillGracePeriodSeconds !== null)
    info.kill_policy = { grace_period: { nanoseconds: app.taskKillGracePeriodSeconds * 1_000_000_000 } };
  return info;
}

/** Marathon's health check as the Mesos HealthCheck the agent runs; HTTP(S)/TCP and their MESOS_ forms alike. */
export function healthCheckJson(check: HealthCheckDefinition, ports: readonly number[]): Json {
  const timing = {
    delay_seconds: check.delaySeconds,
    interval_seconds: check.intervalSeconds,
    timeout_seconds: check.timeoutSeconds,
    grace_period_seconds: check.gracePeriodSeconds,
    consecutive_failures: check.maxConsecutiveFailures,
  };
  if (check.protocol === 'COMMAND') return { type: 'COMMAND', command: { shell: true, value: check.command!.value }, ...timing };
  const port = check.port ?? ports[check.portIndex ?? 0];
  if (check.protocol === 'TCP' || check.protocol === 'MESOS_TCP') return { type: 'TCP', tcp: { port }, ...timing };
  const scheme = check.protocol.endsWith('HTTPS') ? 'https' : 'http';
  return { type: 'HTTP', http: { scheme, port, path: check.path ?? '/' }, ...timing };
}
