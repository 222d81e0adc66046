/**
 * The config validators (SDK `ConfigValidator`s): why a new target may not
 * replace the one in force. Pods cannot shrink or go away without
 * allowDecommission, and volumes cannot change.
 */
import type { ServiceSpec } from './serviceSpec.js';

export function specChangeProblems(current: ServiceSpec, next: ServiceSpec): string[] {
  const problems: string[] = [];
  for (const pod of current.pods) {
    const target = next.pods.find((candidate) => candidate.type === pod.type);
    if (!target) {
      if (!pod.allowDecommission) problems.push(`pod ${pod.type} cannot be removed: it does not allow decommission`);
      continue;
    }
    if (target.count < pod.count && !pod.allowDecommission && !target.allowDecommission) {
      problems.push(`pod ${pod.type} cannot shrink from ${pod.count} to ${target.count} without allowDecommission`);
    }
    if (JSON.stringify(target.volumes) !== JSON.stringify(pod.volumes))
      problems.push(`pod ${pod.type}: volumes cannot change (${JSON.stringify(pod.volumes)} -> ${JSON.stringify(target.volumes)})`);
  }
  return problems;
}
