/**
 * The scenario picker's groups are read from each scenario (kinds, size,
 * reservations, faults), so new built-ins land in a sensible group.
 */
import { expect, test } from 'vitest';
import { findBuiltinScenario } from '@allot/kernel';
import { catalogGroups, groupOf, scenarioCatalog, summaryOf } from '../../playground/src/lib/scenarioCatalog.js';

test('every scenario is in exactly one group, and no group is empty', () => {
  const listed = catalogGroups.flatMap((group) => group.entries.map((entry) => entry.name));
  expect(listed.sort()).toEqual(scenarioCatalog.map((entry) => entry.name).sort());
  expect(catalogGroups.every((group) => group.entries.length > 0)).toBe(true);
});

test('groups follow what a scenario is about', () => {
  expect(groupOf(findBuiltinScenario('drf-paper')!).id).toBe('fairness');
  expect(groupOf(findBuiltinScenario('agent-crash')!).id).toBe('failures');
  expect(groupOf(findBuiltinScenario('persistent-volume')!).id).toBe('reservations');
  expect(groupOf(findBuiltinScenario('cassandra')!).id).toBe('stateful');
  expect(groupOf(findBuiltinScenario('spark')!).id).toBe('batch');
});

test('a kind the picker does not know yet gets a group of its own name', () => {
  const scenario = {
    name: 'x',
    durationMs: 1000,
    agents: [{ id: 'a', resources: { cpus: 1 } }],
    frameworks: [{ id: 'f', role: 'r', kind: 'quantum' }],
  };
  expect(groupOf(scenario as never)).toEqual({ id: 'quantum', label: 'quantum frameworks' });
  expect(summaryOf(scenario as never)).toBe('1 agent · 1 framework (quantum)');
});
