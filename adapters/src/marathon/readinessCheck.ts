/**
 * Marathon's readiness checks (`readinessChecks` of an app, at most one, as
 * Marathon allows): an HTTP(S) GET of `path` on the task's port named
 * `portName`, every `intervalSeconds`, that makes a new task ready once it
 * answers one of `httpStatusCodesForReady`. A deployment counts a new task
 * only once it is ready, so old tasks go only as new ones become ready.
 * Read here with Marathon's defaults and validation; run by
 * readinessChecker.ts.
 */
import type { PortDefinition } from './appParts.js';
import type { Problems } from './validation.js';
import { at, isObject, readBoolean, readNumber, readString, refuseUnknown, typeName } from './validation.js';

export interface ReadinessCheckDefinition {
  name: string;
  protocol: 'HTTP' | 'HTTPS';
  path: string;
  portName: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  httpStatusCodesForReady: number[];
  preserveLastResponse: boolean;
}

const FIELDS = new Set([
  'name',
  'protocol',
  'path',
  'portName',
  'intervalSeconds',
  'timeoutSeconds',
  'httpStatusCodesForReady',
  'preserveLastResponse',
]);

/** Marathon's ReadinessCheck defaults. */
const DEFAULTS = { name: 'readinessCheck', path: '/', portName: 'http-api', intervalSeconds: 30, timeoutSeconds: 10, statuses: [200] };

export function readReadinessChecks(
  problems: Problems,
  path: string,
  value: unknown,
  ports: readonly PortDefinition[],
): ReadinessCheckDefinition[] {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of readiness checks, got ${typeName(value)}`);
    return [];
  }
  if (value.length > 1) problems.add(path, `an app may have at most one readiness check (as in Marathon); got ${value.length}`);
  return value.flatMap((entry, index) => {
    const check = readReadinessCheck(problems, at(path, index), entry, ports);
    return check ? [check] : [];
  });
}

function readReadinessCheck(
  problems: Problems,
  path: string,
  entry: unknown,
  ports: readonly PortDefinition[],
): ReadinessCheckDefinition | null {
  if (!isObject(entry)) {
    problems.add(path, `expected a readiness check such as {"portName": "http", "path": "/ready"}, got ${typeName(entry)}`);
    return null;
  }
  refuseUnknown(problems, path, entry, FIELDS, 'a readiness check');
  const text = (key: 'name' | 'path' | 'portName') =>
    entry[key] === undefined ? DEFAULTS[key] : (readString(problems, at(path, key), entry[key], true) ?? DEFAULTS[key]);
  const seconds = (key: 'intervalSeconds' | 'timeoutSeconds') =>
    entry[key] === undefined
      ? DEFAULTS[key]
      : (readNumber(problems, at(path, key), entry[key], { min: 1, integer: true }) ?? DEFAULTS[key]);
  const protocol = entry.protocol ?? 'HTTP';
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') problems.add(at(path, 'protocol'), `expected HTTP or HTTPS, got ${String(protocol)}`);
  const check: ReadinessCheckDefinition = {
    name: text('name'),
    protocol: protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    path: text('path'),
    portName: text('portName'),
    intervalSeconds: seconds('intervalSeconds'),
    timeoutSeconds: seconds('timeoutSeconds'),
    httpStatusCodesForReady: readStatuses(problems, at(path, 'httpStatusCodesForReady'), entry.httpStatusCodesForReady),
    preserveLastResponse:
      entry.preserveLastResponse === undefined
        ? false
        : (readBoolean(problems, at(path, 'preserveLastResponse'), entry.preserveLastResponse) ?? false),
  };
  if (!check.path.startsWith('/')) problems.add(at(path, 'path'), `must start with "/", got "${check.path}"`);
  if (check.timeoutSeconds >= check.intervalSeconds)
    problems.add(
      at(path, 'timeoutSeconds'),
      `must be smaller than intervalSeconds (${check.intervalSeconds}), got ${check.timeoutSeconds}`,
    );
  const named = ports.flatMap((port) => (port.name ? [port.name] : []));
  if (!named.includes(check.portName))
    problems.add(
      at(path, 'portName'),
      `must be the name of one of the app's portDefinitions (${named.length > 0 ? named.join(', ') : 'none has a name'}), got "${check.portName}"`,
    );
  return check;
}

function readStatuses(problems: Problems, path: string, value: unknown): number[] {
  if (value === undefined) return [...DEFAULTS.statuses];
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(path, 'expected a non-empty array of HTTP status codes, such as [200]');
    return [...DEFAULTS.statuses];
  }
  const statuses = value.flatMap((status, index) => {
    const code = readNumber(problems, at(path, index), status, { min: 100, max: 999, integer: true });
    return code === undefined ? [] : [code];
  });
  return [...new Set(statuses)];
}
