/**
 * Marathon's validation answers: every problem is collected with its JSON
 * path as Marathon writes it (`/upgradeStrategy/minimumHealthCapacity`,
 * `/healthChecks(0)/portIndex`) and answered together as
 * `422 {"message": "Object is not valid", "details": [{"path", "errors"}]}`,
 * errors of one path grouped. The small readers here check one value each
 * and say what was expected.
 */

type Json = Record<string, any>;

export interface ErrorDetail {
  path: string;
  errors: string[];
}

export class Problems {
  readonly #byPath = new Map<string, string[]>();

  add(path: string, error: string): void {
    const key = path || '/';
    const errors = this.#byPath.get(key) ?? [];
    if (!errors.includes(error)) errors.push(error);
    this.#byPath.set(key, errors);
  }

  get empty(): boolean {
    return this.#byPath.size === 0;
  }

  details(): ErrorDetail[] {
    return [...this.#byPath].map(([path, errors]) => ({ path, errors }));
  }

  /** Marathon's 422 body. */
  body(): { message: string; details: ErrorDetail[] } {
    return { message: 'Object is not valid', details: this.details() };
  }
}

export function at(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}(${key})` : `${path}/${key}`;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A number within bounds, or undefined (and a problem) when it is not. */
export function readNumber(
  problems: Problems,
  path: string,
  value: unknown,
  bounds: { min?: number; max?: number; integer?: boolean },
): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.add(path, `expected a ${bounds.integer ? 'whole number' : 'number'}, got ${typeName(value)}`);
    return undefined;
  }
  if (bounds.integer && !Number.isInteger(value)) problems.add(path, `expected a whole number, got ${value}`);
  else if (bounds.min !== undefined && value < bounds.min) problems.add(path, `got ${value}, expected ${bounds.min} or more`);
  else if (bounds.max !== undefined && value > bounds.max) problems.add(path, `got ${value}, expected ${bounds.max} or less`);
  else return value;
  return undefined;
}

export function readString(problems: Problems, path: string, value: unknown, nonEmpty = false): string | undefined {
  if (typeof value !== 'string') {
    problems.add(path, `expected a string, got ${typeName(value)}`);
    return undefined;
  }
  if (nonEmpty && value.trim() === '') {
    problems.add(path, 'must not be empty');
    return undefined;
  }
  return value;
}

export function readBoolean(problems: Problems, path: string, value: unknown): boolean | undefined {
  if (typeof value !== 'boolean') {
    problems.add(path, `expected a boolean, got ${typeName(value)}`);
    return undefined;
  }
  return value;
}

/** A JSON object of string values (env, labels). */
export function readStringMap(problems: Problems, path: string, value: unknown, what: string): Record<string, string> {
  if (!isObject(value)) {
    problems.add(path, `expected an object of ${what}, got ${typeName(value)}`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[key] = entry;
    else problems.add(at(path, key), `expected a string, got ${typeName(entry)}`);
  }
  return out;
}

/** Fields outside `known` are refused by name (a typo must not be silently dropped). */
export function refuseUnknown(problems: Problems, path: string, value: Json, known: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(value))
    if (!known.has(key)) problems.add(at(path, key), `unknown field of ${what}; allot does not know what to do with it`);
}

/** Marathon's path ids: segments of lowercase letters, digits, dashes and dots, resolved against `base`. */
export const PATH_SEGMENT = /^(([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])\.)*([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

export function canonicalPath(id: string, base = '/'): string | null {
  const joined = id.startsWith('/') ? id : `${base.replace(/\/$/, '')}/${id}`;
  const segments: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.pop() === undefined) return null;
      continue;
    }
    if (!PATH_SEGMENT.test(segment)) return null;
    segments.push(segment);
  }
  return `/${segments.join('/')}`;
}
