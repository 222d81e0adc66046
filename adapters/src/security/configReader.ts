/**
 * A tiny reader for hand-validated JSON files: each value travels with its
 * file name and JSON path, so every error reads
 * `security file F: $.a[2].b: expected ...`. Objects list their allowed
 * fields, so a misspelt key is an error rather than a silent default.
 */

export class SecurityConfigError extends Error {
  override readonly name = 'SecurityConfigError';
}

export interface Reader {
  readonly value: any;
  readonly source: string;
  readonly path: string;
  error(message: string): SecurityConfigError;
  item(index: number): Reader;
}

export function reader(value: unknown, source: string, path: string): Reader {
  return {
    value,
    source,
    path,
    error: (message) => new SecurityConfigError(`security file ${source}: ${path}: ${message}`),
    item: (index) => reader(Array.isArray(value) ? value[index] : undefined, source, `${path}[${index}]`),
  };
}

export interface ObjectReader {
  field(name: string, options?: { required?: boolean }): Reader;
  here(): Reader;
}

export function readObject(value: unknown, at: Reader | { source: string; path: string }, allowed: readonly string[]): ObjectReader {
  const self = reader(value, at.source, at.path);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw self.error(`expected an object with fields ${allowed.map((name) => `"${name}"`).join(', ')}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw self.error(`unknown field "${key.slice(0, 64)}" (allowed: ${allowed.join(', ')})`);
  }
  const record = value as Record<string, unknown>;
  return {
    here: () => self,
    field: (name, options = {}) => {
      const child = reader(record[name], at.source, `${at.path}.${name}`);
      if (options.required && record[name] === undefined) throw child.error('is required');
      return child;
    },
  };
}

/** A non-empty list of distinct strings, each checked by `problem` (null = fine); `secret` lists never echo a value. */
export function readStringList(at: Reader, problem: (text: string) => string | null, options: { secret?: boolean } = {}): string[] {
  const shown = (text: string) => (options.secret ? 'this value' : `"${text.slice(0, 64)}"`);
  if (!Array.isArray(at.value) || at.value.length === 0) throw at.error('expected a non-empty list of strings');
  if (at.value.length > 10_000) throw at.error('at most 10000 entries');
  const seen = new Set<string>();
  return at.value.map((entry: unknown, index: number) => {
    const item = at.item(index);
    if (typeof entry !== 'string') throw item.error('expected a string');
    const bad = problem(entry);
    if (bad) throw item.error(options.secret ? bad : `${bad}, got ${shown(entry)}`);
    if (seen.has(entry)) throw item.error(`${shown(entry)} is listed twice`);
    seen.add(entry);
    return entry;
  });
}
