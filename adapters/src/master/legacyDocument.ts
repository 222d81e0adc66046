/**
 * The state layout before per-object keys: one document under the key
 * `master-state`, rewritten after every durable event, holding the kernel's
 * snapshot, framework infos, agent addresses and every task. Only read now,
 * once, to migrate a store to per-object keys (stateLoader.ts); its tasks
 * are dropped, since agents bring them back when they re-register.
 */
import type { MasterSnapshot } from '@allot/kernel';
import type { AgentInfoRecord, FrameworkRecord } from './hostRegistry.js';

export interface LegacyStateDocument {
  format: 'allot-master-state';
  version: 1;
  masterId: string;
  clockBaseMs: number;
  lastNowMs: number;
  nextFrameworkSeq: number;
  kernel: MasterSnapshot;
  frameworks: FrameworkRecord[];
  agents: AgentInfoRecord[];
  tasks: unknown[];
}

export function parseLegacyDocument(text: string): LegacyStateDocument {
  const document = JSON.parse(text) as LegacyStateDocument;
  if (document.format !== 'allot-master-state') throw new Error('the stored state is not an allot master state document');
  if (document.version !== 1)
    throw new Error(`the stored state document has version ${document.version}; this master migrates version 1 only`);
  return document;
}
