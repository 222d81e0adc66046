/** Every scenario the picker offers: the kernel's built-ins first, then the playground's own. */
import type { ScenarioInput } from '@allot/kernel';
import { builtinScenarios } from '@allot/kernel';
import { playgroundScenarios } from '../scenarios/playgroundScenarios.js';

export interface CatalogEntry {
  name: string;
  description: string;
  source: 'kernel' | 'playground';
  scenario: ScenarioInput;
}

export const scenarioCatalog: readonly CatalogEntry[] = [
  ...builtinScenarios.map((scenario) => ({ name: scenario.name, description: scenario.description ?? '', source: 'kernel' as const, scenario })),
  ...playgroundScenarios.map((scenario) => ({ name: scenario.name, description: scenario.description ?? '', source: 'playground' as const, scenario })),
];

export const DEFAULT_SCENARIO = 'drf-paper';

export function findScenario(name: string): ScenarioInput | undefined {
  return scenarioCatalog.find((entry) => entry.name === name)?.scenario;
}
