/**
 * The `service` kind (Marathon-like): reads `apps` and `maintenance` into
 * `framework.options` (see appSpec.ts for the shape and defaults), reporting
 * each mistake at its JSON path, and an optional `snapshot` (the model's
 * store, marathonSnapshotReader.ts) it restarts from. The model is marathonFramework.ts.
 */
import type { PlacementConstraint } from '../../sdk/constraints.js';
import { parseConstraint } from '../../sdk/constraints.js';
import type { FrameworkConfig } from '../../schedulers/frameworkConfig.js';
import type { Errors, Reader } from '../../schedulers/fieldReaders.js';
import {
  anyString,
  arrayOf,
  Fields,
  indexPath,
  integerAtLeast,
  listEntries,
  nonEmptyString,
  nonNegativeNumber,
  nullable,
  positiveNumber,
  quote,
  scalar,
  timeWithin,
} from '../../schedulers/fieldReaders.js';
import { demandQuantities, roleName } from '../../schedulers/resourceReaders.js';
import type { FrameworkKindPlugin, KindReadContext } from '../frameworkKind.js';
import type { AppChange, ServiceApp, ServiceOptions } from './appSpec.js';
import type { HealthCheckSpec } from './healthCheck.js';
import type { BackoffSpec } from './launchBackoff.js';
import { MARATHON_BACKOFF } from './launchBackoff.js';
import type { MaintenanceWindow } from './offerFunnel.js';
import type { UpgradeStrategy } from './upgradeStrategy.js';
import { DEFAULT_UPGRADE_STRATEGY } from './upgradeStrategy.js';
import { MarathonFramework } from './marathonFramework.js';
import { readMarathonSnapshot } from './marathonSnapshotReader.js';

