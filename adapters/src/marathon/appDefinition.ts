/**
 * A Marathon app definition (AppDefinition.json of Marathon 1.x) read into
 * its normal form, Marathon's defaults filled in: what the API stores per
 * version and answers. Every problem is reported at once with its path
 * (validation.ts). Fields allot does not support yet (containers, IP per
 * task, secrets, residency, GPUs...) are refused by name;
 * fields Marathon itself writes in its answers (counts, tasks, deployments,
 * versionInfo) are accepted and ignored, so that what a client read can be
 * sent back. PUT and PATCH merge the body into the current definition first.
 */
import type { Artifact, HealthCheckDefinition, PortDefinition, UpgradeStrategyDefinition } from './appParts.js';
import { readArtifacts, readConstraints, readEnv, readHealthChecks, readPortDefinitions, readUpgradeStrategy } from './appParts.js';
import type { ReadinessCheckDefinition } from './readinessCheck.js';
import { readReadinessChecks } from './readinessCheck.js';
import type { UnreachableStrategyDefinition } from './unreachableStrategy.js';
import { readUnreachableStrategy } from './unreachableStrategy.js';
import { canonicalPath, isObject, Problems, readBoolean, readNumber, readString, readStringMap, typeName } from './validation.js';

type Json = Record<string, any>;

export interface AppDefinition {
  id: string;
  cmd: string | null;
  args: string[] | null;
  user: string | null;
  env: Record<string, string>;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  executor: string;
  constraints: string[][];
  fetch: Artifact[];
  storeUrls: string[];
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  container: null;
  healthChecks: HealthCheckDefinition[];
  readinessChecks: ReadinessCheckDefinition[];
  /** Marathon's default: inactive after 300 s, expunged after 600 s. */
  unreachableStrategy: UnreachableStrategyDefinition;
  dependencies: string[];
  upgradeStrategy: UpgradeStrategyDefinition;
  labels: Record<string, string>;
  acceptedResourceRoles: string[] | null;
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  killSelection: 'YOUNGEST_FIRST';
  taskKillGracePeriodSeconds: number | null;
  role?: string;
}

export type ReadResult = { ok: true; app: AppDefinition } | { ok: false; problems: Problems };

/** Written by Marathon in its answers; a client may send them back: ignored. */
const READ_ONLY = new Set([
  'version',
  'versionInfo',
  'tasksStaged',
  'tasksRunning',
  'tasksHealthy',
  'tasksUnhealthy',
  'deployments',
  'tasks',
  'lastTaskFailure',
  'readinessCheckResults',
  'taskStats',
  'ports',
]);

const UNSUPPORTED: Record<string, string> = {
  ipAddress: 'an IP per task needs container networking, which allot agents do not have',
  networks: 'container networks are not supported by allot agents; tasks use the host network',
  secrets: 'secrets are not supported by allot yet',
  residency: 'local persistent volumes for apps are not supported by allot yet (use allot service)',
  check: 'Mesos checks of apps are not supported by allot yet; use a health check',
  tty: 'a TTY is not supported by allot agents',
  resourceLimits: 'resource limits above the requested amounts are not supported by allot agents',
};

const FIELDS = new Set([
  'id',
  'cmd',
  'args',
  'user',
  'env',
  'instances',
  'cpus',
  'mem',
  'disk',
  'gpus',
  'executor',
  'constraints',
  'uris',
  'fetch',
  'storeUrls',
  'backoffSeconds',
  'backoffFactor',
  'maxLaunchDelaySeconds',
  'container',
  'healthChecks',
  'readinessChecks',
  'unreachableStrategy',
  'dependencies',
  'upgradeStrategy',
  'labels',
  'acceptedResourceRoles',
  'portDefinitions',
  'requirePorts',
  'killSelection',
  'taskKillGracePeriodSeconds',
  'role',
  ...READ_ONLY,
  ...Object.keys(UNSUPPORTED),
]);

/** allot's master refuses tasks under this (Mesos's MIN_CPUS). */
export const APP_CPUS_MIN = 0.01;

export interface ReadContext {
  /** Relative ids resolve against it (a group's id); default "/". */
  base?: string;
  /** The framework's role: an app's `role` must be it. */
  role: string;
}

export function readAppDefinition(body: unknown, context: ReadContext): ReadResult {
  const problems = new Problems();
  if (!isObject(body)) {
    problems.add('/', `expected an app definition (a JSON object), got ${typeName(body)}`);
    return { ok: false, problems };
  }
  for (const key of Object.keys(body)) {
    if (!FIELDS.has(key)) problems.add(`/${key}`, 'unknown field of an app definition; allot does not know what to do with it');
    else if (UNSUPPORTED[key] && !isEmptyValue(body[key]) && !(key === 'networks' && isHostNetwork(body[key])))
      problems.add(`/${key}`, UNSUPPORTED[key]);
  }
  const id = readId(problems, body.id, context.base ?? '/');
  const app = readFields(problems, body, context);
  if (!problems.empty || id === null) return { ok: false, problems };
  return { ok: true, app: { ...app, id } };
}

