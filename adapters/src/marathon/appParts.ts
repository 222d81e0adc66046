/**
 * The nested parts of a Marathon app definition, read with Marathon's
 * defaults: port definitions (or the deprecated `ports`), health checks
 * (COMMAND, HTTP, HTTPS, TCP and their MESOS_ forms; one per app, since a
 * Mesos task carries one health check, which the agent runs), artifacts
 * (`fetch`, or the deprecated `uris`), the upgrade strategy and constraints.
 */
import { parseConstraint } from '@allot/kernel';
import type { Problems } from './validation.js';
import { at, isObject, readBoolean, readNumber, readString, readStringMap, refuseUnknown, typeName } from './validation.js';

type Json = Record<string, any>;

export interface PortDefinition {
  port: number;
  protocol: string;
  name?: string;
  labels: Record<string, string>;
}

export type HealthProtocol = 'HTTP' | 'HTTPS' | 'TCP' | 'COMMAND' | 'MESOS_HTTP' | 'MESOS_HTTPS' | 'MESOS_TCP';

export interface HealthCheckDefinition {
  protocol: HealthProtocol;
  path?: string;
  portIndex?: number;
  port?: number;
  command?: { value: string };
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  maxConsecutiveFailures: number;
  delaySeconds: number;
  ignoreHttp1xx?: boolean;
  ipProtocol?: 'IPv4';
}

export interface Artifact {
  uri: string;
  extract: boolean;
  executable: boolean;
  cache: boolean;
  destPath?: string;
}

export interface UpgradeStrategyDefinition {
  minimumHealthCapacity: number;
  maximumOverCapacity: number;
}

const PROTOCOLS: readonly HealthProtocol[] = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'];
const HEALTH_FIELDS = new Set([
  'protocol',
  'path',
  'portIndex',
  'port',
  'command',
  'gracePeriodSeconds',
  'intervalSeconds',
  'timeoutSeconds',
  'maxConsecutiveFailures',
  'delaySeconds',
  'ignoreHttp1xx',
  'ipProtocol',
]);

export function readPortDefinitions(problems: Problems, path: string, value: unknown): PortDefinition[] {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of port definitions, got ${typeName(value)}`);
    return [];
  }
  return value.flatMap((entry, index) => {
    const here = at(path, index);
    if (!isObject(entry)) {
      problems.add(here, `expected a port definition such as {"port": 0}, got ${typeName(entry)}`);
      return [];
    }
    refuseUnknown(problems, here, entry, new Set(['port', 'protocol', 'name', 'labels']), 'a port definition');
    const port = readNumber(problems, at(here, 'port'), entry.port ?? 0, { min: 0, max: 65535, integer: true }) ?? 0;
    const protocol = entry.protocol === undefined ? 'tcp' : readString(problems, at(here, 'protocol'), entry.protocol);
    if (protocol !== undefined && !['tcp', 'udp', 'udp,tcp', 'tcp,udp'].includes(protocol))
      problems.add(at(here, 'protocol'), `expected tcp, udp or udp,tcp, got "${protocol}"`);
    const name = entry.name === undefined || entry.name === null ? undefined : readString(problems, at(here, 'name'), entry.name, true);
    if (name !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name))
      problems.add(at(here, 'name'), 'must be a lowercase DNS label (letters, digits and dashes)');
    const labels = entry.labels === undefined ? {} : readStringMap(problems, at(here, 'labels'), entry.labels, 'labels');
    return [{ port, protocol: protocol ?? 'tcp', ...(name ? { name } : {}), labels }];
  });
}

export function readHealthChecks(problems: Problems, path: string, value: unknown, portCount: number): HealthCheckDefinition[] {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of health checks, got ${typeName(value)}`);
    return [];
  }
  if (value.length > 1)
    problems.add(path, `allot runs one health check per task (Mesos's TaskInfo.health_check, run by the agent); got ${value.length}`);
  return value.flatMap((entry, index) => {
    const check = readHealthCheck(problems, at(path, index), entry, portCount);
    return check ? [check] : [];
  });
}

