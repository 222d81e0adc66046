/**
 * Loading the SPEC of `allot service run` / `update`: a DC/OS Commons
 * svc.yml (`.yml`, `.yaml`) or the SDK's JSON service spec (`.json`; the
 * `service` object of a stateful framework), after `{{VAR}}` values are
 * filled in. Every problem comes back at once, each naming its place: the
 * YAML path and line for a svc.yml (`svc.yml:14: pods.hello.tasks.server.cpus:
 * expected a finite number > 0, got "two"`), the JSON path for JSON.
 */
import type { FieldError, ServiceSpec } from '@allot/kernel';
import { readServiceSpec } from '@allot/kernel';
import { LineCounter, parseDocument } from 'yaml';
import { clusterMinimumErrors } from './clusterMinimums.js';
import { renderTemplate } from './specTemplate.js';
import type { PathMap } from './svcYamlPaths.js';
import { convertSvcYaml } from './svcYaml.js';
import { lineOf, pathKeys, yamlPath } from './svcYamlPaths.js';

export type SpecFormat = 'yaml' | 'json';

export type LoadedSpec = { ok: true; spec: ServiceSpec; user: string | null } | { ok: false; errors: string[] };

/** The format a file name asks for; anything but .json is read as svc.yml. */
export function specFormatOf(fileName: string): SpecFormat {
  return /\.json$/i.test(fileName) ? 'json' : 'yaml';
}

export function loadServiceSpec(text: string, fileName: string, lookup: (name: string) => string | undefined): LoadedSpec {
  const rendered = renderTemplate(text, lookup);
  if (!rendered.ok) return { ok: false, errors: rendered.errors.map((error) => `${fileName}: ${error}`) };
  return specFormatOf(fileName) === 'json' ? loadJson(rendered.text, fileName) : loadYaml(rendered.text, fileName);
}

function loadJson(text: string, fileName: string): LoadedSpec {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, errors: [`${fileName}: not valid JSON: ${(error as Error).message}`] };
  }
  const errors: FieldError[] = [];
  const spec = readServiceSpec(value, '$', errors);
  if (spec && errors.length === 0) errors.push(...clusterMinimumErrors(spec, '$'));
  if (errors.length > 0 || !spec) return { ok: false, errors: errors.map((error) => `${fileName}: ${error.path}: ${error.message}`) };
  return { ok: true, spec, user: null };
}

function loadYaml(text: string, fileName: string): LoadedSpec {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (document.errors.length > 0)
    return {
      ok: false,
      errors: document.errors.map((error) => `${fileName}:${error.linePos?.[0].line ?? '?'}: ${firstLine(error.message)}`),
    };
  const errors: FieldError[] = [];
  const converted = convertSvcYaml(document.toJS(), errors);
  let spec: ServiceSpec | undefined;
  if (converted && errors.length === 0) {
    const specErrors: FieldError[] = [];
    spec = readServiceSpec(converted.input, '$', specErrors);
    if (spec && specErrors.length === 0) specErrors.push(...clusterMinimumErrors(spec, '$'));
    errors.push(...specErrors.map((error) => ({ path: toYamlPath(error.path, converted.paths), message: error.message })));
  }
  if (errors.length > 0 || !spec || !converted) {
    const located = errors.map((error) => {
      const keys = pathKeys(error.path);
      const line = lineOf(document, lineCounter, keys);
      return { line: line ?? 0, text: `${fileName}${line === null ? '' : `:${line}`}: ${yamlPath(keys)}: ${error.message}` };
    });
    // In file order, as a reader goes through the file fixing them.
    return { ok: false, errors: located.sort((a, b) => a.line - b.line).map((error) => error.text) };
  }
  return { ok: true, spec, user: converted.user };
}

/** A JSON path of the converted spec as the path of the svc.yml node it came from (longest known prefix). */
function toYamlPath(path: string, paths: PathMap): string {
  for (let end = path.length; end > 0; end--) {
    const prefix = path.slice(0, end);
    const next = path[end];
    if (end < path.length && next !== '.' && next !== '[') continue;
    const mapped = paths.get(prefix);
    if (mapped !== undefined) return mapped + path.slice(end);
  }
  return path;
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
