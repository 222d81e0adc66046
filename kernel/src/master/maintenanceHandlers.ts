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
import { drainAgent, removeAgent } from './agentLifecycle.js';
import type { Command } from './commands.js';
import type { Rejection } from './effects.js';
import type { Master, StepOutput } from './master.js';
import { unknownFramework } from './master.js';
import { setTaskState } from './taskHandlers.js';

type MaintenanceCommand = Extract<
  Command,
  { type: 'maintenance.schedule' | 'maintenance.start' | 'maintenance.stop' | 'inverseOffer.accept' | 'inverseOffer.decline' }
>;

export function handleMaintenance(master: Master, command: MaintenanceCommand, out: StepOutput): Rejection | null {
  switch (command.type) {
    case 'maintenance.schedule':
      return schedule(master, command.windows, out);
    case 'maintenance.start':
      return start(master, command.machines, out);
    case 'maintenance.stop':
      return stop(master, command.machines, out);
    case 'inverseOffer.accept':
    case 'inverseOffer.decline':
      return answer(master, command, out);
  }
}

function schedule(
  master: Master,
  windows: Extract<MaintenanceCommand, { type: 'maintenance.schedule' }>['windows'],
  out: StepOutput,
): Rejection | null {
  const problem = scheduleProblem(windows, master.maintenance.down);
  if (problem) return { code: 'invalid_schedule', message: problem };
  master.maintenance.setSchedule(windows);
  // Inverse offers for machines no longer scheduled are void.
  for (const offer of [...master.maintenance.outstanding.values()])
    if (!master.maintenance.windowOfHost(offer.hostname)) rescindInverseOffer(master, offer, out);
  out.events.push({
    type: 'maintenance.scheduled',
    atMs: master.nowMs,
    windows: windows.length,
    machines: windows.reduce((sum, window) => sum + window.machines.length, 0),
  });
  makeInverseOffers(master, out);
  return null;
}

function describe(machine: MachineId): string {
  return machine.hostname ?? machine.ip ?? '';
}

function start(master: Master, machines: readonly MachineId[], out: StepOutput): Rejection | null {
  for (const machine of machines) {
    if (!master.maintenance.isScheduled(machine))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is not in the maintenance schedule` };
    if (master.maintenance.down.has(machineKey(machine)))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is already DOWN` };
  }
  for (const machine of machines) {
    master.maintenance.down.add(machineKey(machine));
    out.events.push({ type: 'machine.down', atMs: master.nowMs, machine: describe(machine) });
    for (const agent of [...master.agents.values()]) {
      if (machine.hostname === undefined || agent.hostname.toLowerCase() !== machine.hostname.toLowerCase()) continue;
      for (const offer of [...master.maintenance.outstanding.values()])
        if (offer.agentId === agent.id) rescindInverseOffer(master, offer, out);
      for (const task of master.liveTasksOn(agent.id)) {
        const framework = master.frameworks.get(task.frameworkId);
        if (framework)
          setTaskState(
            master,
            framework,
            task,
            'TASK_GONE_BY_OPERATOR',
            'REASON_AGENT_DRAINING',
            'the machine was taken down for maintenance',
            out,
          );
      }
      removeAgent(master, agent.id, out);
      out.effects.push({ type: 'agent.shutdown', agentId: agent.id, reason: "Operator initiated 'Machine DOWN'" });
    }
  }
  return null;
}

function stop(master: Master, machines: readonly MachineId[], out: StepOutput): Rejection | null {
  for (const machine of machines)
    if (!master.maintenance.down.has(machineKey(machine)))
      return { code: 'invalid_machines', message: `machine ${describe(machine)} is not DOWN` };
  const keys = new Set(machines.map(machineKey));
  for (const key of keys) master.maintenance.down.delete(key);
  const windows = master.maintenance.windows
    .map((window) => ({ ...window, machines: window.machines.filter((machine) => !keys.has(machineKey(machine))) }))
    .filter((window) => window.machines.length > 0);
  master.maintenance.setSchedule(windows);
  for (const machine of machines) out.events.push({ type: 'machine.up', atMs: master.nowMs, machine: describe(machine) });
  return null;
}

