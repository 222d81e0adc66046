/**
 * The scenarios that ship with allot, each a plain JSON-compatible object (it
 * could be written to a .json file unchanged) with a name and a one-sentence
 * description. Names are unique; `findBuiltinScenario` looks one up by name.
 */
import type { ScenarioInput } from '../scenario.js';
import { agentCrash } from './agentCrash.js';
import { cassandra } from './cassandra.js';
import { kafka } from './kafka.js';
import { chaosScenario, chaosSeed } from './chaos.js';
import { datacenter } from './datacenter.js';
import { declineFilters } from './declineFilters.js';
import { drfPaper } from './drfPaper.js';
import { hierarchicalRoles } from './hierarchicalRoles.js';
import { marathon } from './marathon.js';
import { masterFailover } from './masterFailover.js';
import { myriad } from './myriad.js';
import { partitionHeal } from './partitionHeal.js';
import { persistentVolume } from './persistentVolume.js';
import { quotaGuarantee } from './quotaGuarantee.js';
import { spark } from './spark.js';
import { weightedRoles } from './weightedRoles.js';

export const builtinScenarios: readonly ScenarioInput[] = [
  drfPaper,
  weightedRoles,
  quotaGuarantee,
  declineFilters,
  hierarchicalRoles,
  agentCrash,
  partitionHeal,
  masterFailover,
  persistentVolume,
  cassandra,
  kafka,
  spark,
  marathon,
  myriad,
  datacenter,
];

/** A built-in scenario by name; `chaos:<seed>` names a generated fault-injection scenario. */
export function findBuiltinScenario(name: string): ScenarioInput | undefined {
  const seed = chaosSeed(name);
  if (seed !== null) return chaosScenario(seed);
  return builtinScenarios.find((scenario) => scenario.name === name);
}
