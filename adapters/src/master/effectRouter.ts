/**
 * Kernel effects and events turned into messages on the open streams:
 * offers, rescinds and status updates to frameworks; launches, kills,
 * acknowledgements, checkpoints and shutdowns to agents. Frameworks also hear
 * FAILURE when an agent is lost, and ERROR when they are removed.
 */
import type { Command, Effect, StepResult, Task } from '@allot/kernel';
import type { MasterContext } from './masterContext.js';
import { resourcesModel } from './classicJson.js';
import { inverseOfferJson, offerUnavailability } from './maintenanceApi.js';
import { fromResourceSet, toResourceSet } from './mesosResources.js';
import { offerJson } from './mesosJson.js';
import { taskStatusJson } from './taskContainers.js';
import type { LaunchData } from './taskInfo.js';

export function routeEffects(context: MasterContext, effects: readonly Effect[]): void {
  const { host, frameworks, agents } = context;
  const layout = host.master.layout;
  for (const effect of effects) {
    switch (effect.type) {
      case 'framework.offers':
        frameworks.send(effect.frameworkId, {
          type: 'OFFERS',
          offers: {
            offers: effect.offers.map((offer) => {
              const json = offerJson(offer, layout, host.registry.agents.get(offer.agentId));
              const unavailability = offerUnavailability(context, offer.agentId);
              return unavailability ? { ...json, unavailability } : json;
            }),
          },
        });
        break;
      case 'framework.rescind':
        frameworks.send(effect.frameworkId, { type: 'RESCIND', rescind: { offer_id: { value: effect.offerId } } });
        break;
      case 'framework.update':
        frameworks.send(effect.frameworkId, {
          type: 'UPDATE',
          update: { status: taskStatusJson(context, effect.status) },
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
      case 'framework.inverseOffers':
        frameworks.send(effect.frameworkId, {
          type: 'INVERSE_OFFERS',
          inverse_offers: { inverse_offers: effect.inverseOffers.map((offer) => inverseOfferJson(context, offer)) },
        });
        break;
      case 'framework.executorExited':
        // Mesos's v1 FAILURE event for an executor: agent_id, executor_id and, when known, its exit status.
        frameworks.send(effect.frameworkId, {
          type: 'FAILURE',
          failure: {
            agent_id: { value: effect.agentId },
            executor_id: { value: effect.executorId },
            ...(effect.status !== undefined ? { status: effect.status } : {}),
          },
        });
        break;
      case 'framework.rescindInverseOffer':
        frameworks.send(effect.frameworkId, {
          type: 'RESCIND_INVERSE_OFFER',
          rescind_inverse_offer: { inverse_offer_id: { value: effect.inverseOfferId } },
        });
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
    framework_info: frameworkInfoForAgent(context.host.registry.frameworks.get(task.frameworkId)?.info),
  };
  if (data.executor) {
    launch.executor = {
      executor_id: data.executor.executorId,
      command: data.executor.command,
      env: data.executor.env,
      info: { ...data.executor.info, framework_id: { value: task.frameworkId } },
    };
    launch.task_info = data.taskInfo ?? {};
  }
  if (data.group) launch.group = data.group;
  if (data.user !== undefined) launch.user = data.user;
  if (data.healthCheck) launch.health_check = data.healthCheck;
  if (data.check) launch.check = data.check;
  if (data.uris) launch.uris = data.uris;
  if (data.killGracePeriodMs !== undefined) launch.kill_grace_period_ms = data.killGracePeriodMs;
  return launch;
}

/** A task launched with a custom executor makes the executor known (GET_EXECUTORS, /master/state). */
function rememberExecutor(context: MasterContext, frameworkId: string, taskId: string): void {
  const task = context.host.master.frameworks.get(frameworkId)?.tasks.get(taskId);
  const executor = (task?.data as Partial<LaunchData> | undefined)?.executor;
  if (!task || !executor || context.executors.get(frameworkId, task.agentId, executor.executorId)) return;
  rememberExecutorInfo(context, frameworkId, task.agentId, executor.executorId, executor.info, task.role);
}

/** An executor's entry from its ExecutorInfo (at launch, or as an agent reports it when it subscribes again). */
export function rememberExecutorInfo(
  context: MasterContext,
  frameworkId: string,
  agentId: string,
  executorId: string,
  executorInfo: Record<string, unknown>,
  role: string,
): void {
  const info = { ...executorInfo, framework_id: { value: frameworkId } } as Record<string, any>;
  const resources = toResourceSet(info.resources ?? [], context.host.master.layout, 'executor.resources');
  context.executors.add({
    frameworkId,
    agentId,
    executorId,
    info,
    classic: {
      executor_id: executorId,
      name: typeof info.name === 'string' ? info.name : '',
      framework_id: frameworkId,
      command: { shell: info.command?.shell !== false, value: info.command?.value ?? '', argv: info.command?.arguments ?? [], uris: [] },
      resources: resources.ok ? resourcesModel(resources.value, context.host.master.layout) : {},
      role,
      type: typeof info.type === 'string' ? info.type : 'CUSTOM',
    },
  });
}

/** What an agent shows of a framework on its /state (never credentials or unknown fields). */
function frameworkInfoForAgent(info: Record<string, any> | undefined): Record<string, unknown> | undefined {
  if (!info) return undefined;
  const pick = ['name', 'user', 'roles', 'principal', 'hostname', 'checkpoint', 'failover_timeout'] as const;
  return Object.fromEntries(pick.filter((key) => info[key] !== undefined).map((key) => [key, info[key]]));
}

/** Messages that follow kernel events (sent once the step's state is durable). */
export function announceEvents(context: MasterContext, _command: Command, result: StepResult): void {
  const { frameworks } = context;
  for (const event of result.events) {
    if (event.type === 'agent.unreachable' || event.type === 'agent.removed' || event.type === 'agent.gone')
      frameworks.broadcast({ type: 'FAILURE', failure: { agent_id: { value: event.agentId } } });
    else if (event.type === 'framework.removed') {
      frameworks.close(event.frameworkId, 'Framework has been removed');
      // Its executors go too (Mesos shuts them down); command tasks were killed by the kernel.
      for (const agentId of new Set(context.executors.ofFramework(event.frameworkId).map((entry) => entry.agentId)))
        context.agents.send(agentId, { type: 'SHUTDOWN_FRAMEWORK', shutdown_framework: { framework_id: event.frameworkId } });
      context.executors.removeWhere((entry) => entry.frameworkId === event.frameworkId);
    }
  }
}

/** Daemon bookkeeping that follows kernel events (before the state is written, so the write includes it). */
export function followEvents(context: MasterContext, _command: Command, result: StepResult): void {
  const { host } = context;
  for (const event of result.events) {
    switch (event.type) {
      case 'agent.removed':
      case 'agent.gone':
        context.executors.removeWhere((entry) => entry.agentId === event.agentId);
        break;
      case 'task.launched':
        rememberExecutor(context, event.frameworkId, event.taskId);
        break;
      case 'executor.exited':
        context.executors.remove(event.frameworkId, event.agentId, event.executorId);
        break;
      case 'framework.removed':
        host.registry.frameworks.delete(event.frameworkId);
        break;
      default:
        break;
    }
  }
}
