/**
 * The scenarios that ship with allot, each a plain JSON-compatible object (it
 * could be written to a .json file unchanged) with a name and a one-sentence
 * description. Names are unique; `findBuiltinScenario` looks one up by name.
 */
import type { ScenarioInput } from '../scenario.js';
import { declineFilters } from './declineFilters.js';
import { drfPaper } from './drfPaper.js';
import { hierarchicalRoles } from './hierarchicalRoles.js';
import { quotaGuarantee } from './quotaGuarantee.js';
import { weightedRoles } from './weightedRoles.js';

export const builtinScenarios: readonly ScenarioInput[] = [drfPaper, weightedRoles, quotaGuarantee, declineFilters, hierarchicalRoles];

export function findBuiltinScenario(name: string): ScenarioInput | undefined {
  return builtinScenarios.find((scenario) => scenario.name === name);
}
