/**
 * Field-by-field reading of untrusted JSON (scenario files, framework and
 * service specs, whichever host reads them). A reader
 * returns the value when it has the expected shape; otherwise it records one
 * error at the value's JSON path, saying what was expected and what was found,
 * and returns undefined. Nothing throws, so one pass collects every mistake.
 */
/** `path` is a JSON path such as "$.agents[2].resources.cpus". */
export interface FieldError {
  path: string;
  message: string;
}

export type Errors = FieldError[];
export type JsonObject = Record<string, unknown>;

/** Reads one value; `expected` is the noun phrase used in messages ("an integer >= 1"). */
export interface Reader<T> {
  readonly expected: string;
  read(value: unknown, path: string, errors: Errors): T | undefined;
}

/** A reader that needs no path below its own, so it can be made nullable. */
export interface ScalarReader<T> extends Reader<T> {
  test(value: unknown): value is T;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function fieldPath(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}

export function quote(text: string): string {
  return JSON.stringify(text);
}

/** `"a", "b", "c"`, shortened after `max` names so messages stay one line. */
export function quoteList(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map(quote).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** What was found, for "expected X, got Y". */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  const json = JSON.stringify(value);
  if (json !== undefined && json.length <= 60) return json;
  if (typeof value === 'string') return `${json.slice(0, 57)}..."`;
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

export function reportExpected(errors: Errors, path: string, expected: string, value: unknown): void {
  errors.push({ path, message: `expected ${expected}, got ${describeValue(value)}` });
}

export function scalar<T>(expected: string, test: (value: unknown) => boolean): ScalarReader<T> {
  const isT = test as (value: unknown) => value is T;
  return {
    expected,
    test: isT,
    read(value, path, errors) {
      if (isT(value)) return value;
      reportExpected(errors, path, expected, value);
      return undefined;
    },
  };
}

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export const finiteNumber = scalar<number>('a finite number', isFiniteNumber);
export const nonNegativeNumber = scalar<number>('a finite number >= 0', (v) => isFiniteNumber(v) && v >= 0);
export const positiveNumber = scalar<number>('a finite number > 0', (v) => isFiniteNumber(v) && v > 0);
export const safeInteger = scalar<number>('an integer', (v) => Number.isSafeInteger(v));
export const anyString = scalar<string>('a string', (v) => typeof v === 'string');
export const nonEmptyString = scalar<string>('a non-empty string', (v) => typeof v === 'string' && v.length > 0);
export const booleanValue = scalar<boolean>('true or false', (v) => typeof v === 'boolean');

export function integerAtLeast(min: number): ScalarReader<number> {
  return scalar<number>(`an integer >= ${min}`, (v) => Number.isSafeInteger(v) && (v as number) >= min);
}

export function integerInRange(min: number, max: number): ScalarReader<number> {
  return scalar<number>(`an integer from ${min} to ${max}`, (v) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max);
}

/** A time inside the scenario, when its duration is known. */
export function timeWithin(durationMs: number | undefined): ScalarReader<number> {
  if (durationMs === undefined) return nonNegativeNumber;
  return scalar<number>(`a time in ms from 0 to ${durationMs} (durationMs)`, (v) => isFiniteNumber(v) && v >= 0 && v <= durationMs);
}

export function oneOf<T extends string>(values: readonly T[]): ScalarReader<T> {
  return scalar<T>(`one of ${quoteList(values, values.length)}`, (v) => values.includes(v as T));
}

export function nullable<T>(reader: ScalarReader<T>): ScalarReader<T | null> {
  return scalar<T | null>(`${reader.expected} or null`, (v) => v === null || reader.test(v));
}

/** An array whose items all read; undefined (after reporting) when any does not. */
export function arrayOf<T>(expected: string, item: Reader<T>): Reader<T[]> {
  return {
    expected,
    read(value, path, errors) {
      if (!Array.isArray(value)) {
        reportExpected(errors, path, expected, value);
        return undefined;
      }
      const before = errors.length;
      const items = value.map((entry, index) => item.read(entry, indexPath(path, index), errors));
      return errors.length === before ? (items as T[]) : undefined;
    },
  };
}

/** The entries of an optional list section: [] when absent, and [] after reporting when not an array. */
export function listEntries(value: unknown, path: string, errors: Errors, expected: string): unknown[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value;
  reportExpected(errors, path, expected, value);
  return [];
}

/** An object with arbitrary keys whose values all pass `valueReader`; keys must be non-empty. */
export function recordOf<T>(expected: string, valueReader: Reader<T>): Reader<Record<string, T>> {
  return {
    expected,
    read(value, path, errors) {
      if (!isPlainObject(value)) {
        reportExpected(errors, path, expected, value);
        return undefined;
      }
      const before = errors.length;
      const entries: Array<[string, T | undefined]> = Object.entries(value).map(([key, entry]) => {
        if (key.length === 0) errors.push({ path: fieldPath(path, key), message: 'names must not be empty' });
        return [key, valueReader.read(entry, fieldPath(path, key), errors)];
      });
      // fromEntries defines own properties, so a key such as "__proto__" stays data.
      return errors.length === before ? (Object.fromEntries(entries) as Record<string, T>) : undefined;
    },
  };
}

/** The fields of one JSON object, with unknown keys reported once when opened. */
export class Fields {
  private constructor(
    readonly path: string,
    private readonly object: JsonObject,
    private readonly errors: Errors,
  ) {}

  static open(value: unknown, path: string, errors: Errors, known: readonly string[]): Fields | undefined {
    if (!isPlainObject(value)) {
      reportExpected(errors, path, 'an object', value);
      return undefined;
    }
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      errors.push({
        path: fieldPath(path, key),
        message: `unknown field ${quote(key)}; expected one of ${quoteList(known, known.length)}`,
      });
    }
    return new Fields(path, value, errors);
  }

  pathOf(key: string): string {
    return fieldPath(this.path, key);
  }

  /** The raw value; undefined when absent (own properties only). */
  value(key: string): unknown {
    return Object.hasOwn(this.object, key) ? this.object[key] : undefined;
  }

  has(key: string): boolean {
    return this.value(key) !== undefined;
  }

  required<T>(key: string, reader: Reader<T>): T | undefined {
    if (!this.has(key)) {
      this.errors.push({ path: this.pathOf(key), message: `missing required field; expected ${reader.expected}` });
      return undefined;
    }
    return reader.read(this.value(key), this.pathOf(key), this.errors);
  }

  /** `fallback` when absent; when invalid, the error is recorded and `fallback` returned. */
  optional<T>(key: string, reader: Reader<T>, fallback: T): T {
    if (!this.has(key)) return fallback;
    const result = reader.read(this.value(key), this.pathOf(key), this.errors);
    return result === undefined ? fallback : result;
  }

  /** Undefined both when absent and when invalid (the latter recorded). */
  maybe<T>(key: string, reader: Reader<T>): T | undefined {
    if (!this.has(key)) return undefined;
    return reader.read(this.value(key), this.pathOf(key), this.errors);
  }
}
