/**
 * Operator reservation and volume commands (RESERVE_RESOURCES, UNRESERVE_RESOURCES,
 * CREATE_VOLUMES, DESTROY_VOLUMES): the same conversions frameworks make
 * inside an ACCEPT, applied to an agent's free resources. Outstanding offers
 * on the agent are rescinded when they hold what the operation needs.
 */
import type { ResourceOperation } from '../reservations/resourceConversion.js';
import { conversionFor } from '../reservations/resourceConversion.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { conversionProblem } from './conversionChecks.js';
import { unknownAgent } from './rejections.js';

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

export function handleOperatorConversion(parts: MasterParts, command: OperatorCommand, out: StepSink): Rejection | null {
  const agent = parts.agents.get(command.agentId);
  if (!agent) return unknownAgent(command.agentId);
  const operation = operationOf(command);
  const result = conversionFor(operation, command.role, parts.layout.slotOf('disk'));
  if (!result.ok) return { code: result.code, message: result.message };
  const problem = conversionProblem(parts.tasks, agent, operation, result.conversion);
  if (problem) return problem;
  if (!agent.convertFree(result.conversion)) {
    for (const offer of parts.offers.ofAgent(agent.id)) parts.offers.rescind(offer, 'operator', out);
    if (!agent.convertFree(result.conversion)) {
      return {
        code: 'insufficient_resources',
        message: `agent ${agent.id} does not have the resources ${operation.type} needs free (they may be in use by tasks)`,
        agentId: agent.id,
      };
    }
  }
  parts.allocator.chargeConversion(result.conversion, command.role, false);
  out.effects.push({ type: 'agent.resources', agentId: agent.id, total: agent.total });
  out.events.push({
    type: 'resources.converted',
    atMs: parts.nowMs,
    agentId: agent.id,
    operation: operation.type,
    role: command.role,
    by: 'operator',
  });
  parts.triggerAllocation(agent.id);
  return null;
}
