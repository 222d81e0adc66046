/**
 * Kernel effects and events turned into messages on the open streams:
 * offers, rescinds and status updates to frameworks; launches, kills,
 * acknowledgements, checkpoints and shutdowns to agents. Frameworks also hear
 * FAILURE when an agent is lost, and ERROR when they are removed.
 */
import type { Command, Effect, StepResult, Task } from '@allot/kernel';
import type { MasterContext } from './masterContext.js';
import { fromResourceSet } from './mesosResources.js';
import { offerJson, statusJson } from './mesosJson.js';
import type { LaunchData } from './taskInfo.js';

export function routeEffects(context: MasterContext, effects: readonly Effect[]): void {
  const { host, frameworks, agents } = context;
  const layout = host.master.layout;
  for (const effect of effects) {
    switch (effect.type) {
      case 'framework.offers':
        frameworks.send(effect.frameworkId, {
          type: 'OFFERS',
          offers: { offers: effect.offers.map((offer) => offerJson(offer, layout, host.registry.agents.get(offer.agentId))) },
        });
        break;
      case 'framework.rescind':
        frameworks.send(effect.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: effect.offerId } } });
        break;
      case 'framework.update':
        frameworks.send(effect.frameworkId, {
          type: 'UPDATE',
          update: { status: statusJson(effect.status, host.wallSeconds(effect.status.timestampMs)) },
        });
        break;
      case 'agent.launch':
        agents.send(effect.agentId, { type: 'LAUNCH', launch: launchJson(context, effect.task) });
        break;
      case 'agent.kill':
        agents.send(effect.agentId, {
          type: 'KILL',
          kill: {
            framework_id: effect.frameworkId,
            task_id: effect.taskId,
            grace_period_ms: effect.gracePeriodMs,
            killing_state: effect.killingState,
          },
        });
        break;
      case 'agent.acknowledge':
        agents.send(effect.agentId, {
          type: 'ACKNOWLEDGE',
          acknowledge: { framework_id: effect.frameworkId, task_id: effect.taskId, uuid: effect.uuid },
        });
        break;
      case 'agent.resources':
        agents.send(effect.agentId, { type: 'RESOURCES', resources: { resources: fromResourceSet(effect.total, layout) } });
        break;
      case 'agent.shutdown': {
        const stream = agents.current(effect.agentId);
        if (stream) {
          agents.detach(effect.agentId, stream);
          stream.close({ type: 'SHUTDOWN', shutdown: { reason: effect.reason } });
        }
        break;
      }
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }
}

function launchJson(context: MasterContext, task: Task): Record<string, unknown> {
  const data = (task.data ?? {}) as Partial<LaunchData>;
  const framework = context.host.master.frameworks.get(task.frameworkId);
  const launch: Record<string, unknown> = {
    framework_id: task.frameworkId,
    task_id: task.id,
    name: task.name,
    role: task.role,
    executor_id: task.executorId,
    resources: fromResourceSet(task.resources, context.host.master.layout, task.role),
    command: data.command ?? 'true',
    env: data.env ?? {},
    framework_capabilities: framework ? [...framework.capabilities] : [],
  };
  if (data.user !== undefined) launch.user = data.user;
  if (data.healthCheck) launch.health_check = data.healthCheck;
  if (data.check) launch.check = data.check;
  if (data.uris) launch.uris = data.uris;
  if (data.killGracePeriodMs !== undefined) launch.kill_grace_period_ms = data.killGracePeriodMs;
  return launch;
}

/** Messages that follow kernel events (sent once the step's state is durable). */
export function announceEvents(context: MasterContext, _command: Command, result: StepResult): void {
  const { frameworks } = context;
  for (const event of result.events) {
    if (event.type === 'agent.unreachable' || event.type === 'agent.removed' || event.type === 'agent.gone')
      frameworks.broadcast({ type: 'FAILURE', failure: { agent_id: { value: event.agentId } } });
    else if (event.type === 'framework.removed') frameworks.close(event.frameworkId, 'Framework has been removed');
  }
}

/** Daemon bookkeeping that follows kernel events (before the state is written, so the write includes it). */
export function followEvents(context: MasterContext, _command: Command, result: StepResult): void {
  const { host } = context;
  for (const event of result.events) if (event.type === 'framework.removed') host.registry.frameworks.delete(event.frameworkId);
}
