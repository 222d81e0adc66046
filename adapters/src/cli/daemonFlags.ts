/**
 * Flag parsers shared by the daemon commands (master, agent, up): ports,
 * durations in seconds, counts. Strict, like flagValues.ts: a typo is an
 * error naming the flag (commander adds the flag's name to the message).
 */
import { InvalidArgumentError } from 'commander';

export function parsePort(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 65535) throw new InvalidArgumentError(`expected a port 0..65535, got "${text}".`);
  return value;
}

export function parseSeconds(text: string): number {
  const value = Number(text);
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) || !(value > 0) || value > 31_536_000)
    throw new InvalidArgumentError(`expected a number of seconds > 0, got "${text}".`);
  return value;
}

export function parseCount(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 64) throw new InvalidArgumentError(`expected a whole number 0..64, got "${text}".`);
  return value;
}

/** A history size (completed frameworks or tasks kept): 0..1,000,000. */
export function parseHistorySize(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > 1_000_000) throw new InvalidArgumentError(`expected a whole number 0..1000000, got "${text}".`);
  return value;
}

/** An amount of memory in MB: a number >= 0. */
export function parseMegabytes(text: string): number {
  const value = Number(text);
  if (!/^[+]?(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) || !Number.isFinite(value) || value > 2 ** 40)
    throw new InvalidArgumentError(`expected a number of MB >= 0, got "${text}".`);
  return value;
}

/** A limit: a whole number from 1 to 10,000,000. */
export function parseLimit(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 10_000_000)
    throw new InvalidArgumentError(`expected a whole number 1..10000000, got "${text}".`);
  return value;
}

/** A size in bytes: a whole number from 4096 to 2^40. */
export function parseBytes(text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 4096 || value > 2 ** 40)
    throw new InvalidArgumentError(`expected a whole number of bytes 4096..${2 ** 40}, got "${text}".`);
  return value;
}

/** Resolves once SIGINT or SIGTERM arrives (the daemon then shuts down in order). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve(signal);
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}
