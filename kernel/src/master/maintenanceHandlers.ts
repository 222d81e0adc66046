/**
 * The master's maintenance commands (see ../maintenance/maintenance.ts):
 * a new schedule; START_MAINTENANCE takes scheduled machines DOWN (their
 * agents' tasks end TASK_GONE_BY_OPERATOR / REASON_AGENT_DRAINING, the agents
 * are removed and shut down, and may not register until the machine is UP);
 * STOP_MAINTENANCE brings them UP and out of the schedule. Every tick, a
 * framework with tasks on an agent of a scheduled machine gets an inverse
 * offer for it, unless it has one, declined one within its filter, or
 * accepted. Accepting is consent to leave: once every framework with tasks
 * there has accepted, the agent is drained (no offers, tasks killed with the
 * kill grace period), which is allot's choice where Mesos leaves the drain to
 * the operator.
 */
import { filterDurationMs } from '../allocator/allocator.js';
import type { InverseOffer, MachineId } from '../maintenance/maintenance.js';
import { machineKey, scheduleProblem } from '../maintenance/maintenance.js';
import { drainAgent } from './agentDrain.js';
import { removeAgent } from './agentLifecycle.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { unknownFramework } from './rejections.js';
import { setTaskState } from './taskTransitions.js';

type MaintenanceCommand = Extract<
  Command,
  { type: 'maintenance.schedule' | 'maintenance.start' | 'maintenance.stop' | 'inverseOffer.accept' | 'inverseOffer.decline' }
>;

export function handleMaintenance(parts: MasterParts, command: MaintenanceCommand, out: StepSink): Rejection | null {
  switch (command.type) {
    case 'maintenance.schedule':
      return schedule(parts, command.windows, out);
    case 'maintenance.start':
      return start(parts, command.machines, out);
    case 'maintenance.stop':
      return stop(parts, command.machines, out);
    case 'inverseOffer.accept':
    case 'inverseOffer.decline':
      return answer(parts, command, out);
  }
}

function schedule(
  parts: MasterParts,
  windows: Extract<MaintenanceCommand, { type: 'maintenance.schedule' }>['windows'],
  out: StepSink,
): Rejection | null {
  const problem = scheduleProblem(windows, parts.maintenance.down);
  if (problem) return { code: 'invalid_schedule', message: problem };
  parts.maintenance.setSchedule(windows);
  // Inverse offers for machines no longer scheduled are void.
  for (const offer of [...parts.maintenance.outstanding.values()]) {
    const agent = parts.agents.get(offer.agentId);
    if (!agent || !parts.maintenance.windowOf(agent)) rescindInverseOffer(parts, offer, out);
  }
  out.events.push({
    type: 'maintenance.scheduled',
    atMs: parts.nowMs,
    windows: windows.length,
    machines: windows.reduce((sum, window) => sum + window.machines.length, 0),
  });
  makeInverseOffers(parts, out);
  return null;
}

function describe(machine: MachineId): string {
  return machine.hostname ?? machine.ip ?? '';
}

function start(parts: MasterParts, machines: readonly MachineId[], out: StepSink): Rejection | null {
  for (const machine of machines) {
    if (!parts.maintenance.isScheduled(machine))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is not in the maintenance schedule` };
    if (parts.maintenance.down.has(machineKey(machine)))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is already DOWN` };
  }
  for (const machine of machines) {
    parts.maintenance.down.add(machineKey(machine));
    out.events.push({ type: 'machine.down', atMs: parts.nowMs, machine: describe(machine) });
    for (const agent of [...parts.agents.values()]) {
      if (!parts.maintenance.covers(machineKey(machine), agent)) continue;
      for (const offer of [...parts.maintenance.outstanding.values()])
        if (offer.agentId === agent.id) rescindInverseOffer(parts, offer, out);
      for (const task of parts.tasks.liveOn(agent.id)) {
        const framework = parts.frameworks.get(task.frameworkId);
        if (framework)
          setTaskState(
            parts,
            framework,
            task,
            'TASK_GONE_BY_OPERATOR',
            'REASON_AGENT_DRAINING',
            'the machine was taken down for maintenance',
            out,
          );
      }
      removeAgent(parts, agent.id, out);
      out.effects.push({ type: 'agent.shutdown', agentId: agent.id, reason: "Operator initiated 'Machine DOWN'" });
    }
  }
  return null;
}

