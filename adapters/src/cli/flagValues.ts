/**
 * Parsers for numeric flag values, strict enough that a typo is an error
 * rather than a silently different run: "12abc" is not 12, and "" is not 0.
 * Commander calls them and reports their message together with the flag name.
 */
import { InvalidArgumentError } from 'commander';

const INTEGER_PATTERN = /^[+-]?\d+$/;
const DECIMAL_PATTERN = /^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A seed: any safe integer, the same rule the scenario file's `seed` follows. */
export function parseSeed(text: string): number {
  const value = Number(text);
  if (!INTEGER_PATTERN.test(text.trim()) || !Number.isSafeInteger(value)) {
    throw new InvalidArgumentError(`expected an integer, got "${text}".`);
  }
  return value;
}

/** A simulated time in milliseconds: a finite number >= 0. */
export function parseNonNegativeMs(text: string): number {
  const value = Number(text);
  if (!DECIMAL_PATTERN.test(text.trim()) || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`expected a non-negative number of milliseconds, got "${text}".`);
  }
  return value;
}
