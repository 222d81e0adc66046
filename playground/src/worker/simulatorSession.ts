/**
 * One simulation as the playground drives it: load a scenario, advance, step,
 * inject faults at the current time, and seek to any moment. Going back in
 * time rebuilds the run from the start and replays the scenario with the same
 * seed and the same injected faults at the same times: the kernel is
 * deterministic, so the state reached is identical (checked by its digest).
 * Pure TypeScript with no DOM: the worker wraps it, and Node tests drive it.
 */
import type { Master, ScenarioFault, Scenario, SimulationReport, KernelEvent } from '@allot/kernel';
import { Simulation, buildReport, explainAllocation, parseScenario, traceRecord } from '@allot/kernel';
import type { AgentDetail, ExplainResult, Frame, LoadRequest, LoadResult, TaskDetail, TaskSummary, VersionedSection } from './frame.js';
import { AGENT_DOWN, AGENT_PARTITIONED, AGENT_REREGISTERING, AGENT_UP } from './frame.js';
import type { AgentCatalog } from './agentSnapshot.js';
import { agentBulkBytes, buildAgentBulk } from './agentSnapshot.js';
import { masterDigest } from './digest.js';
import { describeScalars } from './eventText.js';
import { RunObserver, totalScalars } from './runObserver.js';
import { allocatorAllocations } from './allocatedShares.js';
import { explainAnswer } from './explainAnswer.js';
import type { MatrixAnswer, MatrixQuery } from './explainMatrixAnswer.js';
import { explainMatrixAnswer } from './explainMatrixAnswer.js';
import { decisionCycles, safeInject, uniqueRoleNames } from './sessionSetup.js';
import { chartSample, clusterFrame, controlsNow, detailsNow, frameworkFrames, plansNow, roleFrames, runCounters } from './frameSections.js';

/** What the UI already holds, so a frame carries only what is new to it. */
export interface ViewState {
  epoch: number;
  agentsVersion: number;
  samples: number;
  eventSeq: number;
  /** The versions of the sections the view holds (absent: none). */
  versions?: Partial<Record<VersionedSection, number>>;
}

export const EMPTY_VIEW: ViewState = { epoch: -1, agentsVersion: -1, samples: 0, eventSeq: 0 };

const EVENTS_PER_FRAME_MAX = 80;
const TRACE_LINES_MAX = 200_000;
/** Invariant checks cost per agent; big clusters skip them. */
const SMALL_CLUSTER_AGENTS = 1000;
export type InjectableFault = ScenarioFault extends infer F ? (F extends { atMs: number } ? Omit<F, 'atMs'> : never) : never;

export class SimulatorSession {
  #scenario: Scenario | null = null;
  #seed = 1;
  #faults: ScenarioFault[] = [];
  #faultCursor = 0;
  #sim: Simulation | null = null;
  #observer: RunObserver | null = null;
  #epoch = 0;
  #catalog: AgentCatalog = { ids: [], index: new Map(), version: 0 };
  #partitioned = new Set<string>();
  #roleNames: string[] = [];
  #notice: string | null = null;
  /** The last JSON of the plans and details sent, and versions that bump when it changes. */
  #sectionText = new Map<VersionedSection, string>();
  #sectionVersion = new Map<VersionedSection, number>();

