/**
 * Marathon's `unreachableStrategy` of an app: `{"inactiveAfterSeconds",
 * "expungeAfterSeconds"}` (defaults 300 and 600; expunge not before
 * inactive) or `"disabled"` (an unreachable instance is never replaced).
 * The app model runs it (kernel/src/frameworks/service/unreachableStrategy.ts).
 */
import type { UnreachableStrategy } from '@allot/kernel';
import type { Problems } from './validation.js';
import { at, isObject, readNumber, refuseUnknown, typeName } from './validation.js';

export type UnreachableStrategyDefinition = { inactiveAfterSeconds: number; expungeAfterSeconds: number } | 'disabled';

export const DEFAULT_UNREACHABLE_STRATEGY = { inactiveAfterSeconds: 300, expungeAfterSeconds: 600 } as const;

export function readUnreachableStrategy(problems: Problems, value: unknown): UnreachableStrategyDefinition {
  const path = '/unreachableStrategy';
  if (value === undefined || value === null) return { ...DEFAULT_UNREACHABLE_STRATEGY };
  if (value === 'disabled') return 'disabled';
  if (!isObject(value)) {
    problems.add(path, `expected "disabled" or {"inactiveAfterSeconds", "expungeAfterSeconds"}, got ${typeName(value)}`);
    return { ...DEFAULT_UNREACHABLE_STRATEGY };
  }
  refuseUnknown(problems, path, value, new Set(['inactiveAfterSeconds', 'expungeAfterSeconds']), 'an unreachable strategy');
  const seconds = (key: 'inactiveAfterSeconds' | 'expungeAfterSeconds') =>
    value[key] === undefined
      ? DEFAULT_UNREACHABLE_STRATEGY[key]
      : (readNumber(problems, at(path, key), value[key], { min: 0, integer: true }) ?? DEFAULT_UNREACHABLE_STRATEGY[key]);
  const strategy = { inactiveAfterSeconds: seconds('inactiveAfterSeconds'), expungeAfterSeconds: seconds('expungeAfterSeconds') };
  if (strategy.expungeAfterSeconds < strategy.inactiveAfterSeconds)
    problems.add(
      at(path, 'expungeAfterSeconds'),
      `must be at least inactiveAfterSeconds (${strategy.inactiveAfterSeconds}), got ${strategy.expungeAfterSeconds}`,
    );
  return strategy;
}

/** What the app model runs; none for "disabled" (an unreachable instance counts until the master ends it). */
export function unreachableForModel(definition: UnreachableStrategyDefinition | undefined): UnreachableStrategy | undefined {
  const strategy = definition ?? DEFAULT_UNREACHABLE_STRATEGY;
  if (strategy === 'disabled') return undefined;
  return { inactiveAfterMs: strategy.inactiveAfterSeconds * 1000, expungeAfterMs: strategy.expungeAfterSeconds * 1000 };
}
