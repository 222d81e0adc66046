/**
 * A framework kind is a plugin: the fields it reads from a scenario file
 * (beyond the ones every framework has), how it validates them, and the
 * framework model that runs it (in the simulator, or on a real cluster
 * through the Node scheduler host). Kinds register in frameworks/index.ts;
 * the scenario loader and the hosts know only this interface.
 */
import type { FrameworkModel } from '../schedulers/frameworkModel.js';
import type { FrameworkConfig, FrameworkKind } from '../schedulers/frameworkConfig.js';
import type { Errors, Fields } from '../schedulers/fieldReaders.js';

export interface KindReadContext {
  /** The scenario's duration, for fields that are times within it. */
  durationMs: number | undefined;
}

export interface FrameworkKindPlugin {
  readonly kind: FrameworkKind;
  /** One line for `allot scenarios` and error messages. */
  readonly description: string;
  /** Fields this kind reads beyond the common ones (id, name, role, kind, ...). */
  readonly fields: readonly string[];
  /**
   * Reads the kind's fields into `framework` (batch fills `tasks` and friends;
   * other kinds put their validated settings in `framework.options`).
   */
  read(fields: Fields, errors: Errors, framework: FrameworkConfig, context: KindReadContext): void;
  create(framework: FrameworkConfig): FrameworkModel;
}