/** PUT / PATCH: the body over the current definition (a new `cmd` replaces `args` and `ports` replace `portDefinitions`). */
export function mergeUpdate(current: AppDefinition, body: Json): Json {
  const merged: Json = { ...current };
  if ('cmd' in body) delete merged.args;
  if ('args' in body) delete merged.cmd;
  if ('ports' in body && !('portDefinitions' in body)) delete merged.portDefinitions;
  return { ...merged, ...body, id: current.id };
}

function readId(problems: Problems, value: unknown, base: string): string | null {
  const raw = readString(problems, '/id', value, true);
  if (raw === undefined) return null;
  const id = canonicalPath(raw, base);
  if (id === null || id === '/') {
    problems.add('/id', 'must be a path of names of lowercase letters, digits, dashes and dots, such as /prod/web');
    return null;
  }
  return id;
}

function readFields(problems: Problems, body: Json, context: ReadContext): Omit<AppDefinition, 'id'> {
  const number = (key: string, fallback: number, bounds: { min?: number; max?: number; integer?: boolean }) =>
    body[key] === undefined || body[key] === null ? fallback : (readNumber(problems, `/${key}`, body[key], bounds) ?? fallback);
  const command = readCommand(problems, body);
  const portDefinitions = readPorts(problems, body);
  const executor = body.executor ?? '';
  if (executor !== '' && executor !== '//cmd') problems.add('/executor', 'allot agents run command tasks only ("" or "//cmd")');
  if (body.container !== undefined && body.container !== null)
    problems.add('/container', 'containers are not supported by allot agents yet (command tasks only)');
  if (body.killSelection !== undefined && body.killSelection !== 'YOUNGEST_FIRST')
    problems.add('/killSelection', 'allot kills the youngest instances first (YOUNGEST_FIRST) only');
  const gpus = number('gpus', 0, { min: 0, integer: true });
  if (gpus > 0) problems.add('/gpus', 'GPUs are not supported by allot apps yet');
  if (body.role !== undefined && body.role !== context.role)
    problems.add('/role', `this Marathon runs apps in role "${context.role}" (its --mesos-role); got ${JSON.stringify(body.role)}`);
  const requirePorts = body.requirePorts === undefined ? false : (readBoolean(problems, '/requirePorts', body.requirePorts) ?? false);
  if (requirePorts && portDefinitions.some((definition) => definition.port !== 0))
    problems.add('/requirePorts', 'fixed host ports are not supported by allot yet: ports are taken from the offers (PORT0, PORT1, ...)');
  // The master refuses smaller tasks (Mesos's MIN_CPUS).
  const cpus = number('cpus', 1, { min: APP_CPUS_MIN });
  return {
    ...command,
    user: body.user === undefined || body.user === null ? null : (readString(problems, '/user', body.user, true) ?? null),
    env: body.env === undefined || body.env === null ? {} : readEnv(problems, '/env', body.env),
    instances: number('instances', 1, { min: 0, integer: true }),
    cpus,
    mem: number('mem', 128, { min: 0 }),
    disk: number('disk', 0, { min: 0 }),
    gpus: 0,
    executor,
    constraints:
      body.constraints === undefined || body.constraints === null ? [] : readConstraints(problems, '/constraints', body.constraints),
    fetch: readFetch(problems, body),
    storeUrls: readStoreUrls(problems, body.storeUrls),
    backoffSeconds: number('backoffSeconds', 1, { min: 0, integer: true }),
    backoffFactor: number('backoffFactor', 1.15, { min: 1 }),
    maxLaunchDelaySeconds: number('maxLaunchDelaySeconds', 3600, { min: 0, integer: true }),
    container: null,
    healthChecks:
      body.healthChecks === undefined || body.healthChecks === null
        ? []
        : readHealthChecks(problems, '/healthChecks', body.healthChecks, portDefinitions.length),
    readinessChecks:
      body.readinessChecks === undefined || body.readinessChecks === null
        ? []
        : readReadinessChecks(problems, '/readinessChecks', body.readinessChecks, portDefinitions),
    unreachableStrategy: readUnreachableStrategy(problems, body.unreachableStrategy),
    dependencies: readDependencies(problems, body.dependencies),
    upgradeStrategy:
      body.upgradeStrategy === undefined || body.upgradeStrategy === null
        ? { minimumHealthCapacity: 1, maximumOverCapacity: 1 }
        : readUpgradeStrategy(problems, '/upgradeStrategy', body.upgradeStrategy),
    labels: body.labels === undefined || body.labels === null ? {} : readStringMap(problems, '/labels', body.labels, 'labels'),
    acceptedResourceRoles: readAcceptedRoles(problems, body.acceptedResourceRoles, context.role),
    portDefinitions,
    requirePorts,
    killSelection: 'YOUNGEST_FIRST',
    taskKillGracePeriodSeconds:
      body.taskKillGracePeriodSeconds === undefined || body.taskKillGracePeriodSeconds === null
        ? null
        : (readNumber(problems, '/taskKillGracePeriodSeconds', body.taskKillGracePeriodSeconds, { min: 0, integer: true }) ?? null),
  };
}