function stop(parts: MasterParts, machines: readonly MachineId[], out: StepSink): Rejection | null {
  for (const machine of machines)
    if (!parts.maintenance.down.has(machineKey(machine)))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is not DOWN` };
  const keys = new Set(machines.map(machineKey));
  for (const key of keys) parts.maintenance.down.delete(key);
  const windows = parts.maintenance.windows
    .map((window) => ({ ...window, machines: window.machines.filter((machine) => !keys.has(machineKey(machine))) }))
    .filter((window) => window.machines.length > 0);
  parts.maintenance.setSchedule(windows);
  for (const machine of machines) out.events.push({ type: 'machine.up', atMs: parts.nowMs, machine: describe(machine) });
  return null;
}

function answer(
  parts: MasterParts,
  command: Extract<MaintenanceCommand, { type: 'inverseOffer.accept' | 'inverseOffer.decline' }>,
  out: StepSink,
): Rejection | null {
  if (!parts.frameworks.has(command.frameworkId)) return unknownFramework(command.frameworkId);
  const accept = command.type === 'inverseOffer.accept';
  const unknown: string[] = [];
  for (const id of command.inverseOfferIds) {
    const offer = parts.maintenance.outstanding.get(id);
    if (!offer || offer.frameworkId !== command.frameworkId) {
      unknown.push(id);
      continue;
    }
    parts.maintenance.outstanding.delete(id);
    const agent = parts.agents.get(offer.agentId);
    const machine = agent ? parts.maintenance.machineOf(agent) : null;
    if (machine !== null) parts.maintenance.answer(machine, offer.frameworkId, accept ? 'ACCEPT' : 'DECLINE', parts.nowMs);
    const base = { atMs: parts.nowMs, inverseOfferId: id, frameworkId: offer.frameworkId, agentId: offer.agentId };
    out.events.push({ type: accept ? 'inverseOffer.accepted' : 'inverseOffer.declined', ...base });
    if (!accept) {
      const refuseSeconds = command.type === 'inverseOffer.decline' ? command.refuseSeconds : undefined;
      parts.maintenance.declinedUntil.set(
        `${offer.frameworkId}\n${offer.agentId}`,
        parts.nowMs + filterDurationMs(refuseSeconds, parts.timeouts.allocationIntervalMs),
      );
    } else drainIfAllAccepted(parts, offer.agentId, out);
  }
  if (unknown.length > 0)
    return {
      code: 'unknown_inverse_offer',
      message: `no outstanding inverse offers ${unknown.join(', ')} for framework ${command.frameworkId}`,
    };
  return null;
}

/** Every framework with tasks on the agent agreed to leave it: drain it (once). */
function drainIfAllAccepted(parts: MasterParts, agentId: string, out: StepSink): void {
  const agent = parts.agents.get(agentId);
  if (agent?.connection !== 'active') return;
  const machine = parts.maintenance.machineOf(agent);
  if (machine === null) return;
  const frameworks = new Set(parts.tasks.liveOn(agentId).map((task) => task.frameworkId));
  for (const frameworkId of frameworks) if (parts.maintenance.answerOf(machine, frameworkId) !== 'ACCEPT') return;
  drainAgent(parts, agentId, false, out);
}

function rescindInverseOffer(parts: MasterParts, offer: InverseOffer, out: StepSink): void {
  parts.maintenance.outstanding.delete(offer.id);
  out.effects.push({ type: 'framework.rescindInverseOffer', frameworkId: offer.frameworkId, inverseOfferId: offer.id });
  out.events.push({
    type: 'inverseOffer.rescinded',
    atMs: parts.nowMs,
    inverseOfferId: offer.id,
    frameworkId: offer.frameworkId,
    agentId: offer.agentId,
  });
}

/** Each tick (and on a new schedule): inverse offers to frameworks with tasks on agents of scheduled machines. */
export function makeInverseOffers(parts: MasterParts, out: StepSink): void {
  const maintenance = parts.maintenance;
  if (maintenance.windows.length === 0 && maintenance.outstanding.size === 0) return;
  for (const offer of [...maintenance.outstanding.values()])
    if (!parts.frameworks.has(offer.frameworkId) || !parts.agents.has(offer.agentId)) rescindInverseOffer(parts, offer, out);
  const byFramework = new Map<string, InverseOffer[]>();
  for (const agent of parts.agents.values()) {
    const machine = maintenance.machineOf(agent);
    if (machine === null) continue;
    const window = maintenance.windowOf(agent)!;
    for (const frameworkId of new Set(parts.tasks.liveOn(agent.id).map((task) => task.frameworkId))) {
      const framework = parts.frameworks.get(frameworkId);
      if (!framework?.connected || maintenance.answerOf(machine, frameworkId) === 'ACCEPT') continue;
      if (maintenance.hasOutstanding(frameworkId, agent.id)) continue;
      if ((maintenance.declinedUntil.get(`${frameworkId}\n${agent.id}`) ?? -Infinity) > parts.nowMs) continue;
      const offer = maintenance.newInverseOffer(frameworkId, agent.id, agent.hostname, window, parts.epoch);
      maintenance.answer(machine, frameworkId, maintenance.answerOf(machine, frameworkId), parts.nowMs);
      byFramework.set(frameworkId, [...(byFramework.get(frameworkId) ?? []), offer]);
      out.events.push({ type: 'inverseOffer.made', atMs: parts.nowMs, inverseOfferId: offer.id, frameworkId, agentId: agent.id });
    }
  }
  for (const [frameworkId, inverseOffers] of byFramework) out.effects.push({ type: 'framework.inverseOffers', frameworkId, inverseOffers });
}
