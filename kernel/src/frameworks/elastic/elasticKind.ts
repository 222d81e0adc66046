/**
 * The `elastic` kind (Myriad-like): reads `profiles` (added to zero, small,
 * medium and large), `nodeManagerOverhead`, the `flex` schedule and the YARN
 * `applications` into `framework.options`, each mistake at its JSON path.
 * The model is myriadFramework.ts.
 */
import type { Errors } from '../../schedulers/fieldReaders.js';
import {
  Fields,
  indexPath,
  integerAtLeast,
  isPlainObject,
  listEntries,
  nonEmptyString,
  nonNegativeNumber,
  oneOf,
  positiveNumber,
  quote,
  quoteList,
  reportExpected,
  timeWithin,
} from '../../schedulers/fieldReaders.js';
import type { FrameworkKindPlugin } from '../frameworkKind.js';
import type { ElasticOptions, FlexAction, YarnApplicationSpec } from './elasticSpec.js';
import { MyriadFramework } from './myriadFramework.js';
import type { Profile } from './profiles.js';
import { DEFAULT_NODE_MANAGER_OVERHEAD, DEFAULT_PROFILES } from './profiles.js';

function readProfile(value: unknown, path: string, errors: Errors, demand: boolean): Profile | undefined {
  const fields = Fields.open(value, path, errors, ['cpus', 'mem']);
  if (!fields) return undefined;
  const profile = { cpus: fields.required('cpus', nonNegativeNumber) ?? 0, mem: fields.required('mem', nonNegativeNumber) ?? 0 };
  if (demand && profile.cpus === 0 && profile.mem === 0) reportExpected(errors, path, 'cpus or mem > 0', value);
  return profile;
}

function readProfiles(fields: Fields, errors: Errors): Record<string, Profile> {
  const profiles: Record<string, Profile> = { ...DEFAULT_PROFILES };
  if (!fields.has('profiles')) return profiles;
  const value = fields.value('profiles');
  if (!isPlainObject(value)) {
    reportExpected(errors, fields.pathOf('profiles'), 'an object of profiles such as { "huge": { "cpus": 16, "mem": 65536 } }', value);
    return profiles;
  }
  const names = Fields.open(value, fields.pathOf('profiles'), errors, Object.keys(value))!;
  for (const name of Object.keys(value)) {
    const profile = readProfile(value[name], names.pathOf(name), errors, false);
    if (profile) profiles[name] = profile;
  }
  return profiles;
}

function readFlex(fields: Fields, errors: Errors, profiles: Record<string, Profile>, durationMs: number | undefined): FlexAction[] {
  const path = fields.pathOf('flex');
  return listEntries(
    fields.value('flex'),
    path,
    errors,
    'an array of flex actions such as [{ "atMs": 0, "action": "up", "profile": "small", "count": 2 }]',
  ).flatMap((entry, index) => {
    const flex = Fields.open(entry, indexPath(path, index), errors, ['atMs', 'action', 'profile', 'count']);
    if (!flex) return [];
    const profile = flex.required('profile', nonEmptyString);
    if (profile !== undefined && !Object.hasOwn(profiles, profile))
      errors.push({
        path: flex.pathOf('profile'),
        message: `unknown profile ${quote(profile)}; expected one of ${quoteList(Object.keys(profiles))}`,
      });
    return [
      {
        atMs: flex.required('atMs', timeWithin(durationMs)) ?? 0,
        action: flex.required('action', oneOf(['up', 'down'] as const)) ?? 'up',
        profile: profile ?? '',
        count: flex.required('count', integerAtLeast(1)) ?? 1,
      },
    ];
  });
}

function readApplications(fields: Fields, errors: Errors, durationMs: number | undefined): YarnApplicationSpec[] {
  const path = fields.pathOf('applications');
  const seen = new Set<string>();
  return listEntries(
    fields.value('applications'),
    path,
    errors,
    'an array of YARN applications such as [{ "atMs": 0, "containers": 4, "resources": { "cpus": 1, "mem": 1024 }, "durationMs": 10000 }]',
  ).flatMap((entry, index) => {
    const app = Fields.open(entry, indexPath(path, index), errors, ['id', 'atMs', 'containers', 'resources', 'amResources', 'durationMs']);
    if (!app) return [];
    const id = app.optional('id', nonEmptyString, `app-${index}`);
    if (seen.has(id)) errors.push({ path: app.pathOf('id'), message: `duplicate application id ${quote(id)}` });
    seen.add(id);
    const resources = app.has('resources') ? readProfile(app.value('resources'), app.pathOf('resources'), errors, true) : undefined;
    if (!app.has('resources'))
      errors.push({ path: app.pathOf('resources'), message: 'missing required field; expected { "cpus": n, "mem": n }' });
    const amResources = app.has('amResources') ? readProfile(app.value('amResources'), app.pathOf('amResources'), errors, true) : undefined;
    return [
      {
        id,
        atMs: app.required('atMs', timeWithin(durationMs)) ?? 0,
        containers: app.required('containers', integerAtLeast(0)) ?? 0,
        resources: resources ?? { cpus: 1, mem: 1024 },
        amResources: amResources ?? resources ?? { cpus: 1, mem: 1024 },
        durationMs: app.required('durationMs', positiveNumber) ?? 1,
      },
    ];
  });
}

export const elasticKind: FrameworkKindPlugin = {
  kind: 'elastic',
  description: 'YARN NodeManagers flexed up and down by profile, with fine-grained scaling (Myriad-like)',
  fields: ['profiles', 'nodeManagerOverhead', 'flex', 'applications'],
  read(fields, errors, framework, context) {
    const profiles = readProfiles(fields, errors);
    const overhead = fields.has('nodeManagerOverhead')
      ? readProfile(fields.value('nodeManagerOverhead'), fields.pathOf('nodeManagerOverhead'), errors, true)
      : undefined;
    const options: ElasticOptions = {
      profiles,
      nodeManagerOverhead: overhead ?? DEFAULT_NODE_MANAGER_OVERHEAD,
      flex: readFlex(fields, errors, profiles, context.durationMs),
      applications: readApplications(fields, errors, context.durationMs),
    };
    framework.options = options;
  },
  create: (framework) => new MyriadFramework(framework),
};
