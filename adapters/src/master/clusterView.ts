/**
 * The master's JSON picture for the daemon (`/metrics`, the live event
 * stream's snapshots, the operator API): the kernel's clusterView of the
 * hosted master (kernel/src/master/clusterView.ts).
 */
import type { ClusterView } from '@allot/kernel';
import { clusterView as kernelClusterView } from '@allot/kernel';
import type { MasterHost } from './masterHost.js';

export type { AgentView, ClusterView, FrameworkView, RoleView } from '@allot/kernel';

export function clusterView(host: MasterHost): ClusterView {
  return kernelClusterView(host.master);
}