function readHealthCheck(problems: Problems, path: string, entry: unknown, portCount: number): HealthCheckDefinition | null {
  if (!isObject(entry)) {
    problems.add(path, `expected a health check such as {"protocol": "HTTP", "path": "/"}, got ${typeName(entry)}`);
    return null;
  }
  refuseUnknown(problems, path, entry, HEALTH_FIELDS, 'a health check');
  const protocol = (entry.protocol ?? 'HTTP') as HealthProtocol;
  if (!PROTOCOLS.includes(protocol)) problems.add(at(path, 'protocol'), `expected one of ${PROTOCOLS.join(', ')}, got ${String(protocol)}`);
  const seconds = (key: string, fallback: number, min = 0) =>
    entry[key] === undefined ? fallback : (readNumber(problems, at(path, key), entry[key], { min, integer: true }) ?? fallback);
  const check: HealthCheckDefinition = {
    protocol,
    gracePeriodSeconds: seconds('gracePeriodSeconds', 300),
    intervalSeconds: seconds('intervalSeconds', 60, 1),
    timeoutSeconds: seconds('timeoutSeconds', 20, 1),
    maxConsecutiveFailures: seconds('maxConsecutiveFailures', 3),
    delaySeconds: seconds('delaySeconds', 15),
  };
  if (entry.ipProtocol !== undefined && entry.ipProtocol !== 'IPv4') problems.add(at(path, 'ipProtocol'), 'only IPv4 is supported');
  if (protocol === 'COMMAND') {
    const value = isObject(entry.command) ? entry.command.value : undefined;
    const command = readString(problems, at(at(path, 'command'), 'value'), value, true);
    if (command !== undefined) check.command = { value: command };
    return check;
  }
  if (entry.port !== undefined && entry.portIndex !== undefined) problems.add(path, 'give port or portIndex, not both');
  if (entry.port !== undefined) {
    const port = readNumber(problems, at(path, 'port'), entry.port, { min: 1, max: 65535, integer: true });
    if (port !== undefined) check.port = port;
  } else {
    const portIndex =
      entry.portIndex === undefined ? 0 : readNumber(problems, at(path, 'portIndex'), entry.portIndex, { min: 0, integer: true });
    if (portIndex !== undefined && portIndex >= portCount)
      problems.add(
        at(path, 'portIndex'),
        `the app has ${portCount} port${portCount === 1 ? '' : 's'}; portIndex ${portIndex} does not name one`,
      );
    if (portIndex !== undefined) check.portIndex = portIndex;
  }
  if (protocol.endsWith('HTTP') || protocol.endsWith('HTTPS')) {
    check.path = entry.path === undefined ? '/' : (readString(problems, at(path, 'path'), entry.path) ?? '/');
    check.ignoreHttp1xx =
      entry.ignoreHttp1xx === undefined ? false : (readBoolean(problems, at(path, 'ignoreHttp1xx'), entry.ignoreHttp1xx) ?? false);
  }
  return check;
}

export function readArtifacts(problems: Problems, path: string, value: unknown): Artifact[] {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of artifacts such as [{"uri": "https://..."}], got ${typeName(value)}`);
    return [];
  }
  return value.flatMap((entry, index) => {
    const here = at(path, index);
    if (!isObject(entry)) {
      problems.add(here, `expected an artifact such as {"uri": "https://..."}, got ${typeName(entry)}`);
      return [];
    }
    refuseUnknown(problems, here, entry, new Set(['uri', 'extract', 'executable', 'cache', 'destPath']), 'an artifact');
    const uri = readString(problems, at(here, 'uri'), entry.uri, true);
    const flag = (key: string, fallback: boolean) =>
      entry[key] === undefined ? fallback : (readBoolean(problems, at(here, key), entry[key]) ?? fallback);
    const destPath = entry.destPath === undefined ? undefined : readString(problems, at(here, 'destPath'), entry.destPath, true);
    if (uri === undefined) return [];
    return [
      {
        uri,
        extract: flag('extract', true),
        executable: flag('executable', false),
        cache: flag('cache', false),
        ...(destPath ? { destPath } : {}),
      },
    ];
  });
}

export function readUpgradeStrategy(problems: Problems, path: string, value: unknown): UpgradeStrategyDefinition {
  const strategy = { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
  if (!isObject(value)) {
    problems.add(path, `expected {"minimumHealthCapacity", "maximumOverCapacity"}, got ${typeName(value)}`);
    return strategy;
  }
  refuseUnknown(problems, path, value, new Set(['minimumHealthCapacity', 'maximumOverCapacity']), 'the upgrade strategy');
  for (const key of ['minimumHealthCapacity', 'maximumOverCapacity'] as const)
    if (value[key] !== undefined) strategy[key] = readNumber(problems, at(path, key), value[key], { min: 0, max: 1 }) ?? strategy[key];
  return strategy;
}

/** Constraints as Marathon writes them, `[field, OPERATOR, value?]`, checked by the kernel's parser. */
export function readConstraints(problems: Problems, path: string, value: unknown): string[][] {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of constraints such as [["hostname", "UNIQUE"]], got ${typeName(value)}`);
    return [];
  }
  return value.flatMap((entry, index) => {
    // Marathon writes UNIQUE with an empty value; the kernel's parser wants none.
    const raw = Array.isArray(entry) && entry[1] === 'UNIQUE' && entry[2] === '' ? entry.slice(0, 2) : entry;
    const parsed = parseConstraint(raw);
    if (!parsed.ok) {
      problems.add(at(path, index), parsed.message);
      return [];
    }
    return [raw as string[]];
  });
}

export function readEnv(problems: Problems, path: string, value: unknown): Record<string, string> {
  if (!isObject(value)) {
    problems.add(path, `expected an object of environment variables, got ${typeName(value)}`);
    return {};
  }
  const env: Record<string, string> = {};
  for (const [name, entry] of Object.entries(value as Json)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) problems.add(at(path, name), 'is not a valid environment variable name');
    else if (typeof entry === 'string') env[name] = entry;
    else if (isObject(entry) && 'secret' in entry) problems.add(at(path, name), 'secrets are not supported by allot yet');
    else problems.add(at(path, name), `expected a string, got ${typeName(entry)}`);
  }
  return env;
}
