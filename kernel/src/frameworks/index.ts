/**
 * The framework kinds a scenario may use, by name. Adding a kind means adding
 * its plugin here; the scenario loader and the simulator pick it up.
 */
import { batchKind } from './batch/batchKind.js';
import { statefulKind } from './stateful/statefulKind.js';
import { serviceKind } from './service/serviceKind.js';
import { elasticKind } from './elastic/elasticKind.js';
import type { FrameworkKind } from '../schedulers/frameworkConfig.js';
import type { FrameworkKindPlugin } from './frameworkKind.js';

export const frameworkKinds: ReadonlyMap<string, FrameworkKindPlugin> = new Map<string, FrameworkKindPlugin>([
  [batchKind.kind, batchKind],
  [statefulKind.kind, statefulKind],
  [serviceKind.kind, serviceKind],
  [elasticKind.kind, elasticKind],
]);

export function frameworkKind(kind: FrameworkKind | string): FrameworkKindPlugin | undefined {
  return frameworkKinds.get(kind);
}
