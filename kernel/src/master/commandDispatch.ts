/**
 * Which handler takes which command (every command but `tick`, which is the
 * master's own). Handlers get the master's parts, never the Master.
 */
import { handleAccept } from './acceptOffers.js';
import { drainAgent } from './agentDrain.js';
import * as agents from './agentLifecycle.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import * as frameworks from './frameworkCommands.js';
import type { FrameworkState } from './frameworkState.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { handleExecutorExited } from './executorHandlers.js';
import { handleMaintenance } from './maintenanceHandlers.js';
import { handleOperatorConversion } from './operatorCommands.js';
import { handleReconcile } from './reconciliation.js';
import { handleAcknowledge, handleShutdown, handleTaskKill, handleTaskStatus } from './taskHandlers.js';

type DispatchParts = MasterParts & { readonly frameworks: Map<string, FrameworkState> };

export function dispatchCommand(parts: DispatchParts, command: Exclude<Command, { type: 'tick' }>, out: StepSink): Rejection | null {
  switch (command.type) {
    case 'agent.add':
      return agents.addAgent(parts, command.agent, command.tasks ?? [], out, command.executors);
    case 'agent.reregister':
      return agents.reregisterAgent(parts, command.agent, command.tasks, out, command.executors);
    case 'agent.disconnect':
      return agents.disconnectAgent(parts, command.agentId, out);
    case 'agent.unreachable':
      return agents.markUnreachable(parts, command.agentId, out);
    case 'agent.remove':
      return agents.removeAgent(parts, command.agentId, out);
    case 'agent.markGone':
      return agents.markGone(parts, command.agentId, out);
    case 'agent.drain':
      return drainAgent(parts, command.agentId, command.markGone ?? false, out);
    case 'agent.updateAttributes':
      return agents.updateAttributes(parts, command.agentId, command.attributes, out);
    case 'task.status':
      return handleTaskStatus(parts, command, out);
    case 'framework.subscribe':
      return frameworks.subscribe(parts, command.framework, out);
    case 'framework.disconnect':
      return frameworks.disconnect(parts, command.frameworkId, out);
    case 'framework.teardown':
      return frameworks.teardown(parts, command.frameworkId, out);
    case 'framework.suppress':
      return frameworks.suppress(parts, command.frameworkId, command.roles, true, out);
    case 'framework.revive':
      return frameworks.suppress(parts, command.frameworkId, command.roles, false, out);
    case 'framework.reconcile':
      return handleReconcile(parts, command, out);
    case 'offer.accept':
      return handleAccept(parts, command, out);
    case 'offer.decline':
      return frameworks.decline(parts, command.frameworkId, command.offerIds, command.refuseSeconds, out);
    case 'task.kill':
      return handleTaskKill(parts, command, out);
    case 'task.acknowledge':
      return handleAcknowledge(parts, command, out);
    case 'executor.shutdown':
      return handleShutdown(parts, command, out);
    case 'executor.exited':
      return handleExecutorExited(parts, command, out);
    case 'role.update':
      return frameworks.updateRole(parts, command, out);
    case 'operator.reserve':
    case 'operator.unreserve':
    case 'operator.createVolumes':
    case 'operator.destroyVolumes':
      return handleOperatorConversion(parts, command, out);
    case 'maintenance.schedule':
    case 'maintenance.start':
    case 'maintenance.stop':
    case 'inverseOffer.accept':
    case 'inverseOffer.decline':
      return handleMaintenance(parts, command, out);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}