  get simulation(): Simulation {
    if (!this.#sim) throw new Error('no scenario loaded');
    return this.#sim;
  }

  get faults(): readonly ScenarioFault[] {
    return this.#faults;
  }

  load(request: LoadRequest, requestId: number, view: ViewState): LoadResult {
    const parsed = parseScenario(request.scenario);
    if (!parsed.ok) return { ok: false, errors: parsed.errors };
    this.#scenario = parsed.scenario;
    this.#seed = request.seed ?? parsed.scenario.seed;
    this.#faults = (request.faults ?? []).map((fault) => ({ ...fault })).sort((a, b) => a.atMs - b.atMs);
    this.#rebuild();
    // Time 0 itself is run (agents register, frameworks subscribe), so a fresh load equals a seek to 0.
    this.#runTo(request.untilMs ?? 0);
    return { ok: true, frame: this.frame(requestId, view) };
  }

  /** Runs to `untilMs` (at most the scenario's duration). */
  advance(untilMs: number, requestId: number, view: ViewState): Frame {
    // Whole milliseconds: a shared link carries the time as an integer.
    this.#runTo(Math.min(Math.round(untilMs), this.#scenario!.durationMs));
    // The digest walks every task ever launched: big clusters skip it while playing (a pause refreshes it).
    return this.frame(requestId, view, this.#catalog.ids.length <= SMALL_CLUSTER_AGENTS);
  }

  /** One allocation interval forward. */
  step(requestId: number, view: ViewState): Frame {
    const interval = this.#scenario!.allocationIntervalMs;
    return this.advance((Math.floor(this.simulation.nowMs / interval) + 1) * interval, requestId, view);
  }

  seek(atMs: number, requestId: number, view: ViewState): Frame {
    const target = Math.max(0, Math.min(Math.round(atMs), this.#scenario!.durationMs));
    if (target < this.simulation.nowMs) this.#rebuild();
    this.#runTo(target);
    return this.frame(requestId, view);
  }

  /**
   * Injects a fault now. Faults recorded after now (we are in the past) are
   * dropped: the future diverges. What the fault sets off at this very
   * instant runs before anything else happens, as it does when the fault is
   * replayed (a replay runs up to each fault's time before applying it), so
   * two faults injected at the same moment replay exactly as they were applied.
   */
  inject(fault: InjectableFault, requestId: number, view: ViewState): Frame {
    const sim = this.simulation;
    const timed = { ...fault, atMs: sim.nowMs } as ScenarioFault;
    this.#faults = this.#faults.slice(0, this.#faultCursor);
    if (this.#apply(timed)) {
      this.#faults.push(timed);
      this.#faultCursor = this.#faults.length;
    }
    this.#runTo(sim.nowMs);
    return this.frame(requestId, view);
  }

  frame(requestId: number, view: ViewState, withDigest = true): Frame {
    const sim = this.simulation;
    const master = sim.master;
    const observer = this.#observer!;
    observer.syncMaster();
    this.#refreshCatalog();
    const sameEpoch = view.epoch === this.#epoch;
    const samplesFrom = sameEpoch ? Math.min(view.samples, observer.samples.length) : 0;
    const agents = buildAgentBulk(
      master,
      this.#catalog,
      this.#roleNames,
      observer.live,
      !sameEpoch || view.agentsVersion !== this.#catalog.version,
      (id) => this.#agentStatus(id),
    );
    const held = allocatorAllocations(master, this.#roleNames);
    const plans = plansNow(sim);
    const details = detailsNow(sim);
    const versions: Frame['versions'] = {
      offerCycles: observer.cyclesVersion,
      plans: this.#versionOf('plans', plans),
      details: this.#versionOf('details', details),
      controls: sim.controlResults.length,
    };
    const unchanged = sameEpoch
      ? (Object.keys(versions) as VersionedSection[]).filter((section) => view.versions?.[section] === versions[section])
      : [];
    const send = (section: VersionedSection) => !unchanged.includes(section);
    const frame: Frame = {
      requestId,
      epoch: this.#epoch,
      nowMs: sim.nowMs,
      durationMs: this.#scenario!.durationMs,
      allocationIntervalMs: this.#scenario!.allocationIntervalMs,
      scenarioName: this.#scenario!.name,
      seed: this.#seed,
      digest: withDigest ? masterDigest(master, sim.nowMs) : '(playing)',
      roles: roleFrames(master, this.#roleNames, held.byRole),
      frameworks: frameworkFrames(sim, observer, held.byFramework),
      taskStates: { ...observer.stateCounts },
      transitions: { ...observer.transitions },
      counters: runCounters(sim),
      cluster: clusterFrame(sim, this.#partitionedNow),
      agents,
      events: observer.eventsAfter(sameEpoch ? view.eventSeq : 0, master.layout, EVENTS_PER_FRAME_MAX),
      eventsTotal: observer.eventsTotal,
      offerCycles: send('offerCycles')
        ? observer.cycles.map((cycle) => ({ ...cycle, offers: cycle.offers.map((offer) => ({ ...offer })) }))
        : [],
      samples: observer.samples.slice(samplesFrom),
      samplesFrom,
      faults: this.#faults.map((fault) => ({ ...fault })),
      faultsApplied: this.#faultCursor,
      plans: send('plans') ? plans : [],
      details: send('details') ? details : {},
      controls: send('controls') ? controlsNow(sim) : [],
      versions,
      unchanged,
      violations: sim.violations.slice(0, 10).map((v) => `${v.atMs} ms ${v.invariant}: ${v.message}`),
      notice: this.#notice,
      bytes: 0,
    };
    this.#notice = null;
    frame.bytes = agentBulkBytes(agents) + JSON.stringify({ ...frame, agents: null }).length;
    return frame;
  }

  explain(frameworkId: string, agentId: string): ExplainResult {
    const master = this.simulation.master;
    return explainAnswer(explainAllocation(master, frameworkId, agentId), {
      master,
      cycleBase: this.#observer!.cycleBase,
      agentStatus: this.#agentStatusName(agentId),
      intervalMs: this.#scenario!.allocationIntervalMs,
    });
  }

  /** The framework × agent matrix of the latest cycle: counts per framework, one framework's agents with every reason. */
  explainMatrix(query: MatrixQuery): MatrixAnswer {
    return explainMatrixAnswer(this.simulation.master, query);
  }

  agentDetail(agentId: string): AgentDetail | null {
    const sim = this.simulation;
    const master = sim.master;
    const agent = master.agents.get(agentId);
    const simulated = sim.agents.get(agentId);
    if (!agent && !simulated) return null;
    const layout = master.layout;
    const tasks: TaskSummary[] = [];
    for (const byId of this.#observer!.live.values())
      for (const task of byId.values())
        if (task.agentId === agentId) tasks.push({ id: task.id, frameworkId: task.frameworkId, agentId, state: task.state });
    const status = this.#agentStatusName(agentId);
    return {
      id: agentId,
      hostname: agent?.hostname ?? agentId,
      status,
      hostUp: simulated?.up ?? false,
      partitioned: this.#partitionedNow.has(agentId),
      total: agent ? describeScalars(totalScalars(agent.total), layout) : 'not registered',
      free: agent ? describeScalars(totalScalars(agent.free), layout) : '—',
      reservations: agent
        ? agent.total.reserved.map(
            (part) =>
              `${part.role}: ${describeScalars(part.scalars, layout)}${(part as { volume?: { persistenceId?: string } }).volume ? ` (volume ${(part as { volume: { persistenceId?: string } }).volume.persistenceId ?? ''})` : ''}`,
          )
        : [],
      attributes: agent ? { ...agent.attributes } : {},
      tasks: tasks.slice(0, 200),
      offers: agent ? master.offers.ofAgent(agentId).map((offer) => `${offer.id} → ${offer.frameworkId}`) : [],
    };
  }

  taskDetail(frameworkId: string, taskId: string): TaskDetail | null {
    const master = this.simulation.master;
    const task = master.frameworks.get(frameworkId)?.tasks.get(taskId);
    if (!task) return null;
    return {
      id: task.id,
      frameworkId,
      role: task.role,
      agentId: task.agentId,
      state: task.state,
      resources: describeScalars(totalScalars(task.resources), master.layout),
      history: task.history.map((entry) => ({ state: entry.state, atMs: entry.atMs, ...(entry.reason ? { reason: entry.reason } : {}) })),
    };
  }

  /** Tasks of a framework (newest first), optionally in one state. */
  listTasks(query: { frameworkId?: string; state?: string; limit?: number }): TaskSummary[] {
    const out: TaskSummary[] = [];
    const limit = query.limit ?? 100;
    for (const framework of this.simulation.master.frameworks.values()) {
      if (query.frameworkId && framework.id !== query.frameworkId) continue;
      const tasks = [...framework.tasks.values()];
      for (let i = tasks.length - 1; i >= 0 && out.length < limit; i--) {
        const task = tasks[i];
        if (!query.state || task.state === query.state)
          out.push({ id: task.id, frameworkId: framework.id, agentId: task.agentId, state: task.state });
      }
    }
    return out;
  }

  report(): SimulationReport {
    return buildReport(this.simulation);
  }

  /** The whole run so far as NDJSON trace records, replayed in a separate simulation. */
  trace(): string {
    const lines: string[] = [];
    const replay = this.#newSimulation((event, layout) => {
      if (lines.length < TRACE_LINES_MAX) lines.push(JSON.stringify(traceRecord(event, layout)));
    });
    const now = this.simulation.nowMs;
    for (const fault of this.#faults.slice(0, this.#faultCursor)) {
      replay.runUntil(fault.atMs);
      safeInject(replay, fault);
    }
    replay.runUntil(now);
    return lines.join('\n') + (lines.length ? '\n' : '');
  }

  // ---------------------------------------------------------------------------

  #newSimulation(onEvent: (event: KernelEvent, layout: Master['layout']) => void): Simulation {
    const scenario = this.#scenario!;
    const small = scenario.agents.length <= SMALL_CLUSTER_AGENTS;
    let layout: Master['layout'] | null = null;
    const simulation: Simulation = new Simulation(scenario, {
      seed: this.#seed,
      decisionCycles: decisionCycles(scenario),
      invariants: small ? 'tick' : 'off',
      onEvent: (event) => onEvent(event, (layout ??= simulation.master.layout)),
    });
    return simulation;
  }

  #rebuild(): void {
    const scenario = this.#scenario!;
    let observer: RunObserver | null = null;
    const simulation = this.#newSimulation((event) => observer?.onEvent(event));
    observer = new RunObserver(
      () => simulation.master,
      scenario.frameworks,
      (atMs) => chartSample(this.simulation, this.#roleNames, this.#observer, atMs),
    );
    this.#sim = simulation;
    this.#observer = observer;
    this.#faultCursor = 0;
    this.#partitioned = new Set();
    this.#epoch++;
    this.#catalog = { ids: [], index: new Map(), version: this.#catalog.version + 1 };
    this.#roleNames = uniqueRoleNames(scenario);
    this.#sectionText.clear();
  }

  #runTo(untilMs: number): void {
    const sim = this.simulation;
    try {
      while (this.#faultCursor < this.#faults.length && this.#faults[this.#faultCursor].atMs <= untilMs) {
        const fault = this.#faults[this.#faultCursor];
        this.#runUntil(fault.atMs);
        this.#apply(fault);
        this.#faultCursor++;
      }
      this.#runUntil(untilMs);
    } catch (error) {
      this.#notice = `the simulation stopped at ${sim.nowMs} ms: ${(error as Error).message}`;
    }
  }

  /** Runs the simulation; a share sample is taken once the instant of its cycle has settled (offers answered). */
  #runUntil(untilMs: number): void {
    const observer = this.#observer!;
    this.simulation.runUntil(untilMs, () => observer.flushSample());
    observer.flushSample();
  }

  /** Applies one fault now; false (with a notice) when the kernel cannot do it yet. */
  #apply(fault: ScenarioFault): boolean {
    const problem = safeInject(this.simulation, fault);
    if (problem !== null) {
      this.#notice = problem;
      return false;
    }
    return true;
  }

  /** Agents cut off by a network partition, as the simulation tracks them. */
  get #partitionedNow(): ReadonlySet<string> {
    return (this.simulation as unknown as { partitioned?: ReadonlySet<string> }).partitioned ?? this.#partitioned;
  }

  /** The agent as the map draws it: its host down, cut off, registered, or known to a new master that has not heard from it yet. */
  #agentStatus(agentId: string): number {
    const sim = this.simulation;
    if (sim.agents.get(agentId)?.up === false) return AGENT_DOWN;
    if (this.#partitionedNow.has(agentId)) return AGENT_PARTITIONED;
    if (sim.master.agents.has(agentId)) return AGENT_UP;
    if (sim.master.recoveredAgents.has(agentId)) return AGENT_REREGISTERING;
    return AGENT_DOWN;
  }

  #agentStatusName(agentId: string): AgentDetail['status'] {
    return AGENT_STATUS_NAMES[this.#agentStatus(agentId)];
  }

  #refreshCatalog(): void {
    const sim = this.simulation;
    if (sim.agents.size === this.#catalog.ids.length) return;
    const ids = [...sim.agents.keys()];
    this.#catalog = { ids, index: new Map(ids.map((id, i) => [id, i])), version: this.#catalog.version + 1 };
  }

  /** A section's version: the same number for as long as its content (as JSON) stays the same. */
  #versionOf(section: VersionedSection, value: unknown): number {
    const text = JSON.stringify(value);
    const version = this.#sectionVersion.get(section) ?? 0;
    if (this.#sectionText.get(section) === text) return version;
    this.#sectionText.set(section, text);
    this.#sectionVersion.set(section, version + 1);
    return version + 1;
  }
}

export { AGENT_PARTITIONED };

const AGENT_STATUS_NAMES: Record<number, AgentDetail['status']> = {
  [AGENT_UP]: 'up',
  [AGENT_DOWN]: 'down',
  [AGENT_PARTITIONED]: 'partitioned',
  [AGENT_REREGISTERING]: 'reregistering',
};
