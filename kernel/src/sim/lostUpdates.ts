import type { Master } from '../master/master.js';
import type { SimulatedAgent } from './simulatedAgent.js';

/**
 * The "no lost updates" law: an update still unacknowledged long after it
 * was sent, while its agent is up and reachable and its framework connected,
 * was lost somewhere. Returns one sentence per such update.
 */
export function lostUpdates(
  agents: Iterable<SimulatedAgent>,
  partitioned: ReadonlySet<string>,
  master: Master,
  nowMs: number,
  deliveryBoundMs: number,
): string[] {
  const out: string[] = [];
  for (const agent of agents) {
    if (!agent.up || partitioned.has(agent.id)) continue;
    for (const update of agent.staleUpdates(nowMs, deliveryBoundMs)) {
      if (!master.frameworks.get(update.frameworkId)?.connected) continue;
      out.push(
        `agent ${agent.id}: update ${update.uuid} (${update.state}) of task ${update.taskId} unacknowledged since ${update.timestampMs} ms`,
      );
    }
  }
  return out;
}
