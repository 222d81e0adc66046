/**
 * Framework and role commands: SUBSCRIBE (new or again), disconnection,
 * TEARDOWN, SUPPRESS / REVIVE, DECLINE, and the operator's weight and quota
 * updates. Offers go back through the offer book, tasks end through the task
 * transitions, clients change through the allocator.
 */
import { filterDurationMs } from '../allocator/allocator.js';
import type { Command, FrameworkSpec } from './commands.js';
import type { Rejection } from './effects.js';
import { FrameworkState } from './frameworkState.js';
import type { MasterParts, StepSink } from './masterParts.js';
import { unknownFramework } from './rejections.js';
import { releaseExecutorsOf } from './executorHandlers.js';
import { killTask } from './taskTransitions.js';

/** The frameworks as these commands change them (the master's map). */
type FrameworkParts = MasterParts & { readonly frameworks: Map<string, FrameworkState> };

export function subscribe(parts: FrameworkParts, spec: FrameworkSpec, out: StepSink): Rejection | null {
  if (spec.roles.length === 0)
    return { code: 'invalid_framework', message: `framework ${spec.id} must subscribe to at least one role`, frameworkId: spec.id };
  const existing = parts.frameworks.get(spec.id);
  if (existing) {
    // A new subscription replaces the old one (Mesos's framework failover): offers made on the old one are lost with it.
    for (const offer of parts.offers.ofFramework(spec.id)) parts.offers.rescind(offer, 'framework_disconnected', out);
    existing.connected = true;
    // As in Mesos, a SUBSCRIBE (without suppressed roles) leaves every role revived: a restarted scheduler
    // starts unsuppressed and would otherwise wait forever for offers it has no reason to revive.
    for (const client of existing.clients.values()) {
      parts.allocator.setConnected(client, true);
      parts.allocator.setSuppressed(client, false);
    }
    out.events.push({ type: 'framework.subscribed', atMs: parts.nowMs, frameworkId: spec.id, roles: existing.roles, resubscribed: true });
    parts.triggerAllocation();
    return null;
  }
  addFramework(parts, spec, true);
  out.events.push({ type: 'framework.subscribed', atMs: parts.nowMs, frameworkId: spec.id, roles: spec.roles, resubscribed: false });
  parts.triggerAllocation();
  return null;
}

/** Creates a framework and its clients; a restored master adds them disconnected. */
export function addFramework(parts: FrameworkParts, spec: FrameworkSpec, connected: boolean): FrameworkState {
  const capabilities = new Set(spec.capabilities ?? []);
  const framework = new FrameworkState(spec.id, spec.name ?? spec.id, capabilities, parts.tasks.of(spec.id));
  framework.connected = connected;
  for (const role of spec.roles) {
    const client = parts.allocator.addClient(spec.id, role, capabilities, spec.minAllocatable?.[role] ?? null);
    framework.clients.set(role, client);
    if (!connected) parts.allocator.setConnected(client, false);
  }
  parts.frameworks.set(spec.id, framework);
  return framework;
}

export function disconnect(parts: FrameworkParts, frameworkId: string, out: StepSink): Rejection | null {
  const framework = parts.frameworks.get(frameworkId);
  if (!framework) return unknownFramework(frameworkId);
  framework.connected = false;
  for (const offer of parts.offers.ofFramework(frameworkId)) parts.offers.rescind(offer, 'framework_disconnected', out);
  for (const client of framework.clients.values()) parts.allocator.setConnected(client, false);
  out.events.push({ type: 'framework.disconnected', atMs: parts.nowMs, frameworkId });
  return null;
}

/** TEARDOWN: offers rescinded, every live task killed and its resources recovered, the framework removed. */
export function teardown(parts: FrameworkParts, frameworkId: string, out: StepSink): Rejection | null {
  const framework = parts.frameworks.get(frameworkId);
  if (!framework) return unknownFramework(frameworkId);
  for (const offer of parts.offers.ofFramework(frameworkId)) parts.offers.rescind(offer, 'framework_removed', out);
  for (const task of [...framework.tasks.values()]) killTask(parts, framework, task, 'REASON_FRAMEWORK_REMOVED', out);
  releaseExecutorsOf(parts, frameworkId);
  for (const client of framework.clients.values()) parts.allocator.removeClient(client);
  parts.frameworks.delete(frameworkId);
  parts.tasks.forget(frameworkId);
  out.events.push({ type: 'framework.removed', atMs: parts.nowMs, frameworkId });
  return null;
}

export function suppress(
  parts: FrameworkParts,
  frameworkId: string,
  roles: readonly string[] | undefined,
  suppressed: boolean,
  out: StepSink,
): Rejection | null {
  const framework = parts.frameworks.get(frameworkId);
  if (!framework) return unknownFramework(frameworkId);
  const selected = framework.selectRoles(roles);
  for (const role of selected) {
    const client = framework.clients.get(role)!;
    parts.allocator.setSuppressed(client, suppressed);
    if (!suppressed) parts.allocator.clearFilters(client);
  }
  if (suppressed) out.events.push({ type: 'framework.suppressed', atMs: parts.nowMs, frameworkId, roles: selected });
  else {
    out.events.push({ type: 'framework.revived', atMs: parts.nowMs, frameworkId, roles: selected });
    parts.triggerAllocation();
  }
  return null;
}

export function decline(
  parts: FrameworkParts,
  frameworkId: string,
  offerIds: readonly string[],
  refuseSeconds: number | undefined,
  out: StepSink,
): Rejection | null {
  if (!parts.frameworks.has(frameworkId)) return unknownFramework(frameworkId);
  const filterMs = filterDurationMs(refuseSeconds, parts.timeouts.allocationIntervalMs);
  const unknown = parts.offers.decline(frameworkId, offerIds, filterMs, out);
  // Declining an offer that is gone (rescinded, already answered) is normal in Mesos: report, lose nothing.
  if (unknown.length > 0)
    return {
      code: 'unknown_offer',
      message: `no outstanding offers ${unknown.join(', ')} for framework ${frameworkId}`,
      offerIds: unknown,
    };
  return null;
}

export function updateRole(parts: FrameworkParts, command: Extract<Command, { type: 'role.update' }>, out: StepSink): Rejection | null {
  if (command.weight !== undefined) {
    if (!(command.weight > 0) || !Number.isFinite(command.weight))
      return { code: 'invalid_weight', message: `weight must be a finite number > 0, got ${command.weight}`, role: command.role };
    parts.allocator.setWeight(command.role, command.weight);
  }
  if (command.quota !== undefined) {
    if (command.role.includes('/'))
      return { code: 'invalid_quota', message: `quota is only allowed on top-level roles, not "${command.role}"`, role: command.role };
    const unknown = [...Object.keys(command.quota?.guarantee ?? {}), ...Object.keys(command.quota?.limit ?? {})].filter(
      (name) => !parts.layout.has(name),
    );
    if (unknown.length > 0)
      return { code: 'unknown_resource', message: `quota names unknown resources ${unknown.join(', ')}`, role: command.role };
    parts.allocator.setQuota(command.role, command.quota ?? undefined);
  }
  const quota = parts.allocator.quota.quotaOf(command.role) ?? null;
  out.events.push({ type: 'role.updated', atMs: parts.nowMs, role: command.role, weight: parts.allocator.weight(command.role), quota });
  return null;
}
