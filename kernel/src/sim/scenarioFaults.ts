/**
 * Reading the fault schedule: each fault has a time inside the scenario, a
 * known type and exactly that type's fields. An `agent.add` with `count` n
 * becomes n faults, one per agent, whose ids join the scenario's agent ids.
 * Whether referenced agents and frameworks exist is checked afterwards, in
 * scenarioFaultReferences, once every fault has been read.
 */
import type { ScenarioFault, ScenarioFaultType } from './scenario.js';
import { type AgentIds, expandAgent, readAgentDraft } from './scenarioAgents.js';
import {
  type Errors,
  Fields,
  arrayOf,
  fieldPath,
  indexPath,
  isPlainObject,
  listEntries,
  nonEmptyString,
  nonNegativeNumber,
  positiveNumber,
  quote,
  quoteList,
  reportExpected,
  timeWithin,
} from '../schedulers/fieldReaders.js';
import { roleName } from '../schedulers/resourceReaders.js';
import { readQuota } from './scenarioRoles.js';
import { readServiceSpec } from '../sdk/serviceSpecReader.js';

const FAULT_FIELDS: Readonly<Record<ScenarioFaultType, readonly string[]>> = {
  'agent.crash': ['atMs', 'type', 'agent'],
  'agent.restart': ['atMs', 'type', 'agent'],
  'agent.drain': ['atMs', 'type', 'agent'],
  'agent.gone': ['atMs', 'type', 'agent'],
  'network.partition': ['atMs', 'type', 'agents'],
  'network.heal': ['atMs', 'type', 'agents'],
  'task.fail': ['atMs', 'type', 'framework', 'task'],
  'master.failover': ['atMs', 'type'],
  'framework.revive': ['atMs', 'type', 'framework', 'roles'],
  'framework.suppress': ['atMs', 'type', 'framework', 'roles'],
  'role.update': ['atMs', 'type', 'role', 'weight', 'quota'],
  'agent.add': ['atMs', 'type', 'agent'],
  'plan.interrupt': ['atMs', 'type', 'framework', 'plan', 'phase', 'step'],
  'plan.continue': ['atMs', 'type', 'framework', 'plan', 'phase', 'step'],
  'plan.restart': ['atMs', 'type', 'framework', 'plan', 'phase', 'step'],
  'plan.forceComplete': ['atMs', 'type', 'framework', 'plan', 'phase', 'step'],
  'pod.replace': ['atMs', 'type', 'framework', 'pod'],
  'pod.restart': ['atMs', 'type', 'framework', 'pod'],
  'service.update': ['atMs', 'type', 'framework', 'service'],
  'service.uninstall': ['atMs', 'type', 'framework'],
  'plan.start': ['atMs', 'type', 'framework', 'plan', 'parameters'],
  'plan.stop': ['atMs', 'type', 'framework', 'plan'],
  'scheduler.restart': ['atMs', 'type', 'framework'],
  'maintenance.schedule': ['atMs', 'type', 'agents', 'startsInMs', 'durationMs'],
  'maintenance.start': ['atMs', 'type', 'agents'],
  'maintenance.stop': ['atMs', 'type', 'agents'],
};

export const FAULT_TYPES = Object.keys(FAULT_FIELDS) as ScenarioFaultType[];

