/**
 * What the report says of a Myriad framework: each NodeManager (profile,
 * state, agent, application masters and containers on it), counts by profile
 * and state, the flex actions applied, and the YARN side: applications with
 * completion times, containers by state, placeholder tasks.
 */
import type { MyriadFramework } from './myriadFramework.js';

export function elasticDetails(model: MyriadFramework): Record<string, unknown> {
  const { yarn } = model;
  const containersOn = (id: string): number => [...yarn.running.values()].filter((c) => c.nodeManager === id).length;
  const byProfile: Record<string, Record<string, number>> = {};
  for (const nm of model.nodeManagers) {
    const counts = (byProfile[nm.profile] ??= {});
    counts[nm.state] = (counts[nm.state] ?? 0) + 1;
  }
  const containers = { pending: yarn.pending.length, running: yarn.running.size, completed: 0 };
  for (const app of yarn.applications) containers.completed += [app.am, ...app.workers].filter((c) => c.state === 'done').length;
  return {
    nodeManagers: model.nodeManagers.map((nm) => ({
      id: nm.id,
      profile: nm.profile,
      state: nm.state,
      agentId: nm.agentId,
      applicationMasters: yarn.applicationMastersOn(nm.id),
      containers: containersOn(nm.id),
    })),
    byProfile,
    flex: model.flexLog,
    yarn: {
      applications: yarn.applications.map((app) => ({
        id: app.spec.id,
        submittedMs: app.submittedMs,
        finishedMs: app.finishedAtMs,
        completionMs: app.finishedAtMs === null ? null : app.finishedAtMs - app.submittedMs,
      })),
      containers,
      placeholders: {
        running: [...yarn.running.values()].filter((c) => c.placeholderTaskId !== null).length,
        launched: model.placeholdersLaunched,
      },
    },
  };
}
