/**
 * Marathon's JSON answers, built from the stored definitions, the model and
 * the task views: apps (`/v2/apps`, with counts, deployments and embedded
 * tasks or last failure), tasks (EnrichedTask, health check results),
 * the launch queue (with why offers were not used, by Marathon's reason
 * names), groups (the tree of app ids) and `/v2/info`.
 */
import type { AppState } from '@allot/kernel';
import { affectedApps } from './deploymentPlan.js';
import type { StoredApp, TaskView } from './marathonDocument.js';
import type { MarathonRuntime } from './marathonRuntime.js';
import { MARATHON_VERSION } from './marathonRuntime.js';

type Json = Record<string, any>;

/** The kernel's offer funnel codes as Marathon's NoOfferMatchReason names. */
const REJECT_REASONS: Record<string, string> = {
  role: 'UnfulfilledRole',
  constraint: 'UnfulfilledConstraint',
  'missing-reservation': 'NoCorrespondingReservationFound',
  maintenance: 'AgentMaintenance',
  'insufficient-cpus': 'InsufficientCpus',
  'insufficient-mem': 'InsufficientMemory',
  'insufficient-disk': 'InsufficientDisk',
  'insufficient-gpus': 'InsufficientGpus',
  'insufficient-ports': 'InsufficientPorts',
};

export function rejectReason(code: string): string {
  return REJECT_REASONS[code] ?? 'InsufficientResources';
}

export interface Embeds {
  tasks: boolean;
  counts: boolean;
  deployments: boolean;
  lastTaskFailure: boolean;
  /** `embed=app(s).readiness`: the latest readiness check results of the app's tasks. */
  readiness?: boolean;
}

export function tasksOf(runtime: MarathonRuntime, appId: string): TaskView[] {
  return Object.values(runtime.document.tasks).filter((task) => task.appId === appId);
}

export function appJson(runtime: MarathonRuntime, stored: StoredApp, embeds: Embeds): Json {
  const { current } = stored;
  // Marathon writes the id first.
  const { id, ...definition } = current;
  const json: Json = {
    id,
    ...definition,
    ports: current.portDefinitions.map((port) => port.port),
    version: stored.version,
    versionInfo: stored.versionInfo,
  };
  const tasks = tasksOf(runtime, current.id);
  if (embeds.counts) {
    const checked = current.healthChecks.length > 0;
    Object.assign(json, {
      tasksStaged: tasks.filter((task) => task.state === 'TASK_STAGING' || task.state === 'TASK_STARTING').length,
      tasksRunning: tasks.filter((task) => task.state === 'TASK_RUNNING').length,
      tasksHealthy: checked ? tasks.filter((task) => task.state === 'TASK_RUNNING' && task.healthy === true).length : 0,
      tasksUnhealthy: checked ? tasks.filter((task) => task.healthy === false).length : 0,
    });
  }
  if (embeds.deployments) json.deployments = runtime.deployments.locking([current.id]).map((deployment) => ({ id: deployment.id }));
  if (embeds.tasks) json.tasks = tasks.map((task) => taskJson(runtime, task));
  const failure = runtime.document.lastTaskFailure[current.id];
  if (embeds.lastTaskFailure && failure) json.lastTaskFailure = failure;
  if (embeds.readiness) json.readinessCheckResults = runtime.readiness.resultsOf(current.id);
  return json;
}

export function taskJson(runtime: MarathonRuntime, task: TaskView): Json {
  const stored = runtime.document.apps[task.appId];
  const json: Json = {
    id: task.id,
    appId: task.appId,
    host: task.host,
    ipAddresses: task.ip ? [{ ipAddress: task.ip, protocol: 'IPv4' }] : [],
    ports: task.ports,
    servicePorts: task.servicePorts,
    slaveId: task.agentId,
    state: task.state,
    stagedAt: task.stagedAt,
    startedAt: task.startedAt,
    version: task.version,
    localVolumes: [],
    role: runtime.role,
  };
  if (stored && stored.current.healthChecks.length > 0 && task.healthy !== null)
    json.healthCheckResults = [
      {
        alive: task.healthy,
        consecutiveFailures: task.consecutiveFailures,
        firstSuccess: task.firstSuccess,
        lastFailure: task.lastFailure,
        lastSuccess: task.lastSuccess,
        lastFailureCause: task.healthy ? null : 'the agent reports the task unhealthy',
        taskId: task.id,
        instanceId: task.id,
      },
    ];
  return json;
}

