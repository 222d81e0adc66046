/**
 * The sections of a frame and of a chart sample, read from a running
 * simulation: shares per role and framework, cluster totals, counters, plans,
 * framework details and control results. Pure reads of the simulation (and of
 * the observer that follows its events); the session decides what to send.
 */
import type { Master, Simulation } from '@allot/kernel';
import { dominantShare } from '@allot/kernel';
import type { ControlRecord, Frame, FrameworkFrame, PlanFrame, RoleFrame, Sample } from './frame.js';
import { allocatorAllocations } from './allocatedShares.js';
import type { RunObserver } from './runObserver.js';
import { totalScalars } from './runObserver.js';

const CONTROLS_SENT = 12;
const DETAIL_ENTRIES_KEPT = 30;

/** The master's counters over the whole run: those of masters that failed over plus the current one's. */
export function runCounters(sim: Simulation): Record<string, number> {
  const counters: Record<string, number> = { ...sim.master.counters };
  for (const [name, value] of Object.entries(sim.retiredCounters)) counters[name] = (counters[name] ?? 0) + value;
  return counters;
}

export function roleFrames(master: Master, roleNames: readonly string[], byRole: Map<string, Float64Array>): RoleFrame[] {
  const allocator = master.allocator;
  return roleNames.map((name) => {
    const allocation = byRole.get(name) ?? master.layout.zero();
    const weight = allocator.weight(name);
    const share = dominantShare(allocation, allocator.total, allocator.excluded, 1);
    const quota = allocator.quota.quotaOf(name);
    return {
      name,
      weight,
      share,
      weightedShare: share / weight,
      allocated: master.layout.quantities(allocation),
      quotaGuaranteeShare: quota ? quantityShare(quota.guarantee, master) : null,
      quotaLimitShare: quota ? quantityShare(quota.limit, master) : null,
      quotaText: quota ? quotaText(quota) : null,
    };
  });
}

export function frameworkFrames(sim: Simulation, observer: RunObserver, byFramework: Map<string, Float64Array>): FrameworkFrame[] {
  const master = sim.master;
  return sim.scenario.frameworks.map((spec) => {
    const state = master.frameworks.get(spec.id);
    const allocation = byFramework.get(spec.id) ?? master.layout.zero();
    const suppressed = state ? [...state.clients.values()].every((client) => client.suppressed) : false;
    const tasks = { ...(observer.stateCountsBy.get(spec.id) ?? {}) };
    for (const key of Object.keys(tasks)) if (tasks[key] === 0) delete tasks[key];
    const model = sim.frameworks.get(spec.id) as { pendingTasks?: number } | undefined;
    return {
      id: spec.id,
      role: spec.role,
      kind: spec.kind,
      flavor: (spec.options as { flavor?: string } | undefined)?.flavor ?? null,
      share: dominantShare(allocation, master.allocator.total, master.allocator.excluded, 1),
      tasks,
      running: tasks.TASK_RUNNING ?? 0,
      pending: model?.pendingTasks ?? 0,
      launched: observer.launchedBy.get(spec.id) ?? 0,
      connected: state?.connected ?? false,
      suppressed,
      allocated: master.layout.quantities(allocation),
    };
  });
}

/** Totals, allocation and utilization per resource; agents up are those neither down nor cut off by a partition. */
export function clusterFrame(sim: Simulation, partitioned: ReadonlySet<string>): Frame['cluster'] {
  const master = sim.master;
  const total = master.allocator.total;
  const allocated = master.layout.zero();
  for (const role of master.allocator.roles.values()) for (let i = 0; i < allocated.length; i++) allocated[i] += role.node.allocation[i];
  const utilization: Record<string, number> = {};
  total.forEach((amount, slot) => {
    if (amount > 0) utilization[master.layout.names[slot]] = Math.min(1, allocated[slot] / amount);
  });
  let agentsUp = 0;
  for (const id of master.agents.keys()) if (!partitioned.has(id) && sim.agents.get(id)?.up !== false) agentsUp++;
  return {
    agents: sim.agents.size,
    agentsUp,
    total: master.layout.quantities(total),
    allocated: master.layout.quantities(allocated),
    utilization,
  };
}

