/**
 * The master's state read back from its store: every key (stateKeys.ts) is
 * parsed into the kernel's snapshot (agents admitted, unreachable and gone
 * with their totals; frameworks; roles; the maintenance schedule) and the daemon's registry (framework
 * infos, agent addresses), as Mesos rebuilds its registry. A store in the
 * old layout (one document, `master-state`) is read the same way and marked
 * for migration: the first write then stores every object under its own key
 * and deletes the document, in that order, so a crash half-way migrates
 * again from the document. Records that do not fit (an agent entry without
 * its resources) are reported, not fatal: the agent registers afresh.
 */
import type { AgentRecord, MasterSnapshot } from '@allot/kernel';
import type { StoredValue } from '../store/stateStore.js';
import type { HostRegistry } from './hostRegistry.js';
import { parseLegacyDocument } from './legacyDocument.js';
import { LEGACY_DOCUMENT_KEY, META_KEY, parseStateKey } from './stateKeys.js';
import type { AgentStateRecord, FrameworkStateRecord, MetaRecord, ResourcesRecord, RoleRecord } from './stateRecords.js';
import { STATE_FORMAT, STATE_VERSION } from './stateRecords.js';

export interface LoadedState {
  snapshot: MasterSnapshot;
  registry: HostRegistry;
  /** The kernel clock must not start before this (times in the records are kernel times). */
  lastNowMs: number;
  /** True when read from the old single document: every object must be written under its own key. */
  migrated: boolean;
  /** Records that were ignored, with the reason (for the log). */
  problems: string[];
}

/** Null for an empty store (a fresh master). */
export function loadState(stored: ReadonlyMap<string, StoredValue>): LoadedState | null {
  const legacy = stored.get(LEGACY_DOCUMENT_KEY);
  // The document is deleted only by the commit that completes a migration: if it is there, that commit never happened.
  if (legacy) return loadLegacy(legacy.value);
  const meta = stored.get(META_KEY);
  if (!meta) {
    const objects = [...stored.keys()].filter((key) => parseStateKey(key) !== null);
    if (objects.length === 0) return null;
    throw new Error(
      `the state store holds ${objects.length} master objects (e.g. ${objects[0]}) but no "${META_KEY}" record: refusing to guess`,
    );
  }
  return loadObjects(parseMeta(meta.value), stored);
}

function parseMeta(text: string): MetaRecord {
  const meta = JSON.parse(text) as MetaRecord;
  if (meta.format !== STATE_FORMAT) throw new Error(`the "${META_KEY}" record is not an allot master state record`);
  if (meta.version !== STATE_VERSION)
    throw new Error(`the stored state has version ${meta.version}; this master reads version ${STATE_VERSION}`);
  return meta;
}

function loadLegacy(text: string): LoadedState {
  const document = parseLegacyDocument(text);
  return {
    snapshot: document.kernel,
    registry: {
      masterId: document.masterId,
      clockBaseMs: document.clockBaseMs,
      nextFrameworkSeq: document.nextFrameworkSeq,
      frameworks: new Map(document.frameworks.map((record) => [record.id, record])),
      agents: new Map(document.agents.map((record) => [record.id, record])),
    },
    lastNowMs: document.lastNowMs,
    migrated: true,
    problems: [],
  };
}

function loadObjects(meta: MetaRecord, stored: ReadonlyMap<string, StoredValue>): LoadedState {
  const snapshot: MasterSnapshot = { version: 1, epoch: meta.epoch, roles: [], agents: [], unreachable: [], gone: [], frameworks: [] };
  const registry: HostRegistry = {
    masterId: meta.masterId,
    clockBaseMs: meta.clockBaseMs,
    nextFrameworkSeq: meta.nextFrameworkSeq,
    frameworks: new Map(),
    agents: new Map(),
  };
  const problems: string[] = [];
  const totals = new Map<string, ResourcesRecord['total']>();
  const agents: AgentStateRecord[] = [];
  let lastNowMs = meta.lastNowMs;
  for (const [key, { value }] of stored) {
    const parsed = parseStateKey(key);
    if (parsed === null || parsed.kind === 'meta') continue;
    if (parsed.kind === 'maintenance') snapshot.maintenance = JSON.parse(value) as MasterSnapshot['maintenance'];
    else if (parsed.kind === 'resources') totals.set(parsed.id, (JSON.parse(value) as ResourcesRecord).total);
    else if (parsed.kind === 'agent') agents.push(JSON.parse(value) as AgentStateRecord);
    else if (parsed.kind === 'role') {
      const role = JSON.parse(value) as RoleRecord;
      snapshot.roles.push({ name: role.name, weight: role.weight, quota: role.quota });
    } else {
      const framework = JSON.parse(value) as FrameworkStateRecord;
      snapshot.frameworks.push({ id: framework.id, name: framework.name, roles: framework.roles, capabilities: framework.capabilities });
      const { id, info, roles, failoverTimeoutMs, registeredAtMs } = framework;
      registry.frameworks.set(id, { id, info, roles, failoverTimeoutMs, registeredAtMs });
      lastNowMs = Math.max(lastNowMs, registeredAtMs);
      registry.nextFrameworkSeq = Math.max(registry.nextFrameworkSeq, frameworkSeq(meta.masterId, id) + 1);
    }
  }
  for (const agent of agents) {
    lastNowMs = Math.max(lastNowMs, agent.sinceMs ?? 0, agent.endpoint?.registeredAtMs ?? 0);
    if (agent.status === 'gone') {
      snapshot.gone.push({ id: agent.id, atMs: agent.sinceMs ?? 0 });
      continue;
    }
    const total = totals.get(agent.id);
    if (!total) {
      problems.push(`agent ${agent.id} has no resources record; it will register as a new agent`);
      continue;
    }
    if (agent.endpoint) registry.agents.set(agent.id, { id: agent.id, hostname: agent.hostname ?? agent.id, ...agent.endpoint });
    const record: AgentRecord = { id: agent.id, hostname: agent.hostname ?? agent.id, attributes: agent.attributes ?? {}, total };
    if (agent.status === 'admitted') snapshot.agents.push(record);
    else snapshot.unreachable.push({ atMs: agent.sinceMs ?? 0, record });
  }
  snapshot.roles.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { snapshot, registry, lastNowMs, migrated: false, problems };
}

/** The number in `<masterId>-NNNN`, or -1 for an id this master did not make. */
function frameworkSeq(masterId: string, frameworkId: string): number {
  if (!frameworkId.startsWith(`${masterId}-`)) return -1;
  const seq = Number(frameworkId.slice(masterId.length + 1));
  return Number.isSafeInteger(seq) ? seq : -1;
}
