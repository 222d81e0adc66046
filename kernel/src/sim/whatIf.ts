/**
 * What-if edits on a scenario (usually a fork of a live cluster) and what
 * they would do: drain agents, lose agents, change a role's quota limit, at
 * one moment of the run. `runWhatIf` runs the scenario twice, unchanged and
 * edited, and reports per framework the tasks that would be moved (ended and
 * replaced elsewhere), stuck (wanted but not placed, with why: each agent's
 * reason from the allocator's decision log, counted by reason) and lost (ended
 * and not replaced), beside the unchanged run's figures.
 */
import { explainAllocation } from '../allocator/explain.js';
import type { ResourceQuantities } from '../resources/layout.js';
import { isTerminal } from '../tasks/taskState.js';
import type { SimulationReport } from './report.js';
import { buildReport } from './report.js';
import type { Plan } from '../sdk/plan.js';
import type { ServiceSpec } from '../sdk/serviceSpec.js';
import type { Scenario, ScenarioFault, ScenarioFramework } from './scenario.js';
import { Simulation } from './simulation.js';

export interface WhatIfEdits {
  /** When the edits happen (simulated ms); default 1000, once the forked tasks are known to the master. */
  atMs?: number;
  drain?: readonly string[];
  /** Agents whose machines are gone for good (crash, then marked gone). */
  remove?: readonly string[];
  /** New quota limits by role (the guarantee, if any, is capped at the limit). */
  quotaLimits?: ReadonlyArray<{ role: string; limit: ResourceQuantities }>;
  /** SDK services deployed at `atMs` (a svc.yml read by the host), in `role` (default `<name>-role`, as DC/OS Commons). */
  addServices?: ReadonlyArray<{ service: ServiceSpec; role?: string }>;
}

export interface MovedTask {
  taskId: string;
  fromAgent: string;
}

export interface WhatIfFramework {
  id: string;
  /** Live tasks when the edits happened, and at the end: unchanged run, then edited run. */
  runningBefore: number;
  runningUnchanged: number;
  runningWhatIf: number;
  /** Ended after the edits and replaced (new tasks of the framework, on these agents). */
  moved: MovedTask[];
  movedTo: Record<string, number>;
  /** Tasks the framework wanted to run but could not place by the end, and why, as agents per reason. */
  stuck: number;
  stuckReasons: Record<string, number>;
  /** Ended after the edits and neither replaced nor wanted again. */
  lost: number;
  dominantShareUnchanged: number;
  dominantShareWhatIf: number;
  /** An added service: its plans' status at the end (e.g. "deploy COMPLETE"), and its unfinished steps with why. */
  added?: { plans: string[]; waiting: Array<{ step: string; reasons: string[] }> };
  /** A service already there (a forked one): its plans' status at the end, and its recovery steps with why unfinished ones wait. */
  service?: { plans: string[]; recovery: Array<{ step: string; status: string; reasons: string[] }> };
}

export interface WhatIfOutcome {
  atMs: number;
  edits: string[];
  frameworks: WhatIfFramework[];
  unchanged: SimulationReport;
  whatIf: SimulationReport;
}

export const DEFAULT_WHAT_IF_AT_MS = 1000;

