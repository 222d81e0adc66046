/**
 * The spec of an elastic pool (`allot pool --spec POOL.json`), in the words
 * of Myriad's configuration: the worker command (a YARN NodeManager, a Spark
 * or Ray worker: any long-running process), `profiles` (cpus and mem a
 * worker offers; zero, small, medium and large by default, overridable, new
 * ones allowed), the `overhead` of the worker process itself (Myriad's
 * NodeManager settings), `nmInstances` started at first start and never
 * flexed below, and `maxPerAgent` (Myriad runs one NodeManager per host).
 * Every mistake is reported with its JSON path.
 */
import type { Profile } from '@allot/kernel';
import { DEFAULT_NODE_MANAGER_OVERHEAD, DEFAULT_PROFILES } from '@allot/kernel';
import { at, isObject, Problems, readNumber, readString, readStringMap, refuseUnknown, typeName } from '../marathon/validation.js';

export interface PoolSpec {
  name: string;
  role: string;
  command: string;
  env: Record<string, string>;
  profiles: Record<string, Profile>;
  overhead: Profile;
  nmInstances: Record<string, number>;
  maxPerAgent: number;
}

const FIELDS = new Set(['name', 'role', 'command', 'env', 'profiles', 'overhead', 'nmInstances', 'maxPerAgent']);

export function readPoolSpec(value: unknown): { ok: true; spec: PoolSpec } | { ok: false; problems: Problems } {
  const problems = new Problems();
  if (!isObject(value)) {
    problems.add('/', `expected a pool spec (a JSON object), got ${typeName(value)}`);
    return { ok: false, problems };
  }
  refuseUnknown(problems, '', value, FIELDS, 'a pool spec');
  const name = value.name === undefined ? 'myriad' : readString(problems, '/name', value.name, true);
  if (name !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(name))
    problems.add('/name', 'letters, digits, dots, dashes and underscores (1-64)');
  const role = value.role === undefined ? 'pool' : readString(problems, '/role', value.role, true);
  const command = readString(problems, '/command', value.command, true);
  const env = value.env === undefined ? {} : readStringMap(problems, '/env', value.env, 'environment variables');
  const profiles: Record<string, Profile> = { ...DEFAULT_PROFILES };
  if (value.profiles !== undefined) {
    if (!isObject(value.profiles)) problems.add('/profiles', 'expected {"name": {"cpus": N, "mem": MB}}');
    else
      for (const [profile, entry] of Object.entries(value.profiles))
        profiles[profile] = readProfile(problems, at('/profiles', profile), entry);
  }
  const overhead = value.overhead === undefined ? DEFAULT_NODE_MANAGER_OVERHEAD : readProfile(problems, '/overhead', value.overhead);
  const nmInstances: Record<string, number> = {};
  if (value.nmInstances !== undefined) {
    if (!isObject(value.nmInstances)) problems.add('/nmInstances', 'expected {"profile": count}');
    else
      for (const [profile, count] of Object.entries(value.nmInstances)) {
        if (!profiles[profile]) problems.add(at('/nmInstances', profile), `Profile does not exist: '${profile}'`);
        nmInstances[profile] = readNumber(problems, at('/nmInstances', profile), count, { min: 0, integer: true }) ?? 0;
      }
  }
  const maxPerAgent =
    value.maxPerAgent === undefined ? 1 : (readNumber(problems, '/maxPerAgent', value.maxPerAgent, { min: 1, integer: true }) ?? 1);
  if (!problems.empty || name === undefined || role === undefined || command === undefined) return { ok: false, problems };
  return { ok: true, spec: { name, role, command, env, profiles, overhead, nmInstances, maxPerAgent } };
}

function readProfile(problems: Problems, path: string, value: unknown): Profile {
  if (!isObject(value)) {
    problems.add(path, `expected {"cpus": N, "mem": MB}, got ${typeName(value)}`);
    return { cpus: 0, mem: 0 };
  }
  refuseUnknown(problems, path, value, new Set(['cpus', 'mem']), 'a profile');
  return {
    cpus: readNumber(problems, at(path, 'cpus'), value.cpus, { min: 0 }) ?? 0,
    mem: readNumber(problems, at(path, 'mem'), value.mem, { min: 0 }) ?? 0,
  };
}
