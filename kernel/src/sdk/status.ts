/**
 * Plan element statuses (DC/OS Commons SDK `Status`) and the aggregation of a
 * parent's status from its children, as an ordered list of rules where the
 * first that matches wins. "Candidates" are the children the strategy selects
 * now. WAITING on a step is derived: the step is interrupted (or a canary
 * step waiting for its proceed).
 */

export const STATUSES = ['ERROR', 'WAITING', 'PENDING', 'PREPARED', 'STARTING', 'STARTED', 'COMPLETE', 'IN_PROGRESS', 'DELAYED'] as const;
export type Status = (typeof STATUSES)[number];

const all = (statuses: readonly Status[], status: Status): boolean => statuses.length > 0 && statuses.every((s) => s === status);
const any = (statuses: readonly Status[], ...wanted: Status[]): boolean => statuses.some((s) => wanted.includes(s));

export interface AggregationRule {
  readonly name: string;
  readonly result: Status;
  matches(children: readonly Status[], candidates: readonly Status[], interrupted: boolean): boolean;
}

/** The rules in the order they are tried (the SDK's order, docs/semantics.md "Services"). */
export const AGGREGATION_RULES: readonly AggregationRule[] = [
  { name: 'any child ERROR', result: 'ERROR', matches: (c) => any(c, 'ERROR') },
  { name: 'all children COMPLETE', result: 'COMPLETE', matches: (c) => all(c, 'COMPLETE') },
  { name: 'parent interrupted', result: 'WAITING', matches: (_c, _k, interrupted) => interrupted },
  {
    // Complete children are done, not waiting on a delay: the rest all being DELAYED is what counts.
    name: 'all candidates and (unfinished) children DELAYED',
    result: 'DELAYED',
    matches: (c, k) => all(k, 'DELAYED') && c.filter((s) => s !== 'COMPLETE').every((s) => s === 'DELAYED'),
  },
  { name: 'any child PREPARED', result: 'IN_PROGRESS', matches: (c) => any(c, 'PREPARED') },
  { name: 'any candidate WAITING', result: 'WAITING', matches: (_c, k) => any(k, 'WAITING') },
  { name: 'any candidate IN_PROGRESS', result: 'IN_PROGRESS', matches: (_c, k) => any(k, 'IN_PROGRESS') },
  {
    name: 'some child COMPLETE and a candidate PENDING, STARTING or STARTED',
    result: 'IN_PROGRESS',
    matches: (c, k) => any(c, 'COMPLETE') && any(k, 'PENDING', 'STARTING', 'STARTED'),
  },
  { name: 'a candidate PENDING', result: 'PENDING', matches: (_c, k) => any(k, 'PENDING') },
  { name: 'any child WAITING', result: 'WAITING', matches: (c) => any(c, 'WAITING') },
  { name: 'a candidate STARTING', result: 'STARTING', matches: (_c, k) => any(k, 'STARTING') },
  { name: 'a candidate STARTED', result: 'STARTED', matches: (_c, k) => any(k, 'STARTED') },
];

/** The parent's status and the rule that decided it (for explanations). */
export function aggregateStatus(
  children: readonly Status[],
  candidates: readonly Status[],
  interrupted: boolean,
): { status: Status; rule: string } {
  for (const rule of AGGREGATION_RULES)
    if (rule.matches(children, candidates, interrupted)) return { status: rule.result, rule: rule.name };
  return { status: 'ERROR', rule: 'no rule matched' };
}
