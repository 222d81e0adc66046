/**
 * Reading one task of a pod from JSON: goal, resources, command and
 * environment, ports (a count, or named ports with an environment key and
 * whether they are advertised as endpoints), and command readiness and health
 * checks with Mesos's defaults (delay 15 s, interval 10 s, timeout 20 s; grace
 * period 10 s and 3 consecutive failures for health). Problems are recorded
 * at their JSON path.
 */
import type { Errors, Reader } from '../schedulers/fieldReaders.js';
import {
  booleanValue,
  Fields,
  indexPath,
  integerAtLeast,
  nonEmptyString,
  nonNegativeNumber,
  nullable,
  oneOf,
  positiveNumber,
  recordOf,
  scalar,
} from '../schedulers/fieldReaders.js';
import type { HealthCheckSpec, PodTaskSpec, PortSpec, ReadinessCheckSpec } from './serviceSpec.js';

const TASK_FIELDS = [
  'name',
  'goal',
  'essential',
  'cpus',
  'memMb',
  'diskMb',
  'ports',
  'cmd',
  'env',
  'readinessDelayMs',
  'readinessCheck',
  'healthCheck',
  'durationMs',
] as const;
const CHECK_FIELDS = ['cmd', 'intervalSeconds', 'delaySeconds', 'timeoutSeconds'] as const;
const HEALTH_FIELDS = [...CHECK_FIELDS, 'gracePeriodSeconds', 'maxConsecutiveFailures'] as const;
const PORT_FIELDS = ['name', 'envKey', 'advertise'] as const;

/** Mesos `CheckInfo` defaults. */
export const CHECK_DEFAULTS = { intervalSeconds: 10, delaySeconds: 15, timeoutSeconds: 20 } as const;
/** Mesos `HealthCheck` defaults. */
export const HEALTH_CHECK_DEFAULTS = { ...CHECK_DEFAULTS, gracePeriodSeconds: 10, maxConsecutiveFailures: 3 } as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PORT_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const envName = scalar<string>(
  'an environment variable name (letters, digits and "_", not starting with a digit)',
  (v) => typeof v === 'string' && ENV_NAME.test(v),
);
const portName = scalar<string>('a port name of lowercase letters, digits and "-"', (v) => typeof v === 'string' && PORT_NAME.test(v));
const portCount = scalar<number>(
  'a port count (an integer >= 0) or an array of named ports such as [{ "name": "http", "advertise": true }]',
  (v) => Number.isSafeInteger(v) && (v as number) >= 0,
);
const envValue = scalar<string>('a string', (v) => typeof v === 'string');

/** Environment variables: names checked, values strings. */
export const environment: Reader<Record<string, string>> = {
  expected: 'an object of environment variables such as { "LOG_LEVEL": "info" }',
  read(value, path, errors) {
    const env = recordOf(this.expected, envValue).read(value, path, errors);
    if (env === undefined) return undefined;
    const bad = Object.keys(env).filter((name) => !ENV_NAME.test(name));
    for (const name of bad)
      errors.push({ path: `${path}[${JSON.stringify(name)}]`, message: `${JSON.stringify(name)} is not ${envName.expected}` });
    return bad.length > 0 ? undefined : env;
  },
};

export function readReadinessCheck(value: unknown, path: string, errors: Errors): ReadinessCheckSpec | undefined {
  const fields = Fields.open(value, path, errors, CHECK_FIELDS);
  if (!fields) return undefined;
  return readCheckFields(fields);
}

export function readHealthCheck(value: unknown, path: string, errors: Errors): HealthCheckSpec | undefined {
  const fields = Fields.open(value, path, errors, HEALTH_FIELDS);
  if (!fields) return undefined;
  return {
    ...readCheckFields(fields),
    gracePeriodSeconds: fields.optional('gracePeriodSeconds', nonNegativeNumber, HEALTH_CHECK_DEFAULTS.gracePeriodSeconds),
    maxConsecutiveFailures: fields.optional('maxConsecutiveFailures', integerAtLeast(0), HEALTH_CHECK_DEFAULTS.maxConsecutiveFailures),
  };
}

function readCheckFields(fields: Fields): ReadinessCheckSpec {
  return {
    cmd: fields.required('cmd', nonEmptyString) ?? 'true',
    intervalSeconds: fields.optional('intervalSeconds', positiveNumber, CHECK_DEFAULTS.intervalSeconds),
    delaySeconds: fields.optional('delaySeconds', nonNegativeNumber, CHECK_DEFAULTS.delaySeconds),
    timeoutSeconds: fields.optional('timeoutSeconds', positiveNumber, CHECK_DEFAULTS.timeoutSeconds),
  };
}

/** `ports`: a count, or named ports `[{ name, envKey?, advertise? }]` (names unique in the task). */
function readPorts(fields: Fields, errors: Errors): { ports: number; portSpecs: PortSpec[] } {
  const value = fields.value('ports');
  if (value === undefined || !Array.isArray(value)) return { ports: fields.optional('ports', portCount, 0), portSpecs: [] };
  const path = fields.pathOf('ports');
  const portSpecs: PortSpec[] = [];
  value.forEach((entry, i) => {
    const port = Fields.open(entry, indexPath(path, i), errors, PORT_FIELDS);
    if (!port) return;
    const name = port.required('name', portName) ?? `port-${i}`;
    if (portSpecs.some((other) => other.name === name))
      errors.push({ path: port.pathOf('name'), message: `duplicate port name "${name}"` });
    portSpecs.push({
      name,
      envKey: port.optional('envKey', nullable(envName), null),
      advertise: port.optional('advertise', booleanValue, false),
    });
  });
  return { ports: portSpecs.length, portSpecs };
}

export function readTask(value: unknown, path: string, errors: Errors): PodTaskSpec | undefined {
  const fields = Fields.open(value, path, errors, TASK_FIELDS);
  if (!fields) return undefined;
  const readiness = fields.value('readinessCheck');
  const health = fields.value('healthCheck');
  return {
    name: fields.required('name', nonEmptyString) ?? 'task',
    goal: fields.optional('goal', oneOf(['RUNNING', 'FINISH', 'ONCE'] as const), 'RUNNING'),
    essential: fields.optional('essential', booleanValue, true),
    cpus: fields.required('cpus', positiveNumber) ?? 0,
    memMb: fields.required('memMb', positiveNumber) ?? 0,
    diskMb: fields.optional('diskMb', nonNegativeNumber, 0),
    ...readPorts(fields, errors),
    cmd: fields.optional('cmd', nonEmptyString, 'sleep infinity'),
    env: fields.optional('env', environment, {}),
    readinessDelayMs: fields.optional('readinessDelayMs', nullable(nonNegativeNumber), null),
    readinessCheck:
      readiness === undefined || readiness === null
        ? null
        : (readReadinessCheck(readiness, fields.pathOf('readinessCheck'), errors) ?? null),
    healthCheck: health === undefined || health === null ? null : (readHealthCheck(health, fields.pathOf('healthCheck'), errors) ?? null),
    durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
  };
}
