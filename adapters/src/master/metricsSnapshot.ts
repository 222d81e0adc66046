/**
 * `/metrics/snapshot` in Mesos's metric names (`master/tasks_running`,
 * `master/cpus_percent`, `allocator/mesos/...`), beside the Prometheus
 * `/metrics`: one flat JSON object, as monitoring tools written for Mesos
 * read it. Computed from the cluster view and the kernel's counters.
 */
import { freemem, totalmem, cpus } from 'node:os';
import { clusterView } from './clusterView.js';
import type { MasterContext } from './masterContext.js';

const TASK_STATE_METRICS: Record<string, string> = {
  TASK_STAGING: 'staging',
  TASK_STARTING: 'starting',
  TASK_RUNNING: 'running',
  TASK_KILLING: 'killing',
  TASK_FINISHED: 'finished',
  TASK_FAILED: 'failed',
  TASK_KILLED: 'killed',
  TASK_LOST: 'lost',
  TASK_ERROR: 'error',
  TASK_DROPPED: 'dropped',
  TASK_UNREACHABLE: 'unreachable',
  TASK_GONE: 'gone',
  TASK_GONE_BY_OPERATOR: 'gone_by_operator',
};

export function metricsSnapshot(context: MasterContext): Record<string, number> {
  const view = clusterView(context.host);
  const master = context.host.master;
  const out: Record<string, number> = {
    'master/elected': context.host.fenced ? 0 : 1,
    'master/uptime_secs': (Date.now() - context.settings.startedAtMs) / 1000,
    'system/cpus_total': cpus().length,
    'system/mem_total_bytes': totalmem(),
    'system/mem_free_bytes': freemem(),
  };
  for (const name of ['cpus', 'mem', 'disk', 'gpus']) {
    const total = view.cluster.total[name] ?? 0;
    const used = view.cluster.allocated[name] ?? 0;
    out[`master/${name}_total`] = total;
    out[`master/${name}_used`] = used;
    out[`master/${name}_percent`] = total > 0 ? used / total : 0;
    out[`allocator/mesos/resources/${name}/total`] = total;
    out[`allocator/mesos/resources/${name}/offered_or_allocated`] = used + (view.cluster.offered[name] ?? 0);
  }
  const agents = [...master.agents.values()];
  out['master/slaves_active'] = agents.filter((agent) => agent.connection === 'active').length;
  out['master/slaves_inactive'] = agents.filter((agent) => agent.connection !== 'active').length;
  out['master/slaves_connected'] = agents.filter((agent) => agent.connection !== 'disconnected').length;
  out['master/slaves_disconnected'] = agents.filter((agent) => agent.connection === 'disconnected').length;
  out['master/slaves_unreachable'] = master.unreachableAgents.size;
  const frameworks = [...master.frameworks.values()];
  const connected = frameworks.filter((framework) => context.frameworks.current(framework.id) !== undefined).length;
  out['master/frameworks_active'] = frameworks.filter((framework) => framework.connected).length;
  out['master/frameworks_inactive'] = frameworks.filter((framework) => !framework.connected).length;
  out['master/frameworks_connected'] = connected;
  out['master/frameworks_disconnected'] = frameworks.length - connected;
  out['master/outstanding_offers'] = [...master.offers.all()].length;
  for (const [state, metric] of Object.entries(TASK_STATE_METRICS)) out[`master/tasks_${metric}`] = view.taskStates[state] ?? 0;
  out['allocator/mesos/allocation_runs'] = master.counters.allocationCycles;
  out['master/messages_launch_tasks'] = master.counters.tasksLaunched;
  out['master/messages_decline_offers'] = master.counters.offersDeclined;
  for (const role of view.roles) out[`allocator/mesos/roles/${role.name}/shares/dominant`] = role.share;
  return out;
}