/** One point of the charts: shares, cpu utilization, fairness of the weighted shares, waiting and running tasks. */
export function chartSample(sim: Simulation, roleNames: readonly string[], observer: RunObserver | null, atMs: number): Sample {
  const master = sim.master;
  const allocator = master.allocator;
  const { byRole, byFramework } = allocatorAllocations(master, roleNames);
  const share = (allocation: Float64Array | undefined) =>
    allocation ? dominantShare(allocation, allocator.total, allocator.excluded, 1) : 0;
  const roleShares = roleNames.map((name) => share(byRole.get(name)));
  const frameworkShares = sim.scenario.frameworks.map((spec) => share(byFramework.get(spec.id)));
  const slot = Math.max(0, master.layout.slotOf('cpus'));
  let used = 0;
  let running = 0;
  for (const byId of observer?.live.values() ?? []) {
    for (const task of byId.values()) {
      used += totalScalars(task.resources)[slot];
      if (task.state === 'TASK_RUNNING') running++;
    }
  }
  let pending = 0;
  for (const model of sim.frameworks.values()) pending += (model as { pendingTasks?: number }).pendingTasks ?? 0;
  const weighted = roleNames
    .map((name, i) => ({ share: roleShares[i] / allocator.weight(name), active: allocator.roles.has(name) }))
    .filter((role) => role.active)
    .map((role) => role.share);
  return {
    atMs,
    roleShares,
    frameworkShares,
    utilization: allocator.total[slot] > 0 ? used / allocator.total[slot] : 0,
    fairness: jainIndex(weighted),
    meanWaitMs: observer?.meanWaitMs() ?? 0,
    running,
    pending,
  };
}

/** Straight from the framework models: cheap, unlike a whole report, which walks every agent. */
export function plansNow(sim: Simulation): PlanFrame[] {
  const plans: PlanFrame[] = [];
  for (const model of sim.frameworks.values()) for (const plan of model.plans?.() ?? []) plans.push(plan as PlanFrame);
  return plans;
}

export function detailsNow(sim: Simulation): Record<string, Record<string, unknown>> {
  const details: Record<string, Record<string, unknown>> = {};
  for (const [id, model] of sim.frameworks) {
    const figures = model.details?.();
    if (figures) details[id] = trimDetails(figures);
  }
  return details;
}

/** The latest plan and pod controls with their outcome, numbered over the whole run. */
export function controlsNow(sim: Simulation): ControlRecord[] {
  const all = sim.controlResults;
  const from = Math.max(0, all.length - CONTROLS_SENT);
  return all.slice(from).map((entry, i) => {
    const result = (entry.result ?? {}) as { ok?: boolean; changed?: boolean; message?: string; code?: string };
    const ok = result.ok !== false;
    return {
      seq: from + i + 1,
      atMs: entry.atMs,
      framework: entry.framework,
      control: entry.control,
      ok,
      changed: ok && result.changed !== false,
      message: result.message ?? (ok ? 'done' : (result.code ?? 'refused')),
    };
  });
}

/** Long lists in a framework's details (a batch kind's jobs) keep their latest entries; `<name>Omitted` says how many went. */
export function trimDetails(figures: Record<string, unknown>, keep = DETAIL_ENTRIES_KEPT): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(figures)) {
    if (Array.isArray(value) && value.length > keep) {
      out[name] = value.slice(-keep);
      out[`${name}Omitted`] = value.length - keep;
    } else out[name] = value;
  }
  return out;
}

/** Jain's fairness index: 1 when all equal, 1/n when one has everything; 1 for no or all-zero shares. */
export function jainIndex(values: readonly number[]): number {
  let sum = 0;
  let squares = 0;
  for (const value of values) {
    sum += value;
    squares += value * value;
  }
  return squares > 0 ? (sum * sum) / (values.length * squares) : 1;
}

function quantityShare(quantities: Record<string, number>, master: Master): number | null {
  let share: number | null = null;
  for (const [name, amount] of Object.entries(quantities)) {
    const slot = master.layout.slotOf(name);
    const total = slot >= 0 ? master.allocator.total[slot] : 0;
    if (total > 0) share = Math.max(share ?? 0, amount / total);
  }
  return share;
}

function quotaText(quota: { guarantee: Record<string, number>; limit: Record<string, number> }): string {
  const part = (label: string, quantities: Record<string, number>) => {
    const entries = Object.entries(quantities);
    return entries.length ? `${label} ${entries.map(([name, amount]) => `${name} ${amount}`).join(', ')}` : '';
  };
  return [part('guarantee', quota.guarantee), part('limit', quota.limit)].filter(Boolean).join('; ');
}