function readCommand(problems: Problems, body: Json): { cmd: string | null; args: string[] | null } {
  const hasCmd = body.cmd !== undefined && body.cmd !== null;
  const hasArgs = body.args !== undefined && body.args !== null && !(Array.isArray(body.args) && body.args.length === 0);
  if (hasCmd && hasArgs) problems.add('/', 'AppDefinition must not contain both "cmd" and "args"');
  if (!hasCmd && !hasArgs) problems.add('/', 'AppDefinition must contain one of "cmd" or "args" (allot runs command tasks)');
  if (hasCmd) return { cmd: readString(problems, '/cmd', body.cmd, true) ?? null, args: null };
  if (!hasArgs) return { cmd: null, args: null };
  if (!Array.isArray(body.args) || !body.args.every((arg: unknown) => typeof arg === 'string')) {
    problems.add('/args', 'expected an array of strings');
    return { cmd: null, args: null };
  }
  return { cmd: null, args: body.args };
}

/** `portDefinitions`, or the deprecated `ports`; one dynamic port by default, as Marathon gives host-networked apps. */
function readPorts(problems: Problems, body: Json): PortDefinition[] {
  const ports = body.ports;
  if (body.portDefinitions !== undefined && body.portDefinitions !== null) {
    const definitions = readPortDefinitions(problems, '/portDefinitions', body.portDefinitions);
    if (Array.isArray(ports) && (ports.length !== definitions.length || ports.some((port, i) => port !== definitions[i]?.port)))
      problems.add('/ports', 'give portDefinitions or ports, not both with different ports');
    return definitions;
  }
  if (ports !== undefined && ports !== null) {
    if (!Array.isArray(ports)) {
      problems.add('/ports', `expected an array of port numbers, got ${typeName(ports)}`);
      return [];
    }
    return readPortDefinitions(
      problems,
      '/ports',
      ports.map((port) => (typeof port === 'number' ? { port } : port)),
    );
  }
  return [{ port: 0, protocol: 'tcp', labels: {} }];
}

function readFetch(problems: Problems, body: Json): Artifact[] {
  const fetch = body.fetch === undefined || body.fetch === null ? [] : readArtifacts(problems, '/fetch', body.fetch);
  if (body.uris === undefined || body.uris === null) return fetch;
  if (!Array.isArray(body.uris) || !body.uris.every((uri: unknown) => typeof uri === 'string' && uri !== '')) {
    problems.add('/uris', 'expected an array of URIs (strings)');
    return fetch;
  }
  if (fetch.length > 0 && body.uris.length > 0) problems.add('/uris', 'give fetch or uris, not both');
  return [...fetch, ...body.uris.map((uri: string) => ({ uri, extract: true, executable: false, cache: false }))];
}

function readStoreUrls(problems: Problems, value: unknown): string[] {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return [];
  problems.add('/storeUrls', 'the artifact store is not supported by allot; use fetch');
  return [];
}

function readDependencies(problems: Problems, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add('/dependencies', `expected an array of app ids, got ${typeName(value)}`);
    return [];
  }
  return value.flatMap((entry, index) => {
    const id = typeof entry === 'string' ? canonicalPath(entry) : null;
    if (id === null || id === '/') problems.add(`/dependencies(${index})`, 'expected an app id such as /prod/db');
    return id && id !== '/' ? [id] : [];
  });
}

function readAcceptedRoles(problems: Problems, value: unknown, role: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    problems.add('/acceptedResourceRoles', 'expected an array of role names');
    return null;
  }
  value.forEach((entry, index) => {
    if (entry !== '*' && entry !== role)
      problems.add(`/acceptedResourceRoles(${index})`, `expected "*" or this Marathon's role "${role}", got "${entry}"`);
  });
  return value;
}

/** `[{"mode": "host"}]`: what tasks have anyway. */
function isHostNetwork(value: unknown): boolean {
  return (
    Array.isArray(value) && value.every((network) => isObject(network) && network.mode === 'host' && Object.keys(network).length === 1)
  );
}

function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.keys(value).length === 0;
  return false;
}