const APP_FIELDS = [
  'id',
  'role',
  'acceptedResourceRoles',
  'instances',
  'resources',
  'ports',
  'durationMs',
  'constraints',
  'healthCheck',
  'upgradeStrategy',
  'backoff',
  'version',
  'changes',
] as const;
const HEALTH_FIELDS = ['gracePeriodMs', 'intervalMs', 'maxConsecutiveFailures', 'startupMs', 'unhealthyVersions'] as const;
const fraction = scalar<number>('a number from 0 to 1', (v) => typeof v === 'number' && v >= 0 && v <= 1);
const factorAtLeastOne = scalar<number>('a finite number >= 1', (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1);

const constraintReader: Reader<PlacementConstraint> = {
  expected: 'a constraint such as ["hostname", "UNIQUE"]',
  read(value, path, errors) {
    const parsed = parseConstraint(value);
    if (parsed.ok) return parsed.constraint;
    errors.push({ path, message: parsed.message });
    return undefined;
  },
};

function readHealthCheck(fields: Fields, errors: Errors): HealthCheckSpec | null {
  if (!fields.has('healthCheck')) return null;
  const check = Fields.open(fields.value('healthCheck'), fields.pathOf('healthCheck'), errors, HEALTH_FIELDS);
  if (!check) return null;
  return {
    gracePeriodMs: check.optional('gracePeriodMs', nonNegativeNumber, 300_000),
    intervalMs: check.optional('intervalMs', positiveNumber, 60_000),
    maxConsecutiveFailures: check.optional('maxConsecutiveFailures', integerAtLeast(1), 3),
    startupMs: check.optional('startupMs', nonNegativeNumber, 0),
    unhealthyVersions: check.optional('unhealthyVersions', arrayOf('an array of version names', nonEmptyString), []),
  };
}

function readStrategy(fields: Fields, errors: Errors): UpgradeStrategy {
  if (!fields.has('upgradeStrategy')) return DEFAULT_UPGRADE_STRATEGY;
  const strategy = Fields.open(fields.value('upgradeStrategy'), fields.pathOf('upgradeStrategy'), errors, [
    'minimumHealthCapacity',
    'maximumOverCapacity',
  ]);
  if (!strategy) return DEFAULT_UPGRADE_STRATEGY;
  return {
    minimumHealthCapacity: strategy.optional('minimumHealthCapacity', fraction, DEFAULT_UPGRADE_STRATEGY.minimumHealthCapacity),
    maximumOverCapacity: strategy.optional('maximumOverCapacity', fraction, DEFAULT_UPGRADE_STRATEGY.maximumOverCapacity),
  };
}

function readBackoff(fields: Fields, errors: Errors): BackoffSpec {
  if (!fields.has('backoff')) return MARATHON_BACKOFF;
  const backoff = Fields.open(fields.value('backoff'), fields.pathOf('backoff'), errors, ['initialMs', 'factor', 'maxMs']);
  if (!backoff) return MARATHON_BACKOFF;
  return {
    initialMs: backoff.optional('initialMs', positiveNumber, MARATHON_BACKOFF.initialMs),
    factor: backoff.optional('factor', factorAtLeastOne, MARATHON_BACKOFF.factor),
    maxMs: backoff.optional('maxMs', positiveNumber, MARATHON_BACKOFF.maxMs),
  };
}

function readChanges(fields: Fields, errors: Errors, durationMs: number | undefined): AppChange[] {
  const changes: AppChange[] = [];
  listEntries(
    fields.value('changes'),
    fields.pathOf('changes'),
    errors,
    'an array of changes such as [{ "atMs": 60000, "instances": 5 }]',
  ).forEach((entry, index) => {
    const change = Fields.open(entry, indexPath(fields.pathOf('changes'), index), errors, ['atMs', 'instances', 'version']);
    if (!change) return;
    const atMs = change.required('atMs', timeWithin(durationMs)) ?? 0;
    const instances = change.maybe('instances', integerAtLeast(0));
    const version = change.maybe('version', nonEmptyString);
    if (!change.has('instances') && !change.has('version'))
      errors.push({ path: change.path, message: 'a change needs "instances", "version" or both' });
    changes.push({ atMs, ...(instances !== undefined ? { instances } : {}), ...(version !== undefined ? { version } : {}) });
  });
  // Stable: changes at the same time apply in file order.
  return changes
    .map((change, index) => ({ change, index }))
    .sort((a, b) => a.change.atMs - b.change.atMs || a.index - b.index)
    .map(({ change }) => change);
}

function readApp(
  value: unknown,
  path: string,
  errors: Errors,
  framework: FrameworkConfig,
  context: KindReadContext,
): ServiceApp | undefined {
  const fields = Fields.open(value, path, errors, APP_FIELDS);
  if (!fields) return undefined;
  const role = fields.optional('role', roleName, framework.role);
  const accepted = fields.maybe('acceptedResourceRoles', arrayOf('an array of "*" and the app\'s role', anyString));
  accepted?.forEach((name, index) => {
    if (name !== '*' && name !== role)
      errors.push({
        path: indexPath(fields.pathOf('acceptedResourceRoles'), index),
        message: `expected "*" or the app's role ${quote(role)}, got ${quote(name)}`,
      });
  });
  return {
    id: fields.required('id', nonEmptyString) ?? '',
    role,
    acceptedResourceRoles: accepted ?? null,
    instances: fields.required('instances', integerAtLeast(0)) ?? 0,
    resources: fields.required('resources', demandQuantities) ?? {},
    ports: fields.optional('ports', integerAtLeast(0), 0),
    durationMs: fields.optional('durationMs', nullable(positiveNumber), null),
    constraints: fields.optional('constraints', arrayOf('an array of constraints such as [["hostname", "UNIQUE"]]', constraintReader), []),
    healthCheck: readHealthCheck(fields, errors),
    upgradeStrategy: readStrategy(fields, errors),
    backoff: readBackoff(fields, errors),
    version: fields.optional('version', nonEmptyString, '1'),
    changes: readChanges(fields, errors, context.durationMs),
  };
}

function readMaintenance(fields: Fields, errors: Errors): MaintenanceWindow[] {
  const windows: MaintenanceWindow[] = [];
  listEntries(
    fields.value('maintenance'),
    fields.pathOf('maintenance'),
    errors,
    'an array of windows such as [{ "hostname": "agent-1", "startMs": 0, "durationMs": 60000 }]',
  ).forEach((entry, index) => {
    const window = Fields.open(entry, indexPath(fields.pathOf('maintenance'), index), errors, ['hostname', 'startMs', 'durationMs']);
    if (!window) return;
    windows.push({
      hostname: window.required('hostname', nonEmptyString) ?? '',
      startMs: window.required('startMs', nonNegativeNumber) ?? 0,
      durationMs: window.required('durationMs', positiveNumber) ?? 0,
    });
  });
  return windows;
}

export const serviceKind: FrameworkKindPlugin = {
  kind: 'service',
  description: 'long-running apps with constraints, health checks, rolling upgrades and launch backoff (Marathon-like)',
  fields: ['apps', 'maintenance', 'snapshot'],
  read(fields, errors, framework, context) {
    const apps: ServiceApp[] = [];
    const firstPaths = new Map<string, string>();
    if (!fields.has('apps'))
      errors.push({
        path: fields.pathOf('apps'),
        message: 'missing required field; expected an array of apps such as [{ "id": "web", "instances": 3, "resources": { "cpus": 1 } }]',
      });
    listEntries(fields.value('apps'), fields.pathOf('apps'), errors, 'an array of apps').forEach((entry, index) => {
      const path = indexPath(fields.pathOf('apps'), index);
      const app = readApp(entry, path, errors, framework, context);
      if (!app || app.id === '') return;
      const first = firstPaths.get(app.id);
      if (first !== undefined) errors.push({ path: `${path}.id`, message: `duplicate app id ${quote(app.id)} (first at ${first})` });
      else firstPaths.set(app.id, path);
      apps.push(app);
    });
    const maintenance = readMaintenance(fields, errors);
    const snapshot = fields.has('snapshot')
      ? readMarathonSnapshot(
          fields.value('snapshot'),
          fields.pathOf('snapshot'),
          errors,
          apps.map((app) => app.id),
          (value, path) => readApp(value, path, errors, framework, context),
        )
      : undefined;
    const options: ServiceOptions = { apps, maintenance, ...(snapshot ? { snapshot } : {}) };
    framework.options = options;
  },
  create(framework) {
    const { snapshot } = framework.options as ServiceOptions;
    return snapshot ? MarathonFramework.restore(framework, snapshot) : new MarathonFramework(framework);
  },
};
