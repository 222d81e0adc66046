/**
 * Request bodies after JSON parsing: `null` means unset in Mesos's JSON, so
 * null-valued fields (and null array items) are dropped before validation;
 * nesting is capped so that a hostile body cannot exhaust the stack.
 * Iterative on purpose: no recursion over client-controlled depth.
 */

export const JSON_DEPTH_MAX = 64;

export type NormalizedBody = { ok: true; value: unknown } | { ok: false; message: string };

export function normalizeBody(body: unknown, maxDepth = JSON_DEPTH_MAX): NormalizedBody {
  if (body === null || body === undefined) return { ok: false, message: 'body: must be a JSON object' };
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return { ok: false, message: `body: nested deeper than ${maxDepth} levels` };
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index--) if (value[index] === null) value.splice(index, 1);
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (record[key] === null) delete record[key];
      else stack.push({ value: record[key], depth: depth + 1 });
    }
  }
  return { ok: true, value: body };
}