function answer(
  master: Master,
  command: Extract<MaintenanceCommand, { type: 'inverseOffer.accept' | 'inverseOffer.decline' }>,
  out: StepOutput,
): Rejection | null {
  if (!master.frameworks.has(command.frameworkId)) return unknownFramework(command.frameworkId);
  const accept = command.type === 'inverseOffer.accept';
  const unknown: string[] = [];
  for (const id of command.inverseOfferIds) {
    const offer = master.maintenance.outstanding.get(id);
    if (!offer || offer.frameworkId !== command.frameworkId) {
      unknown.push(id);
      continue;
    }
    master.maintenance.outstanding.delete(id);
    master.maintenance.answer(offer.hostname, offer.frameworkId, accept ? 'ACCEPT' : 'DECLINE', master.nowMs);
    const base = { atMs: master.nowMs, inverseOfferId: id, frameworkId: offer.frameworkId, agentId: offer.agentId };
    out.events.push({ type: accept ? 'inverseOffer.accepted' : 'inverseOffer.declined', ...base });
    if (!accept) {
      const refuseSeconds = command.type === 'inverseOffer.decline' ? command.refuseSeconds : undefined;
      master.maintenance.declinedUntil.set(
        `${offer.frameworkId}\n${offer.agentId}`,
        master.nowMs + filterDurationMs(refuseSeconds, master.allocationIntervalMs),
      );
    } else drainIfAllAccepted(master, offer.agentId, out);
  }
  if (unknown.length > 0)
    return {
      code: 'unknown_inverse_offer',
      message: `no outstanding inverse offers ${unknown.join(', ')} for framework ${command.frameworkId}`,
    };
  return null;
}

/** Every framework with tasks on the agent agreed to leave it: drain it (once). */
function drainIfAllAccepted(master: Master, agentId: string, out: StepOutput): void {
  const agent = master.agents.get(agentId);
  if (agent?.connection !== 'active') return;
  const frameworks = new Set(master.liveTasksOn(agentId).map((task) => task.frameworkId));
  for (const frameworkId of frameworks) if (master.maintenance.answerOf(agent.hostname, frameworkId) !== 'ACCEPT') return;
  drainAgent(master, agentId, false, out);
}

function rescindInverseOffer(master: Master, offer: InverseOffer, out: StepOutput): void {
  master.maintenance.outstanding.delete(offer.id);
  out.effects.push({ type: 'framework.rescindInverseOffer', frameworkId: offer.frameworkId, inverseOfferId: offer.id });
  out.events.push({
    type: 'inverseOffer.rescinded',
    atMs: master.nowMs,
    inverseOfferId: offer.id,
    frameworkId: offer.frameworkId,
    agentId: offer.agentId,
  });
}

/** Each tick (and on a new schedule): inverse offers to frameworks with tasks on agents of scheduled machines. */
export function makeInverseOffers(master: Master, out: StepOutput): void {
  const maintenance = master.maintenance;
  if (maintenance.windows.length === 0 && maintenance.outstanding.size === 0) return;
  for (const offer of [...maintenance.outstanding.values()])
    if (!master.frameworks.has(offer.frameworkId) || !master.agents.has(offer.agentId)) rescindInverseOffer(master, offer, out);
  const byFramework = new Map<string, InverseOffer[]>();
  for (const agent of master.agents.values()) {
    const window = maintenance.windowOfHost(agent.hostname);
    if (!window) continue;
    for (const frameworkId of new Set(master.liveTasksOn(agent.id).map((task) => task.frameworkId))) {
      const framework = master.frameworks.get(frameworkId);
      if (!framework?.connected || maintenance.answerOf(agent.hostname, frameworkId) === 'ACCEPT') continue;
      if (maintenance.hasOutstanding(frameworkId, agent.id)) continue;
      if ((maintenance.declinedUntil.get(`${frameworkId}\n${agent.id}`) ?? -Infinity) > master.nowMs) continue;
      const offer = maintenance.newInverseOffer(frameworkId, agent.id, agent.hostname, window, master.epoch);
      maintenance.answer(agent.hostname, frameworkId, maintenance.answerOf(agent.hostname, frameworkId), master.nowMs);
      byFramework.set(frameworkId, [...(byFramework.get(frameworkId) ?? []), offer]);
      out.events.push({ type: 'inverseOffer.made', atMs: master.nowMs, inverseOfferId: offer.id, frameworkId, agentId: agent.id });
    }
  }
  for (const [frameworkId, inverseOffers] of byFramework) out.effects.push({ type: 'framework.inverseOffers', frameworkId, inverseOffers });
}