const agentIdList = arrayOf('a non-empty array of agent ids', nonEmptyString);
const stringRecord = {
  expected: 'an object of string parameters',
  read(value: unknown, path: string, errors: Errors): Record<string, string> | undefined {
    if (isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
    reportExpected(errors, path, 'an object of string parameters', value);
    return undefined;
  },
};
const roleList = arrayOf('a non-empty array of role names', roleName);

/** A fault whose shape is valid, with where it was written. */
export interface ReadFault {
  fault: ScenarioFault;
  path: string;
  index: number;
}

function readFaultType(value: unknown, path: string, errors: Errors): ScenarioFaultType | undefined {
  if (FAULT_TYPES.includes(value as ScenarioFaultType)) return value as ScenarioFaultType;
  const known = quoteList(FAULT_TYPES, FAULT_TYPES.length);
  if (value === undefined) errors.push({ path, message: `missing required field; expected one of ${known}` });
  else if (typeof value === 'string') errors.push({ path, message: `unknown fault type ${quote(value)}; expected one of ${known}` });
  else reportExpected(errors, path, `one of ${known}`, value);
  return undefined;
}

/** A list field that must not be empty (`[]` would be a no-op or ambiguous). */
function nonEmpty<T>(fields: Fields, key: string, list: T[] | undefined, errors: Errors): T[] | undefined {
  if (list === undefined || list.length > 0) return list;
  errors.push({ path: fields.pathOf(key), message: 'expected a non-empty array, got []' });
  return undefined;
}

/** The type-specific part of one fault; undefined when any field is invalid. */
function readFaultBody(
  type: ScenarioFaultType,
  atMs: number,
  fields: Fields,
  errors: Errors,
  agentIds: AgentIds,
): ScenarioFault[] | undefined {
  switch (type) {
    case 'agent.crash':
    case 'agent.restart':
    case 'agent.drain':
    case 'agent.gone': {
      const agent = fields.required('agent', nonEmptyString);
      return agent === undefined ? undefined : [{ atMs, type, agent }];
    }
    case 'network.partition':
    case 'network.heal':
    case 'maintenance.start':
    case 'maintenance.stop': {
      const agents = nonEmpty(fields, 'agents', fields.required('agents', agentIdList), errors);
      return agents === undefined ? undefined : [{ atMs, type, agents }];
    }
    case 'maintenance.schedule': {
      const agents = nonEmpty(fields, 'agents', fields.required('agents', agentIdList), errors);
      const startsInMs = fields.maybe('startsInMs', nonNegativeNumber);
      const durationMs = fields.maybe('durationMs', nonNegativeNumber);
      if (agents === undefined) return undefined;
      return [
        { atMs, type, agents, ...(startsInMs !== undefined ? { startsInMs } : {}), ...(durationMs !== undefined ? { durationMs } : {}) },
      ];
    }
    case 'task.fail': {
      const framework = fields.required('framework', nonEmptyString);
      const task = fields.maybe('task', nonEmptyString);
      if (framework === undefined) return undefined;
      return [task === undefined ? { atMs, type, framework } : { atMs, type, framework, task }];
    }
    case 'master.failover':
      return [{ atMs, type }];
    case 'framework.revive':
    case 'framework.suppress': {
      const framework = fields.required('framework', nonEmptyString);
      const roles = nonEmpty(fields, 'roles', fields.maybe('roles', roleList), errors);
      if (framework === undefined) return undefined;
      return [roles === undefined ? { atMs, type, framework } : { atMs, type, framework, roles }];
    }
    case 'role.update':
      return readRoleUpdate(atMs, fields, errors);
    case 'agent.add':
      return readAgentAdd(atMs, fields, errors, agentIds);
    case 'plan.interrupt':
    case 'plan.continue':
    case 'plan.restart':
    case 'plan.forceComplete': {
      const framework = fields.required('framework', nonEmptyString);
      const plan = fields.required('plan', nonEmptyString);
      const phase = fields.maybe('phase', nonEmptyString);
      const step = fields.maybe('step', nonEmptyString);
      if (framework === undefined || plan === undefined) return undefined;
      return [{ atMs, type, framework, plan, ...(phase !== undefined ? { phase } : {}), ...(step !== undefined ? { step } : {}) }];
    }
    case 'pod.replace':
    case 'pod.restart': {
      const framework = fields.required('framework', nonEmptyString);
      const pod = fields.required('pod', nonEmptyString);
      return framework === undefined || pod === undefined ? undefined : [{ atMs, type, framework, pod }];
    }
    case 'plan.start':
    case 'plan.stop': {
      const framework = fields.required('framework', nonEmptyString);
      const plan = fields.required('plan', nonEmptyString);
      const parameters = type === 'plan.start' ? fields.maybe('parameters', stringRecord) : undefined;
      if (framework === undefined || plan === undefined) return undefined;
      return [
        type === 'plan.start' ? { atMs, type, framework, plan, ...(parameters ? { parameters } : {}) } : { atMs, type, framework, plan },
      ];
    }
    case 'service.uninstall':
    case 'scheduler.restart': {
      const framework = fields.required('framework', nonEmptyString);
      return framework === undefined ? undefined : [{ atMs, type, framework }];
    }
    case 'service.update': {
      const framework = fields.required('framework', nonEmptyString);
      const before = errors.length;
      const service = fields.has('service') ? readServiceSpec(fields.value('service'), fields.pathOf('service'), errors) : undefined;
      if (!fields.has('service'))
        errors.push({ path: fields.pathOf('service'), message: 'missing required field; expected the new service spec' });
      return framework === undefined || service === undefined || errors.length > before ? undefined : [{ atMs, type, framework, service }];
    }
    default: {
      const unreachable: never = type;
      throw new Error(`unhandled fault type ${String(unreachable)}`);
    }
  }
}

function readAgentAdd(atMs: number, fields: Fields, errors: Errors, agentIds: AgentIds): ScenarioFault[] | undefined {
  if (!fields.has('agent')) {
    errors.push({ path: fields.pathOf('agent'), message: 'missing required field; expected an agent written like an entry of "agents"' });
    return undefined;
  }
  const draft = readAgentDraft(fields.value('agent'), fields.pathOf('agent'), errors);
  if (draft === undefined) {
    agentIds.tolerate(fields.value('agent'));
    return undefined;
  }
  return agentIds.claim(expandAgent(draft), fields.pathOf('agent'), errors).map((agent) => ({ atMs, type: 'agent.add', agent }));
}

function readRoleUpdate(atMs: number, fields: Fields, errors: Errors): ScenarioFault[] | undefined {
  const before = errors.length;
  const role = fields.required('role', roleName);
  const weight = fields.maybe('weight', positiveNumber);
  const quota = fields.has('quota') ? readQuota(fields.value('quota'), fields.pathOf('quota'), errors, role) : undefined;
  if (!fields.has('weight') && !fields.has('quota')) {
    errors.push({ path: fields.path, message: 'a role.update needs "weight", "quota" or both' });
  }
  if (role === undefined || errors.length > before) return undefined;
  const fault: ScenarioFault = { atMs, type: 'role.update', role };
  if (weight !== undefined) fault.weight = weight;
  if (quota !== undefined) fault.quota = quota;
  return [fault];
}

/** Every fault with a valid shape, in file order; agents added by faults join `agentIds`. */
export function readFaults(value: unknown, path: string, errors: Errors, durationMs: number | undefined, agentIds: AgentIds): ReadFault[] {
  const read: ReadFault[] = [];
  listEntries(value, path, errors, 'an array of faults').forEach((entry, index) => {
    const faultPath = indexPath(path, index);
    if (!isPlainObject(entry)) {
      reportExpected(errors, faultPath, 'a fault object with "atMs" and "type"', entry);
      return;
    }
    const type = readFaultType(Object.hasOwn(entry, 'type') ? entry.type : undefined, fieldPath(faultPath, 'type'), errors);
    if (type === undefined) return;
    const fields = Fields.open(entry, faultPath, errors, FAULT_FIELDS[type]) as Fields;
    const atMs = fields.required('atMs', timeWithin(durationMs));
    const faults = readFaultBody(type, atMs ?? 0, fields, errors, agentIds);
    if (atMs === undefined || faults === undefined) return;
    for (const fault of faults) read.push({ fault, path: faultPath, index });
  });
  return read;
}