/** The scenario with the edits as faults at `atMs` (checked: every agent and role named must exist). */
export function applyWhatIf(scenario: Scenario, edits: WhatIfEdits): Scenario {
  const atMs = edits.atMs ?? DEFAULT_WHAT_IF_AT_MS;
  const agentIds = new Set(scenario.agents.map((agent) => agent.id));
  const faults: ScenarioFault[] = [];
  for (const agent of edits.drain ?? []) faults.push({ atMs, type: 'agent.drain', agent: knownAgent(agentIds, agent) });
  for (const agent of edits.remove ?? []) faults.push({ atMs, type: 'agent.gone', agent: knownAgent(agentIds, agent) });
  for (const { role, limit } of edits.quotaLimits ?? []) {
    const current = scenario.roles.find((candidate) => candidate.name === role);
    if (!current) throw new Error(`no role "${role}" in the scenario (roles: ${scenario.roles.map((r) => r.name).join(', ') || 'none'})`);
    const guarantee = current.quota?.guarantee
      ? Object.fromEntries(Object.entries(current.quota.guarantee).map(([name, amount]) => [name, Math.min(amount, limit[name] ?? amount)]))
      : undefined;
    faults.push({
      atMs,
      type: 'role.update',
      role,
      quota: { ...(guarantee ? { guarantee } : {}), limit: { ...current.quota?.limit, ...limit } },
    });
  }
  const ids = new Set(scenario.frameworks.map((framework) => framework.id));
  const added = (edits.addServices ?? []).map(({ service, role }): ScenarioFramework => {
    if (ids.has(service.name)) throw new Error(`a framework "${service.name}" is already in the scenario`);
    ids.add(service.name);
    return {
      id: service.name,
      name: service.name,
      role: role ?? `${service.name}-role`,
      kind: 'stateful',
      options: { service, flavor: 'generic' },
      tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
      maxTasksPerOffer: 1,
      refuseSeconds: 5,
      capabilities: [],
      partitionAware: false,
      relaunch: false,
      startAtMs: atMs,
    };
  });
  return { ...scenario, frameworks: [...scenario.frameworks, ...added], faults: [...scenario.faults, ...faults] };
}

function knownAgent(agentIds: ReadonlySet<string>, agent: string): string {
  if (!agentIds.has(agent)) throw new Error(`no agent "${agent}" in the scenario`);
  return agent;
}

/** The edits in words, for the report. */
export function describeWhatIf(edits: WhatIfEdits): string[] {
  const at = `at ${edits.atMs ?? DEFAULT_WHAT_IF_AT_MS} ms`;
  const lines: string[] = [];
  if (edits.drain?.length) lines.push(`drain ${edits.drain.join(', ')} ${at}`);
  if (edits.remove?.length) lines.push(`lose ${edits.remove.join(', ')} for good ${at}`);
  for (const { service } of edits.addServices ?? []) lines.push(`deploy service ${service.name} ${at}`);
  for (const { role, limit } of edits.quotaLimits ?? [])
    lines.push(
      `quota limit of ${role}: ${Object.entries(limit)
        .map(([name, amount]) => `${name} ${amount}`)
        .join(', ')} ${at}`,
    );
  return lines;
}

