/** The Compare view's B side: the scenario with another sorter, weights, filter lengths or without quota, made with immer. */
import { produce } from 'immer';
import type { ScenarioInput } from '@allot/kernel';
import type { CompareConfig } from './ui.svelte.js';

export function compareVariant(scenario: ScenarioInput, options: CompareConfig): ScenarioInput {
  return produce(scenario, (draft) => {
    draft.allocator = { ...(draft.allocator ?? {}), roleSorter: options.roleSorter, frameworkSorter: options.roleSorter };
    for (const role of draft.roles ?? []) {
      if (options.weights[role.name] !== undefined) role.weight = options.weights[role.name];
      if (!options.quota) delete role.quota;
    }
    for (const framework of draft.frameworks ?? []) {
      if (options.refuseSeconds[framework.id] !== undefined) framework.refuseSeconds = options.refuseSeconds[framework.id];
    }
  });
}

export function describeVariant(options: CompareConfig): string {
  const parts = [options.roleSorter === 'random' ? 'random sorter' : 'DRF sorter'];
  for (const [role, weight] of Object.entries(options.weights)) parts.push(`${role} weight ${weight}`);
  for (const [framework, refuse] of Object.entries(options.refuseSeconds)) parts.push(`${framework} refuses ${refuse} s`);
  if (!options.quota) parts.push('no quota');
  return parts.join(', ');
}
