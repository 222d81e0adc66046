/**
 * Request bodies after JSON parsing: `null` means unset in Mesos's JSON, so
 * null-valued fields (and null array items) are dropped before validation;
 * nesting and the number of values are capped so that a hostile body can
 * neither exhaust the stack nor buy unbounded work. Iterative on purpose (no
 * recursion over client-controlled depth) and linear in the body: arrays are
 * compacted in one pass, never spliced item by item.
 */

export const JSON_DEPTH_MAX = 64;
/** Values (objects, arrays, scalars) one body may hold; an 8 MB body of `[1,1,…]` has 4 million. */
export const JSON_VALUES_MAX = 1_000_000;

export interface BodyBudget {
  maxDepth: number;
  maxValues: number;
}

export type NormalizedBody = { ok: true; value: unknown } | { ok: false; message: string };

const DEFAULT_BUDGET: BodyBudget = { maxDepth: JSON_DEPTH_MAX, maxValues: JSON_VALUES_MAX };

export function normalizeBody(body: unknown, budget: BodyBudget = DEFAULT_BUDGET): NormalizedBody {
  if (body === null || body === undefined) return { ok: false, message: 'body: must be a JSON object' };
  const stack: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  let values = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (++values > budget.maxValues) return { ok: false, message: `body: more than ${budget.maxValues} JSON values` };
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= budget.maxDepth) return { ok: false, message: `body: nested deeper than ${budget.maxDepth} levels` };
    if (Array.isArray(value)) {
      let kept = 0;
      for (let index = 0; index < value.length; index++) {
        const item = value[index];
        if (item === null) continue;
        value[kept++] = item;
        stack.push({ value: item, depth: depth + 1 });
      }
      value.length = kept;
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
