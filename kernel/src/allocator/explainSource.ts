/**
 * What explanations read (explain.ts, explainReasons.ts, explainMatrix.ts):
 * the clock, the decision log and quotas, the frameworks, the agents and the
 * maintenance schedule. A Master is one, so the allocator's explanations do
 * not depend on the master.
 */
import type { Agent } from '../agents/agent.js';
import type { Maintenance } from '../maintenance/maintenance.js';
import type { FrameworkState } from '../master/frameworkState.js';
import type { ResourceLayout } from '../resources/layout.js';
import type { Allocator } from './allocator.js';

export interface ExplainSource {
  readonly nowMs: number;
  readonly layout: ResourceLayout;
  readonly allocator: Pick<Allocator, 'decisionLog' | 'quota'>;
  readonly frameworks: ReadonlyMap<string, FrameworkState>;
  readonly agents: { get(agentId: string): Agent | undefined; keys(): IterableIterator<string> };
  readonly maintenance: Pick<Maintenance, 'modeOf' | 'windowOf'>;
}
