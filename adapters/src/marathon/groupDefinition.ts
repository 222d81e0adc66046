/**
 * Marathon groups as the API takes them: `{id, apps: [...], groups: [...],
 * dependencies}` nested to any depth, app ids relative to their group.
 * Reading one gives every app definition under it (validated as apps, the
 * paths of problems prefixed with where they are, `/apps(0)/cpus`,
 * `/groups(1)/apps(0)/mem`), and checks that ids are unique and that
 * dependencies form no cycle.
 */
import type { AppDefinition, ReadContext } from './appDefinition.js';
import { readAppDefinition } from './appDefinition.js';
import { dependencyCycle } from './deploymentPlan.js';
import { at, canonicalPath, isObject, Problems, refuseUnknown, typeName } from './validation.js';

type Json = Record<string, any>;

export type GroupRead = { ok: true; id: string; apps: AppDefinition[] } | { ok: false; problems: Problems };

const GROUP_FIELDS = new Set(['id', 'apps', 'groups', 'dependencies', 'version', 'pods', 'enforceRole', 'scaleBy']);

export function readGroup(body: unknown, fallbackId: string, context: ReadContext): GroupRead {
  const problems = new Problems();
  const apps: AppDefinition[] = [];
  const id = readGroupInto(problems, '', body, fallbackId, context, apps);
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app.id)) problems.add('/apps', `app id ${app.id} is given twice`);
    seen.add(app.id);
  }
  const cycle = dependencyCycle(new Map(apps.map((app) => [app.id, app])));
  if (cycle.length > 0) problems.add('/', `dependencies form a cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  if (!problems.empty || id === null) return { ok: false, problems };
  return { ok: true, id, apps };
}

function readGroupInto(
  problems: Problems,
  path: string,
  body: unknown,
  fallbackId: string,
  context: ReadContext,
  apps: AppDefinition[],
): string | null {
  if (!isObject(body)) {
    problems.add(path || '/', `expected a group (a JSON object), got ${typeName(body)}`);
    return null;
  }
  refuseUnknown(problems, path, body, GROUP_FIELDS, 'a group');
  if (Array.isArray(body.pods) && body.pods.length > 0) problems.add(at(path, 'pods'), 'pods are not supported by allot yet');
  const rawId = typeof body.id === 'string' ? body.id : fallbackId;
  const id = canonicalPath(rawId, context.base ?? '/');
  if (id === null) {
    problems.add(at(path, 'id'), 'must be a path of names of lowercase letters, digits, dashes and dots, such as /prod');
    return null;
  }
  for (const [index, entry] of list(problems, at(path, 'apps'), body.apps).entries()) {
    const read = readAppDefinition(entry, { ...context, base: id });
    if (read.ok) apps.push(read.app);
    else
      for (const detail of read.problems.details())
        for (const error of detail.errors) problems.add(`${at(at(path, 'apps'), index)}${detail.path === '/' ? '' : detail.path}`, error);
  }
  for (const [index, entry] of list(problems, at(path, 'groups'), body.groups).entries()) {
    const childId = isObject(entry) && typeof entry.id === 'string' ? entry.id : '';
    readGroupInto(problems, at(at(path, 'groups'), index), entry, childId, { ...context, base: id }, apps);
  }
  return id;
}

function list(problems: Problems, path: string, value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array, got ${typeName(value)}`);
    return [];
  }
  return value;
}

export function isScaleOnly(body: Json): boolean {
  return isObject(body) && typeof body.scaleBy === 'number' && body.apps === undefined && body.groups === undefined;
}
