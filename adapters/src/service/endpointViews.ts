/**
 * Endpoints as DC/OS Commons's EndpointsResource shows them: the names of
 * advertised ports (`discovery` ports of EXTERNAL visibility in the tasks'
 * TaskInfos), and per name `{ address: ["ip:port"], dns: ["host:port"] }` over
 * the pod instances that run. allot has no cluster DNS: `dns` holds the
 * agents' advertised hostnames.
 */
import type { ServiceScheduler } from '@allot/kernel';
import { livePods } from './podViews.js';
import type { ServiceDocument, TaskEntry } from './serviceStore.js';

type Json = Record<string, any>;

export function endpoints(
  scheduler: ServiceScheduler,
  tasks: Readonly<Record<string, TaskEntry>>,
  agents: ServiceDocument['agents'],
): Map<string, { address: string[]; dns: string[] }> {
  const byName = new Map<string, { address: string[]; dns: string[] }>();
  for (const instance of livePods(scheduler)) {
    for (const record of Object.values(instance.tasks)) {
      const entry = tasks[`${instance.name}-${record.name}`];
      if (!entry || record.taskId !== entry.info.task_id.value || record.state !== 'TASK_RUNNING') continue;
      const agent = agents[entry.info.agent_id.value];
      const hostname = agent?.hostname ?? instance.target?.hostname ?? 'unknown';
      for (const port of (entry.info.discovery?.ports?.ports as Json[] | undefined) ?? []) {
        if (port.visibility !== 'EXTERNAL') continue;
        const endpoint = byName.get(port.name) ?? { address: [], dns: [] };
        endpoint.address.push(`${agent?.ip ?? hostname}:${port.number}`);
        endpoint.dns.push(`${hostname}:${port.number}`);
        byName.set(port.name, endpoint);
      }
    }
  }
  return new Map([...byName].sort(([a], [b]) => a.localeCompare(b)));
}
