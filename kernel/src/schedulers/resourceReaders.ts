/**
 * Readers for the resource-shaped parts of a scenario or a framework config:
 * scalar quantities (`{ "cpus": 1, "mem": 4096 }`, finite and >= 0), port
 * ranges (integers 0..65535, begin <= end, no overlaps) and role names
 * (Mesos's rules, through roles/roleName). "ports" is never a scalar: it has fields of its own.
 */
import { roleNameProblem } from '../roles/roleName.js';
import type { ResourceQuantities } from '../resources/layout.js';
import {
  type Errors,
  type Reader,
  type ScalarReader,
  fieldPath,
  indexPath,
  isPlainObject,
  nonNegativeNumber,
  quote,
  reportExpected,
  scalar,
} from './fieldReaders.js';

/** Inclusive [begin, end] port ranges, non-overlapping. */
export type PortRanges = Array<[number, number]>;

const RESOURCE_NAME = /^[a-z][a-z0-9_.-]*$/i;
const PORT_MAX = 65535;

/** Null when `name` may name a scalar resource, else why not. */
export function resourceNameProblem(name: string): string | null {
  if (name === 'ports') return '"ports" is a range resource, not a scalar; use the "ports" field for port ranges';
  if (!RESOURCE_NAME.test(name))
    return `invalid resource name ${quote(name)}; expected a letter followed by letters, digits, "_", "." or "-"`;
  return null;
}

/** A string checked by `problemOf`, whose answer (when not null) is the whole message. */
function checkedString(expected: string, problemOf: (text: string) => string | null): ScalarReader<string> {
  return {
    expected,
    test: (value): value is string => typeof value === 'string' && problemOf(value) === null,
    read(value, path, errors) {
      if (typeof value !== 'string') {
        reportExpected(errors, path, expected, value);
        return undefined;
      }
      const problem = problemOf(value);
      if (problem === null) return value;
      errors.push({ path, message: problem });
      return undefined;
    },
  };
}

export const resourceName = checkedString('a resource name such as "cpus"', resourceNameProblem);

export const roleName = checkedString('a role name such as "eng/web"', (name) => {
  const problem = roleNameProblem(name);
  return problem === null ? null : `invalid role name ${quote(name)}: ${problem}`;
});

function readQuantities(value: unknown, path: string, errors: Errors, expected: string): ResourceQuantities | undefined {
  if (!isPlainObject(value)) {
    reportExpected(errors, path, expected, value);
    return undefined;
  }
  const before = errors.length;
  const entries: Array<[string, number | undefined]> = [];
  for (const [name, amount] of Object.entries(value)) {
    const problem = resourceNameProblem(name);
    if (problem !== null) errors.push({ path: fieldPath(path, name), message: problem });
    else entries.push([name, nonNegativeNumber.read(amount, fieldPath(path, name), errors)]);
  }
  return errors.length === before ? (Object.fromEntries(entries) as ResourceQuantities) : undefined;
}

export const resourceQuantities: Reader<ResourceQuantities> = {
  expected: 'an object of resource amounts such as { "cpus": 1, "mem": 4096 }',
  read(value, path, errors) {
    return readQuantities(value, path, errors, this.expected);
  },
};

/** Quantities that ask for something: at least one amount > 0 (tasks, min allocatable entries). */
export const demandQuantities: Reader<ResourceQuantities> = {
  expected: 'an object of resource amounts with at least one amount > 0, such as { "cpus": 1 }',
  read(value, path, errors) {
    const quantities = readQuantities(value, path, errors, this.expected);
    if (quantities === undefined || Object.values(quantities).some((amount) => amount > 0)) return quantities;
    reportExpected(errors, path, this.expected, value);
    return undefined;
  },
};

const portRange = scalar<[number, number]>(
  `a [begin, end] pair of integers from 0 to ${PORT_MAX}`,
  (v) => Array.isArray(v) && v.length === 2 && v.every((port) => Number.isInteger(port) && port >= 0 && port <= PORT_MAX),
);

/** Port ranges as written (copied), after checking each range and that none overlap. */
export const portRanges: Reader<PortRanges> = {
  expected: 'an array of [begin, end] port ranges such as [[31000, 32000]]',
  read(value, path, errors) {
    if (!Array.isArray(value)) {
      reportExpected(errors, path, this.expected, value);
      return undefined;
    }
    const before = errors.length;
    const ranges: PortRanges = [];
    const valid: number[] = [];
    value.forEach((entry, index) => {
      const range = portRange.read(entry, indexPath(path, index), errors);
      if (range === undefined) return;
      ranges[index] = [range[0], range[1]];
      if (range[0] <= range[1]) valid.push(index);
      else errors.push({ path: indexPath(path, index), message: `begin ${range[0]} is greater than end ${range[1]}` });
    });
    reportOverlaps(ranges, valid, path, errors);
    return errors.length === before ? ranges : undefined;
  },
};

/** Sweeps the `valid` ranges by begin, comparing each with the one reaching furthest so far. */
function reportOverlaps(ranges: PortRanges, valid: readonly number[], path: string, errors: Errors): void {
  if (valid.length === 0) return;
  const order = [...valid].sort((x, y) => ranges[x][0] - ranges[y][0] || x - y);
  let furthest = order[0];
  for (const current of order.slice(1)) {
    if (ranges[current][0] <= ranges[furthest][1]) {
      // Reported at whichever of the two comes later in the file.
      const [later, earlier] = current > furthest ? [current, furthest] : [furthest, current];
      const [begin, end] = ranges[earlier];
      errors.push({ path: indexPath(path, later), message: `overlaps [${begin}, ${end}] at ${indexPath(path, earlier)}` });
    }
    if (ranges[current][1] > ranges[furthest][1]) furthest = current;
  }
}