/** The N agents running the most tasks at time 0 (ties by id): the machines whose loss hurts most. */
export function busiestAgents(scenario: Scenario, count: number): string[] {
  return [...scenario.agents]
    .sort((a, b) => (b.tasks?.length ?? 0) - (a.tasks?.length ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, count)
    .map((agent) => agent.id);
}

type LiveTasks = Map<string, Map<string, string>>;

function liveTasks(simulation: Simulation): LiveTasks {
  const out: LiveTasks = new Map();
  for (const [id, framework] of simulation.master.frameworks) {
    const tasks = new Map<string, string>();
    for (const task of framework.tasks.values()) if (!isTerminal(task.state)) tasks.set(task.id, task.agentId);
    out.set(id, tasks);
  }
  return out;
}

function run(scenario: Scenario, atMs: number, untilMs: number | undefined, seed: number | undefined) {
  const simulation = new Simulation(scenario, { invariants: 'tick', decisionCycles: 1, ...(seed !== undefined ? { seed } : {}) });
  simulation.runUntil(Math.max(0, atMs - 1));
  const before = liveTasks(simulation);
  simulation.runUntil(untilMs ?? scenario.durationMs);
  return { simulation, before, after: liveTasks(simulation), report: buildReport(simulation) };
}

export function runWhatIf(scenario: Scenario, edits: WhatIfEdits, options: { untilMs?: number; seed?: number } = {}): WhatIfOutcome {
  const atMs = edits.atMs ?? DEFAULT_WHAT_IF_AT_MS;
  const unchanged = run(scenario, atMs, options.untilMs, options.seed);
  const editedScenario = applyWhatIf(scenario, edits);
  const edited = run(editedScenario, atMs, options.untilMs, options.seed);
  const original = new Set(scenario.frameworks.map((spec) => spec.id));
  const frameworks = editedScenario.frameworks.map((spec): WhatIfFramework => {
    const before = edited.before.get(spec.id) ?? new Map<string, string>();
    const after = edited.after.get(spec.id) ?? new Map<string, string>();
    const ended = [...before].filter(([taskId]) => !after.has(taskId));
    const fresh = [...after].filter(([taskId]) => !before.has(taskId));
    const movedTo: Record<string, number> = {};
    for (const [, agentId] of fresh.slice(0, ended.length)) movedTo[agentId] = (movedTo[agentId] ?? 0) + 1;
    const stuck = (edited.simulation.frameworks.get(spec.id)?.pendingTasks ?? 0) + recoveryPending(edited.simulation, spec.id);
    const moved = ended.slice(0, fresh.length).map(([taskId, fromAgent]) => ({ taskId, fromAgent }));
    const share = (report: SimulationReport) => report.frameworks.find((f) => f.id === spec.id)?.dominantShare ?? 0;
    return {
      id: spec.id,
      runningBefore: before.size,
      runningUnchanged: unchanged.after.get(spec.id)?.size ?? 0,
      runningWhatIf: after.size,
      moved,
      movedTo,
      stuck,
      stuckReasons: stuck > 0 ? stuckReasons(edited.simulation, spec.id) : {},
      lost: Math.max(0, ended.length - moved.length - stuck),
      dominantShareUnchanged: share(unchanged.report),
      dominantShareWhatIf: share(edited.report),
      ...(original.has(spec.id) ? existingService(edited.report, spec.id) : { added: addedService(edited.report, spec.id) }),
    };
  });
  return { atMs, edits: describeWhatIf(edits), frameworks, unchanged: unchanged.report, whatIf: edited.report };
}

function addedService(report: SimulationReport, frameworkId: string): NonNullable<WhatIfFramework['added']> {
  const plans = report.plans.filter((plan) => plan.framework === frameworkId);
  const waiting = plans
    .filter((plan) => plan.kind === 'deploy')
    .flatMap((plan) => plan.phases.flatMap((phase) => phase.steps))
    .filter((step) => step.status !== 'COMPLETE')
    .map((step) => ({ step: step.name, reasons: step.reasons }));
  return { plans: plans.map((plan) => `${plan.name} ${plan.status}`), waiting };
}

function existingService(report: SimulationReport, frameworkId: string): Pick<WhatIfFramework, 'service'> {
  const plans = report.plans.filter((plan) => plan.framework === frameworkId);
  if (plans.length === 0) return {};
  const recovery = plans
    .filter((plan) => plan.kind === 'recovery')
    .flatMap((plan) => plan.phases.flatMap((phase) => phase.steps))
    .map((step) => ({ step: step.name, status: step.status, reasons: step.status === 'COMPLETE' ? [] : step.reasons }));
  return { service: { plans: plans.map((plan) => `${plan.name} ${plan.status}`), recovery } };
}

/** Tasks an SDK service's unfinished recovery steps have still to place (its model counts no pending tasks). */
function recoveryPending(simulation: Simulation, frameworkId: string): number {
  const model = simulation.frameworks.get(frameworkId) as { plan?: (name: string) => Plan | undefined } | undefined;
  const steps = model?.plan?.('recovery')?.phases.flatMap((phase) => phase.steps) ?? [];
  return steps.filter((step) => step.status !== 'COMPLETE').reduce((sum, step) => sum + step.tasks.length, 0);
}

/** Why a framework got nothing, agent by agent, counted by reason. */
function stuckReasons(simulation: Simulation, frameworkId: string): Record<string, number> {
  const { master } = simulation;
  const reasons: Record<string, number> = {};
  const count = (reason: string) => (reasons[reason] = (reasons[reason] ?? 0) + 1);
  if (master.goneAgents.size > 0) reasons['agent gone'] = master.goneAgents.size;
  for (const [agentId, agent] of master.agents) {
    if (agent.connection !== 'active') {
      count(`agent ${agent.connection}`);
      continue;
    }
    const explanation = explainAllocation(master, frameworkId, agentId);
    count(explanation.outcome === 'no_record' ? 'not considered' : explanation.outcome.replaceAll('_', ' '));
  }
  return reasons;
}
