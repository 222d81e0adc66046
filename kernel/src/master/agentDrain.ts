/**
 * Draining an agent (the operator's DRAIN_AGENT): outstanding offers are
 * rescinded, no new ones are made, every live task is killed, and once none is
 * left the agent is drained (and marked gone, when asked).
 */
import type { Rejection } from './effects.js';
import { markGone, rescindAll } from './agentLifecycle.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { unknownAgent } from './rejections.js';

export function drainAgent(parts: MasterParts, agentId: string, markGoneAfter: boolean, out: StepSink): Rejection | null {
  const agent = parts.agents.get(agentId);
  if (!agent) return unknownAgent(agentId);
  rescindAll(parts, agentId, 'agent_draining', out);
  parts.agents.setConnection(agent, 'draining', parts.nowMs);
  agent.markGoneWhenDrained = markGoneAfter;
  out.events.push({ type: 'agent.draining', atMs: parts.nowMs, agentId });
  for (const task of parts.tasks.liveOn(agentId)) {
    const framework = parts.frameworks.get(task.frameworkId)!;
    out.effects.push({
      type: 'agent.kill',
      agentId,
      frameworkId: task.frameworkId,
      taskId: task.id,
      gracePeriodMs: parts.timeouts.killGracePeriodMs,
      killingState: framework.capabilities.has('TASK_KILLING_STATE'),
    });
  }
  afterTaskEnded(parts, agentId, out);
  return null;
}

/** A draining agent with no live tasks left is drained (and gone, when asked). */
export function afterTaskEnded(parts: MasterParts, agentId: string, out: StepSink): void {
  const agent = parts.agents.get(agentId);
  if (agent?.connection !== 'draining' || parts.tasks.hasLiveOn(agentId) || agent.drained) return;
  agent.drained = true;
  out.events.push({ type: 'agent.drained', atMs: parts.nowMs, agentId });
  if (agent.markGoneWhenDrained) markGone(parts, agentId, out);
}
