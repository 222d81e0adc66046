/**
 * Marathon placement constraints: `[field, OPERATOR, value?]` where field is
 * "hostname" or an agent attribute. UNIQUE, CLUSTER [v], GROUP_BY [n],
 * LIKE re, UNLIKE re (full-string matches), MAX_PER n, IS v, IS_NOT v.
 * An agent without the attribute satisfies only UNLIKE. Evaluation is pure:
 * the candidate agent against the instances already placed.
 */

export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS' | 'IS_NOT';

export const CONSTRAINT_OPERATORS: readonly ConstraintOperator[] = [
  'UNIQUE',
  'CLUSTER',
  'GROUP_BY',
  'LIKE',
  'UNLIKE',
  'MAX_PER',
  'IS',
  'IS_NOT',
];

export interface PlacementConstraint {
  readonly field: string;
  readonly operator: ConstraintOperator;
  readonly value?: string;
  /** For LIKE / UNLIKE: the value anchored as a full-string match. */
  readonly regex?: RegExp;
  /** For GROUP_BY and MAX_PER. */
  readonly count?: number;
}

/** What placement knows of an agent. */
export interface PlacementTarget {
  readonly hostname: string;
  readonly attributes: Readonly<Record<string, string | number>>;
}

export type ConstraintResult = { ok: true } | { ok: false; reason: string };

export function describeConstraint(constraint: PlacementConstraint): string {
  return [constraint.field, constraint.operator, ...(constraint.value !== undefined ? [constraint.value] : [])].join(':');
}

/** Parses one `[field, OPERATOR, value?]`; an error message names what is wrong. */
export function parseConstraint(raw: unknown): { ok: true; constraint: PlacementConstraint } | { ok: false; message: string } {
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > 3 || !raw.every((part) => typeof part === 'string')) {
    return { ok: false, message: 'expected [field, OPERATOR] or [field, OPERATOR, value] (strings)' };
  }
  const [field, operator, value] = raw as string[];
  if (field.length === 0) return { ok: false, message: 'the field must not be empty' };
  if (!CONSTRAINT_OPERATORS.includes(operator as ConstraintOperator))
    return { ok: false, message: `unknown operator "${operator}"; expected one of ${CONSTRAINT_OPERATORS.join(', ')}` };
  const op = operator as ConstraintOperator;
  switch (op) {
    case 'UNIQUE':
      return value === undefined ? { ok: true, constraint: { field, operator: op } } : { ok: false, message: 'UNIQUE takes no value' };
    case 'CLUSTER':
      return { ok: true, constraint: { field, operator: op, ...(value ? { value } : {}) } };
    case 'GROUP_BY':
    case 'MAX_PER': {
      if (value === undefined)
        return op === 'GROUP_BY' ? { ok: true, constraint: { field, operator: op } } : { ok: false, message: 'MAX_PER needs a count' };
      const count = Number(value);
      if (!Number.isInteger(count) || count < 1) return { ok: false, message: `${op} needs a positive integer, got "${value}"` };
      return { ok: true, constraint: { field, operator: op, value, count } };
    }
    case 'LIKE':
    case 'UNLIKE': {
      if (value === undefined) return { ok: false, message: `${op} needs a regular expression` };
      try {
        return { ok: true, constraint: { field, operator: op, value, regex: new RegExp(`^(?:${value})$`) } };
      } catch (error) {
        return { ok: false, message: `invalid regular expression "${value}": ${(error as Error).message}` };
      }
    }
    case 'IS':
    case 'IS_NOT':
      return value === undefined ? { ok: false, message: `${op} needs a value` } : { ok: true, constraint: { field, operator: op, value } };
  }
}

function fieldValue(target: PlacementTarget, field: string): string | undefined {
  if (field === 'hostname') return target.hostname;
  const value = target.attributes[field];
  return value === undefined ? undefined : String(value);
}

/**
 * Whether `candidate` may take one more instance, given the agents of the
 * instances already placed. `known` (optional) lists every agent placement
 * could use, so GROUP_BY can count values that have no instance yet.
 */
export function constraintAllows(
  constraint: PlacementConstraint,
  candidate: PlacementTarget,
  placed: readonly PlacementTarget[],
  known: readonly PlacementTarget[] = [],
): ConstraintResult {
  const value = fieldValue(candidate, constraint.field);
  const fail = (why: string): ConstraintResult => ({ ok: false, reason: `${describeConstraint(constraint)}: ${why}` });
  if (value === undefined)
    return constraint.operator === 'UNLIKE' ? { ok: true } : fail(`agent ${candidate.hostname} has no "${constraint.field}"`);
  const placedValues = placed.map((target) => fieldValue(target, constraint.field));
  const countOf = (v: string): number => placedValues.filter((placedValue) => placedValue === v).length;
  switch (constraint.operator) {
    case 'UNIQUE':
      return countOf(value) === 0 ? { ok: true } : fail(`an instance already runs where ${constraint.field} is ${value}`);
    case 'CLUSTER': {
      const target = constraint.value ?? placedValues.find((v) => v !== undefined);
      return target === undefined || target === value ? { ok: true } : fail(`${constraint.field} is ${value}, not ${target}`);
    }
    case 'MAX_PER':
      return countOf(value) < constraint.count!
        ? { ok: true }
        : fail(`${constraint.count} instances already run where ${constraint.field} is ${value}`);
    case 'GROUP_BY': {
      const values = new Set<string>([value]);
      for (const v of placedValues) if (v !== undefined) values.add(v);
      for (const target of known) {
        const v = fieldValue(target, constraint.field);
        if (v !== undefined) values.add(v);
      }
      const groups = Math.max(values.size, constraint.count ?? 0);
      const counts = [...values].map(countOf);
      const least = counts.length < groups ? 0 : Math.min(...counts);
      return countOf(value) <= least
        ? { ok: true }
        : fail(`${constraint.field} ${value} already has ${countOf(value)} instances, others fewer`);
    }
    case 'LIKE':
      return constraint.regex!.test(value) ? { ok: true } : fail(`${constraint.field} ${value} does not match /${constraint.value}/`);
    case 'UNLIKE':
      return constraint.regex!.test(value) ? fail(`${constraint.field} ${value} matches /${constraint.value}/`) : { ok: true };
    case 'IS':
      return value === constraint.value ? { ok: true } : fail(`${constraint.field} is ${value}`);
    case 'IS_NOT':
      return value !== constraint.value ? { ok: true } : fail(`${constraint.field} is ${value}`);
  }
}

/** Every constraint that fails, each with its reason (explain: every failing requirement, not the first). */
export function placementFailures(
  constraints: readonly PlacementConstraint[],
  candidate: PlacementTarget,
  placed: readonly PlacementTarget[],
  known: readonly PlacementTarget[] = [],
): string[] {
  const reasons: string[] = [];
  for (const constraint of constraints) {
    const result = constraintAllows(constraint, candidate, placed, known);
    if (!result.ok) reasons.push(result.reason);
  }
  return reasons;
}

/** Every constraint at once; the first that fails gives the reason (the rejection funnel). */
export function placementAllows(
  constraints: readonly PlacementConstraint[],
  candidate: PlacementTarget,
  placed: readonly PlacementTarget[],
  known: readonly PlacementTarget[] = [],
): ConstraintResult {
  for (const constraint of constraints) {
    const result = constraintAllows(constraint, candidate, placed, known);
    if (!result.ok) return result;
  }
  return { ok: true };
}
