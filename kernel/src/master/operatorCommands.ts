/**
 * Operator reservation and volume commands (RESERVE_RESOURCES, UNRESERVE_RESOURCES,
 * CREATE_VOLUMES, DESTROY_VOLUMES): the same conversions frameworks make
 * inside an ACCEPT, applied to an agent's free resources. Outstanding offers
 * on the agent are rescinded when they hold what the operation needs.
 * Also the checks and quota accounting both paths share.
 */
import type { Agent } from '../agents/agent.js';
import type { Conversion, ResourceOperation } from '../reservations/resourceConversion.js';
import { conversionFor } from '../reservations/resourceConversion.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { Master, StepOutput } from './master.js';

type OperatorCommand = Extract<
  Command,
  { type: 'operator.reserve' | 'operator.unreserve' | 'operator.createVolumes' | 'operator.destroyVolumes' }
>;

function operationOf(command: OperatorCommand): ResourceOperation {
  switch (command.type) {
    case 'operator.reserve':
      return { type: 'RESERVE', resources: command.resources };
    case 'operator.unreserve':
      return { type: 'UNRESERVE', resources: command.resources };
    case 'operator.createVolumes':
      return { type: 'CREATE', volumes: command.volumes };
    case 'operator.destroyVolumes':
      return { type: 'DESTROY', volumes: command.volumes };
    default: {
      const unknown: never = command;
      throw new Error(`unknown operator command ${JSON.stringify(unknown)}`);
    }
  }
}

export function handleOperatorConversion(master: Master, command: OperatorCommand, out: StepOutput): Rejection | null {
  const agent = master.agents.get(command.agentId);
  if (!agent) return { code: 'unknown_agent', message: `agent ${command.agentId} is not registered`, agentId: command.agentId };
  const operation = operationOf(command);
  const result = conversionFor(operation, command.role, master.layout.slotOf('disk'));
  if (!result.ok) return { code: result.code, message: result.message };
  const problem = conversionProblem(master, agent, operation, result.conversion);
  if (problem) return problem;
  if (!agent.convertFree(result.conversion)) {
    for (const offer of master.offers.ofAgent(agent.id)) master.rescindOffer(offer, 'operator', out);
    if (!agent.convertFree(result.conversion)) {
      return {
        code: 'insufficient_resources',
        message: `agent ${agent.id} does not have the resources ${operation.type} needs free (they may be in use by tasks)`,
        agentId: agent.id,
      };
    }
  }
  master.allocator.chargeConversion(result.conversion, command.role, false);
  out.effects.push({ type: 'agent.resources', agentId: agent.id, total: agent.total });
  out.events.push({
    type: 'resources.converted',
    atMs: master.nowMs,
    agentId: agent.id,
    operation: operation.type,
    role: command.role,
    by: 'operator',
  });
  master.triggerAllocation(agent.id);
  return null;
}

/** Checks that need the agent's state: unique persistence ids, no volume destroyed while in use. */
export function conversionProblem(master: Master, agent: Agent, operation: ResourceOperation, conversion: Conversion): Rejection | null {
  if (operation.type === 'CREATE') {
    for (const part of conversion.converted.reserved) {
      const id = part.volume!.persistenceId;
      if (agent.total.reserved.some((existing) => existing.volume?.persistenceId === id && existing.role === part.role)) {
        return { code: 'volume_exists', message: `role ${part.role} already has a volume ${id} on agent ${agent.id}` };
      }
    }
  }
  if (operation.type === 'DESTROY' || operation.type === 'UNRESERVE') {
    const keys = new Set(conversion.consumed.reserved.map((part) => part.key));
    for (const task of master.liveTasksOn(agent.id)) {
      const used = task.resources.reserved.find(
        (part) => keys.has(part.key) && (part.volume !== undefined || operation.type === 'UNRESERVE'),
      );
      if (used?.volume) return { code: 'volume_in_use', message: `task ${task.id} uses volume ${used.volume.persistenceId}` };
    }
  }
  return null;
}
