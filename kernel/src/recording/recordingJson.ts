/**
 * JSON for recordings: commands and events hold Float64Array vectors and may
 * hold non-finite numbers (an unlimited quota), which plain JSON loses. They
 * are written as one-key objects (`{"$f64":[...]}`, `{"$num":"Infinity"}`)
 * and read back as they were, so a replayed command is the command stepped.
 */

export function recordingStringify(value: unknown): string {
  return JSON.stringify(value, replacer);
}

export function recordingParse(text: string): unknown {
  return JSON.parse(text, reviver);
}

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { $num: String(value) };
  if (value instanceof Float64Array) return { $f64: Array.from(value, encodeNumber) };
  if (value instanceof Set) return { $set: [...value] };
  if (value instanceof Map) return { $map: [...value] };
  return value;
}

function encodeNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 1) return value;
  switch (keys[0]) {
    case '$f64':
      return Float64Array.from(record.$f64 as Array<number | string>, Number);
    case '$num':
      return Number(record.$num);
    case '$set':
      return new Set(record.$set as unknown[]);
    case '$map':
      return new Map(record.$map as Array<[unknown, unknown]>);
    default:
      return value;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32 bits) of a string, as 8 hex digits: the per-step fingerprint of a recording. */
export function fnv1aHex(text: string, seed: number = FNV_OFFSET): string {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
