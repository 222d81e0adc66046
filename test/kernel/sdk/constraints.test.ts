import { describe, expect, it } from 'vitest';
import type { PlacementTarget } from '../../../kernel/src/sdk/constraints.js';
import { constraintAllows, parseConstraint, placementAllows } from '../../../kernel/src/sdk/constraints.js';

const agent = (hostname: string, attributes: Record<string, string | number> = {}): PlacementTarget => ({ hostname, attributes });
function constraint(...raw: string[]) {
  const parsed = parseConstraint(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.constraint;
}

describe('Marathon constraints', () => {
  it('UNIQUE: one instance per value', () => {
    const unique = constraint('hostname', 'UNIQUE');
    expect(constraintAllows(unique, agent('a'), [agent('b')]).ok).toBe(true);
    expect(constraintAllows(unique, agent('a'), [agent('a')])).toEqual({
      ok: false,
      reason: 'hostname:UNIQUE: an instance already runs where hostname is a',
    });
  });

  it('CLUSTER: all on one value, given or taken from the first placement', () => {
    expect(constraintAllows(constraint('rack', 'CLUSTER', 'r1'), agent('a', { rack: 'r1' }), []).ok).toBe(true);
    expect(constraintAllows(constraint('rack', 'CLUSTER', 'r1'), agent('a', { rack: 'r2' }), []).ok).toBe(false);
    const open = constraint('rack', 'CLUSTER');
    expect(constraintAllows(open, agent('a', { rack: 'r2' }), []).ok).toBe(true);
    expect(constraintAllows(open, agent('b', { rack: 'r3' }), [agent('a', { rack: 'r2' })]).ok).toBe(false);
  });

  it('GROUP_BY: spreads evenly over the values, counting the ones still empty', () => {
    const groupBy = constraint('zone', 'GROUP_BY', '3');
    const placed = [agent('a', { zone: 'z1' })];
    expect(constraintAllows(groupBy, agent('b', { zone: 'z1' }), placed).ok).toBe(false); // z2, z3 still empty
    expect(constraintAllows(groupBy, agent('b', { zone: 'z2' }), placed).ok).toBe(true);
    const known = [agent('x', { zone: 'z1' }), agent('y', { zone: 'z2' })];
    const byKnown = constraint('zone', 'GROUP_BY');
    expect(constraintAllows(byKnown, agent('b', { zone: 'z1' }), placed, known).ok).toBe(false);
    expect(constraintAllows(byKnown, agent('b', { zone: 'z1' }), [...placed, agent('c', { zone: 'z2' })], known).ok).toBe(true);
  });

  it('LIKE and UNLIKE match the whole string; a missing attribute matches only UNLIKE', () => {
    expect(constraintAllows(constraint('rack', 'LIKE', 'r[12]'), agent('a', { rack: 'r1' }), []).ok).toBe(true);
    expect(constraintAllows(constraint('rack', 'LIKE', 'r[12]'), agent('a', { rack: 'r12' }), []).ok).toBe(false);
    expect(constraintAllows(constraint('rack', 'UNLIKE', 'r1'), agent('a', { rack: 'r1' }), []).ok).toBe(false);
    expect(constraintAllows(constraint('rack', 'UNLIKE', 'r1'), agent('a'), []).ok).toBe(true);
    for (const op of ['LIKE', 'IS', 'IS_NOT', 'MAX_PER', 'UNIQUE', 'CLUSTER', 'GROUP_BY']) {
      const c =
        op === 'UNIQUE' || op === 'CLUSTER' || op === 'GROUP_BY'
          ? constraint('rack', op)
          : constraint('rack', op, op === 'MAX_PER' ? '2' : 'r1');
      expect(constraintAllows(c, agent('a'), []).ok, op).toBe(false);
    }
  });

  it('MAX_PER, IS and IS_NOT', () => {
    const maxPer = constraint('rack', 'MAX_PER', '2');
    const two = [agent('a', { rack: 'r1' }), agent('b', { rack: 'r1' })];
    expect(constraintAllows(maxPer, agent('c', { rack: 'r1' }), two.slice(1)).ok).toBe(true);
    expect(constraintAllows(maxPer, agent('c', { rack: 'r1' }), two).ok).toBe(false);
    expect(constraintAllows(constraint('gpu', 'IS', 'yes'), agent('a', { gpu: 'yes' }), []).ok).toBe(true);
    expect(constraintAllows(constraint('gpu', 'IS_NOT', 'yes'), agent('a', { gpu: 'yes' }), []).ok).toBe(false);
    expect(constraintAllows(constraint('cores', 'IS', '8'), agent('a', { cores: 8 }), []).ok).toBe(true);
  });

  it('reports the first failing constraint', () => {
    const constraints = [constraint('hostname', 'UNIQUE'), constraint('rack', 'IS', 'r1')];
    expect(placementAllows(constraints, agent('a', { rack: 'r2' }), [])).toEqual({ ok: false, reason: 'rack:IS:r1: rack is r2' });
  });

  it('rejects malformed constraints with a reason', () => {
    expect(parseConstraint(['hostname'])).toMatchObject({ ok: false });
    expect(parseConstraint(['hostname', 'SOMETIMES'])).toMatchObject({ ok: false, message: expect.stringMatching(/unknown operator/) });
    expect(parseConstraint(['rack', 'MAX_PER', 'x'])).toMatchObject({ ok: false });
    expect(parseConstraint(['rack', 'LIKE', '('])).toMatchObject({
      ok: false,
      message: expect.stringMatching(/invalid regular expression/),
    });
    expect(parseConstraint(['hostname', 'UNIQUE', 'x'])).toMatchObject({ ok: false });
  });
});
