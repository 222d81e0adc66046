/**
 * Turns the FILE|NAME argument of `allot simulate` into a validated Scenario.
 * An existing file wins over a built-in name; an argument that looks like a
 * path (a slash or a .json ending) is never taken for a name, so a mistyped
 * path says "cannot read" rather than "unknown scenario".
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinScenarios, findBuiltinScenario, formatScenarioErrors, parseScenario, parseScenarioText } from '@allot/kernel';
import type { Scenario, ScenarioInput } from '@allot/kernel';
import { UsageError } from './exitCodes.js';

export function loadScenario(fileOrName: string): Scenario {
  if (existsSync(fileOrName) || looksLikePath(fileOrName)) return loadScenarioFile(fileOrName);
  const result = parseScenario(builtinScenario(fileOrName, { orFile: true }));
  // A built-in scenario that does not validate is a bug in allot, not in the user's input.
  if (!result.ok) throw new Error(`built-in scenario "${fileOrName}" is invalid:\n${formatScenarioErrors(result.errors)}`);
  return result.scenario;
}

/** The built-in scenario's file form, or a UsageError listing the names there are. */
export function builtinScenario(name: string, options: { orFile: boolean } = { orFile: false }): ScenarioInput {
  const input = findBuiltinScenario(name);
  if (input === undefined && name.startsWith('chaos:'))
    throw new UsageError(
      `"${name.slice(0, 64)}": after "chaos:" comes the seed of a generated fault-injection run (chaos:<seed>), ` +
        `a whole number between -${Number.MAX_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER} (e.g. chaos:42); the same seed replays the same run.`,
    );
  if (input === undefined) {
    const names = builtinScenarios.map((scenario) => `  ${scenario.name}`).join('\n');
    const what = options.orFile ? 'no built-in scenario or file' : 'no built-in scenario';
    const orFile = options.orFile ? '\nor give the path of a JSON scenario file.' : '';
    throw new UsageError(`${what} named "${name}". Built-in scenarios:\n${names}${orFile}`);
  }
  return input;
}

function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`cannot read scenario file ${path}: it is a directory.`);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read scenario file ${path}: ${systemMessage(error)}`);
  }
  const result = parseScenarioText(text);
  if (!result.ok) {
    const count = result.errors.length === 1 ? '1 error' : `${result.errors.length} errors`;
    const listed = formatScenarioErrors(result.errors).replace(/^/gm, '  ');
    throw new UsageError(`${path} is not a valid scenario (${count}):\n${listed}`);
  }
  return result.scenario;
}

function looksLikePath(argument: string): boolean {
  return argument.includes('/') || argument.includes('\\') || argument.toLowerCase().endsWith('.json');
}

function systemMessage(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file.';
  if (code === 'EACCES') return 'permission denied.';
  return error instanceof Error ? error.message : String(error);
}