export function queueJson(runtime: MarathonRuntime): Json {
  const nowMs = Date.now();
  const queue = runtime.model.apps
    .filter((app) => app.queued > 0 && runtime.document.apps[app.spec.id])
    .map((app) => queueEntry(runtime, app, nowMs));
  return { queue };
}

function queueEntry(runtime: MarathonRuntime, app: AppState, nowMs: number): Json {
  const stored = runtime.document.apps[app.spec.id];
  const timeLeftSeconds = Math.max(0, Math.ceil((app.backoff.notBeforeMs - nowMs) / 1000));
  const rejectReason: Record<string, number> = {};
  for (const [code, count] of Object.entries(app.rejections))
    rejectReason[rejectReasonName(code)] = (rejectReason[rejectReasonName(code)] ?? 0) + count;
  const unused = Object.values(app.rejections).reduce((sum, count) => sum + count, 0);
  const last = app.lastRejection;
  const agent = last ? runtime.document.agents[last.agentId] : undefined;
  return {
    app: appJson(runtime, stored, { tasks: false, counts: false, deployments: false, lastTaskFailure: false }),
    count: app.queued,
    delay: { timeLeftSeconds, overdue: timeLeftSeconds === 0 },
    since: stored.versionInfo.lastScalingAt,
    processedOffersSummary: { processedOffersCount: unused, unusedOffersCount: unused, rejectSummaryLastOffers: [] },
    unusedOfferSummary: {
      rejectReason,
      processedOfferCount: unused,
      unusedOfferCount: unused,
      ...(last ? { lastUnusedOfferAt: new Date(last.atMs).toISOString() } : {}),
    },
    lastUnusedOffers: last
      ? [
          {
            offer: { agentId: last.agentId, hostname: agent?.hostname ?? '' },
            timestamp: new Date(last.atMs).toISOString(),
            // Every failing requirement (Marathon lists each NoOfferMatchReason), the funnel's first one first.
            reason: [...new Set((last.failures ?? [last]).map((failure) => rejectReasonName(failure.code)))],
            message: (last.failures ?? [last]).map((failure) => failure.reason).join('; '),
          },
        ]
      : [],
  };
}

function rejectReasonName(code: string): string {
  return rejectReason(code);
}

/** A group and its subgroups, from the app ids under it. */
export function groupJson(runtime: MarathonRuntime, groupId: string, embeds: Embeds): Json {
  const prefix = groupId === '/' ? '/' : `${groupId}/`;
  const under = Object.values(runtime.document.apps).filter((stored) => stored.current.id.startsWith(prefix));
  const apps = under.filter((stored) => !stored.current.id.slice(prefix.length).includes('/'));
  const children = [
    ...new Set(
      under
        .map((stored) => stored.current.id.slice(prefix.length))
        .filter((rest) => rest.includes('/'))
        .map((rest) => rest.split('/')[0]),
    ),
  ];
  const versions = under.map((stored) => stored.version).sort();
  return {
    id: groupId,
    apps: apps.map((stored) => appJson(runtime, stored, embeds)),
    groups: children.sort().map((child) => groupJson(runtime, `${prefix}${child}`, embeds)),
    pods: [],
    dependencies: [],
    version: versions.at(-1) ?? new Date(0).toISOString(),
  };
}

export function groupExists(runtime: MarathonRuntime, groupId: string): boolean {
  if (groupId === '/') return true;
  return Object.keys(runtime.document.apps).some((id) => id.startsWith(`${groupId}/`));
}

export function deploymentsAffecting(runtime: MarathonRuntime, appId: string): string[] {
  return runtime.document.deployments.filter((deployment) => affectedApps(deployment).includes(appId)).map((deployment) => deployment.id);
}

export function infoJson(runtime: MarathonRuntime, url: string, port: number): Json {
  const leader = url.replace(/^https?:\/\//, '');
  return {
    name: 'marathon',
    version: MARATHON_VERSION,
    buildref: 'allot',
    elected: true,
    leader,
    frameworkId: runtime.frameworkId,
    marathon_config: {
      master: runtime.options.masters.join(','),
      failover_timeout: runtime.options.failoverTimeoutSeconds ?? 604_800,
      framework_name: runtime.name,
      ha: false,
      checkpoint: true,
      local_port_min: 10_000,
      local_port_max: 20_000,
      executor: '//cmd',
      hostname: leader.split(':')[0],
      webui_url: null,
      mesos_role: runtime.role,
      mesos_user: runtime.options.user ?? 'nobody',
      task_launch_timeout: 300_000,
    },
    zookeeper_config: {},
    event_subscriber: null,
    http_config: { http_port: port, https_port: null },
  };
}
