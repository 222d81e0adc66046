/**
 * Cross-references of the fault schedule: the agents and frameworks a fault
 * names must exist when it fires. Agents of the "agents" section exist from the
 * start; an agent added by an `agent.add` fault exists for faults later in
 * time, or at the same time and later in the file (the simulator keeps file
 * order among faults at the same time).
 */
import type { ScenarioFramework } from './scenario.js';
import type { AgentIds } from './scenarioAgents.js';
import type { ReadFault } from './scenarioFaults.js';
import { type Errors, fieldPath, indexPath, quote, quoteList } from '../schedulers/fieldReaders.js';

interface References {
  agentIds: AgentIds;
  addedBy: ReadonlyMap<string, ReadFault>;
  frameworks: ReadonlyMap<string, ScenarioFramework>;
  errors: Errors;
}

export function checkFaultReferences(
  faults: readonly ReadFault[],
  agentIds: AgentIds,
  frameworks: readonly ScenarioFramework[],
  errors: Errors,
): void {
  const addedBy = new Map<string, ReadFault>();
  for (const entry of faults) if (entry.fault.type === 'agent.add') addedBy.set(entry.fault.agent.id, entry);
  const references: References = { agentIds, addedBy, frameworks: new Map(frameworks.map((f) => [f.id, f])), errors };
  for (const entry of faults) checkFault(entry, references);
}

function checkFault(entry: ReadFault, references: References): void {
  const { fault, path } = entry;
  switch (fault.type) {
    case 'agent.crash':
    case 'agent.restart':
    case 'agent.drain':
    case 'agent.gone':
      checkAgent(fault.agent, fieldPath(path, 'agent'), entry, references);
      return;
    case 'network.partition':
    case 'network.heal':
    case 'maintenance.schedule':
    case 'maintenance.start':
    case 'maintenance.stop':
      fault.agents.forEach((agent, index) => checkAgent(agent, indexPath(fieldPath(path, 'agents'), index), entry, references));
      return;
    case 'task.fail':
      checkFramework(fault.framework, fieldPath(path, 'framework'), references);
      return;
    case 'framework.revive':
    case 'framework.suppress': {
      const framework = checkFramework(fault.framework, fieldPath(path, 'framework'), references);
      if (framework !== undefined) checkFrameworkRoles(framework, fault.roles ?? [], fieldPath(path, 'roles'), references.errors);
      return;
    }
    case 'plan.interrupt':
    case 'plan.continue':
    case 'plan.restart':
    case 'plan.forceComplete':
    case 'pod.replace':
    case 'pod.restart':
    case 'service.update':
    case 'service.uninstall':
    case 'plan.start':
    case 'plan.stop':
    case 'scheduler.restart': {
      const framework = checkFramework(fault.framework, fieldPath(path, 'framework'), references);
      if (framework !== undefined && framework.kind !== 'stateful') {
        references.errors.push({
          path: fieldPath(path, 'framework'),
          message: `${fault.type} needs a stateful framework; ${quote(framework.id)} is ${framework.kind}`,
        });
      }
      return;
    }
    case 'master.failover':
    case 'role.update':
    case 'agent.add':
      return;
    default: {
      const unreachable: never = fault;
      throw new Error(`unhandled fault ${JSON.stringify(unreachable)}`);
    }
  }
}

function checkAgent(id: string, path: string, at: ReadFault, references: References): void {
  const added = references.addedBy.get(id);
  if (added !== undefined) {
    const { atMs } = added.fault;
    if (atMs < at.fault.atMs || (atMs === at.fault.atMs && added.index < at.index)) return;
    references.errors.push({ path, message: `agent ${quote(id)} is only added at ${atMs} ms by ${added.path}` });
    return;
  }
  if (references.agentIds.has(id)) return;
  const known = references.agentIds.ids();
  const expected = known.length === 0 ? 'the scenario has no agents' : `expected one of ${quoteList(known)}`;
  references.errors.push({ path, message: `unknown agent ${quote(id)}; ${expected}` });
}

function checkFramework(id: string, path: string, references: References): ScenarioFramework | undefined {
  const framework = references.frameworks.get(id);
  if (framework !== undefined) return framework;
  const known = [...references.frameworks.keys()];
  const expected = known.length === 0 ? 'the scenario has no frameworks' : `expected one of ${quoteList(known)}`;
  references.errors.push({ path, message: `unknown framework ${quote(id)}; ${expected}` });
  return undefined;
}

function checkFrameworkRoles(framework: ScenarioFramework, roles: readonly string[], path: string, errors: Errors): void {
  roles.forEach((role, index) => {
    if (role === framework.role) return;
    errors.push({
      path: indexPath(path, index),
      message: `framework ${quote(framework.id)} is not subscribed to role ${quote(role)}; its role is ${quote(framework.role)}`,
    });
  });
}
