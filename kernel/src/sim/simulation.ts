/**
 * The discrete-event simulator: it hosts a Master, simulated agents and
 * framework models, interprets the master's effects, and injects the
 * scenario's faults. Time is simulated; the seed drives every random choice,
 * so one scenario and one seed always give the same events.
 */
import type { Effect } from '../master/effects.js';
import type { Command } from '../master/commands.js';
import type { KernelEvent } from '../master/events.js';
import { Master } from '../master/master.js';
import { createPrng } from '../prng.js';
import { checkInvariants } from '../testing/invariants.js';
import { BatchFramework } from './batchFramework.js';
import type { FrameworkModel, SimulationContext, FrameworkCall } from './frameworkModel.js';
import { EventQueue } from './eventQueue.js';
import type { Scenario, ScenarioAgent, ScenarioFault } from './scenario.js';
import { SimulatedAgent } from './simulatedAgent.js';

export interface SimulationOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Every kernel event, in order (for traces and the playground). */
  onEvent?: (event: KernelEvent) => void;
  /** Keep allocation decisions of this many recent cycles for `explain`. */
  decisionCycles?: number;
  /** When to run the invariant checkers: after every master step, after every tick, or never. */
  invariants?: 'step' | 'tick' | 'off';
}

export interface InvariantViolation {
  atMs: number;
  invariant: string;
  message: string;
}

const VIOLATIONS_KEPT_MAX = 100;

export class Simulation {
  readonly scenario: Scenario;
  readonly seed: number;
  readonly master: Master;
  readonly agents = new Map<string, SimulatedAgent>();
  readonly frameworks = new Map<string, FrameworkModel>();
  readonly violations: InvariantViolation[] = [];
  readonly #queue = new EventQueue();
  readonly #options: SimulationOptions;
  readonly #agentSpecs = new Map<string, ScenarioAgent>();
  #nowMs = 0;
  readonly #context: SimulationContext;

  constructor(scenario: Scenario, options: SimulationOptions = {}) {
    this.scenario = scenario;
    this.seed = options.seed ?? scenario.seed;
    this.#options = options;
    this.master = new Master({
      prng: createPrng(this.seed),
      resourceNames: scenarioResourceNames(scenario),
      allocationIntervalMs: scenario.allocationIntervalMs,
      roleSorter: scenario.allocator.roleSorter,
      frameworkSorter: scenario.allocator.frameworkSorter,
      fairSharingExcludedResourceNames: scenario.allocator.fairSharingExcludedResourceNames,
      minAllocatable: scenario.allocator.minAllocatable,
      offerTimeoutMs: scenario.allocator.offerTimeoutMs,
      decisionCycles: options.decisionCycles ?? 0,
    });
    const simulation = this;
    this.#context = {
      get nowMs() {
        return simulation.#nowMs;
      },
      layout: this.master.layout,
      send: (call: FrameworkCall) => this.#schedule(this.#nowMs, () => this.command({ ...call, nowMs: this.#nowMs } as Command)),
    };
    this.#setUp();
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Sends one command to the master now and carries out what it asks for. */
  command(command: Command): void {
    const result = this.master.step(command);
    for (const event of result.events) this.#options.onEvent?.(event);
    for (const effect of result.effects) this.#deliver(effect);
    if (this.#options.invariants === 'step' || (command.type === 'tick' && this.#options.invariants !== 'off')) this.#check();
  }

  /** Runs until simulated time `untilMs` (inclusive); returns the time reached. */
  runUntil(untilMs: number, onProgress?: (nowMs: number) => void): number {
    for (;;) {
      const nextMs = Math.min(this.#queue.peekMs(), this.master.nextWakeMs());
      if (nextMs > untilMs) break;
      if (nextMs > this.#nowMs) onProgress?.(nextMs);
      this.#nowMs = Math.max(this.#nowMs, nextMs);
      if (this.#queue.peekMs() <= this.#nowMs) this.#queue.pop()!.run();
      else this.command({ type: 'tick', nowMs: this.#nowMs });
    }
    this.#nowMs = Math.max(this.#nowMs, untilMs);
    return this.#nowMs;
  }

  #schedule(atMs: number, run: () => void): void {
    this.#queue.push(atMs, run);
  }

  #setUp(): void {
    const { scenario } = this;
    for (const role of scenario.roles) {
      this.#schedule(0, () => this.command({ type: 'role.update', nowMs: 0, role: role.name, weight: role.weight, ...(role.quota ? { quota: role.quota } : {}) }));
    }
    for (const spec of scenario.frameworks) {
      const model = new BatchFramework(spec);
      this.frameworks.set(spec.id, model);
      this.#schedule(spec.startAtMs, () => model.subscribe(this.#context));
    }
    for (const agent of scenario.agents) this.#schedule(0, () => this.#addAgent(agent));
    for (const fault of scenario.faults) this.#schedule(fault.atMs, () => this.inject(fault));
  }

  #addAgent(spec: ScenarioAgent): void {
    this.#agentSpecs.set(spec.id, spec);
    let agent = this.agents.get(spec.id);
    if (!agent) {
      agent = new SimulatedAgent(spec.id, {
        schedule: (atMs, run) => this.#schedule(atMs, run),
        report: (agentId, frameworkId, taskId, state, message) =>
          this.#schedule(this.#nowMs, () => this.command({ type: 'task.status', nowMs: this.#nowMs, agentId, frameworkId, taskId, state, ...(message ? { message } : {}) })),
      });
      this.agents.set(spec.id, agent);
    }
    agent.restart();
    this.command({ type: 'agent.add', nowMs: this.#nowMs, agent: { ...spec } });
  }

  #deliver(effect: Effect): void {
    switch (effect.type) {
      case 'framework.offers':
        this.#schedule(this.#nowMs, () => this.frameworks.get(effect.frameworkId)?.onOffers(effect.offers, this.#context));
        return;
      case 'framework.rescind':
        this.#schedule(this.#nowMs, () => this.frameworks.get(effect.frameworkId)?.onRescind(effect.offerId, this.#context));
        return;
      case 'framework.update':
        this.#schedule(this.#nowMs, () => this.frameworks.get(effect.frameworkId)?.onUpdate(effect.status, this.#context));
        return;
      case 'agent.launch':
        this.#schedule(this.#nowMs, () => this.agents.get(effect.agentId)?.launch(effect.task, this.#nowMs));
        return;
      case 'agent.kill':
        this.#schedule(this.#nowMs, () => this.agents.get(effect.agentId)?.kill(effect.frameworkId, effect.taskId));
        return;
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Injects a fault now (the playground's click-to-break); scheduled faults come through here too. */
  inject(fault: ScenarioFault): void {
    switch (fault.type) {
      case 'agent.crash': {
        this.agents.get(fault.agent)?.crash();
        // Until agent health checking is modelled, the master learns of the crash at once.
        if (this.master.agents.has(fault.agent)) this.command({ type: 'agent.remove', nowMs: this.#nowMs, agentId: fault.agent });
        return;
      }
      case 'agent.restart': {
        const spec = this.#agentSpecs.get(fault.agent);
        if (spec && !this.master.agents.has(fault.agent)) this.#addAgent(spec);
        return;
      }
      case 'agent.add':
        this.#addAgent(fault.agent);
        return;
      case 'task.fail':
        this.#failTask(fault.framework, fault.task);
        return;
      case 'framework.revive':
      case 'framework.suppress':
        this.command({ type: fault.type, nowMs: this.#nowMs, frameworkId: fault.framework, ...(fault.roles ? { roles: fault.roles } : {}) });
        return;
      case 'role.update':
        this.command({ type: 'role.update', nowMs: this.#nowMs, role: fault.role, ...(fault.weight !== undefined ? { weight: fault.weight } : {}), ...(fault.quota ? { quota: fault.quota } : {}) });
        return;
      case 'network.partition':
      case 'network.heal':
      case 'master.failover':
        throw new Error(`fault "${fault.type}" is not simulated yet: it arrives with agent partitions and master failover`);
      default: {
        const unknown: never = fault;
        throw new Error(`unknown fault ${JSON.stringify(unknown)}`);
      }
    }
  }

  #failTask(frameworkId: string, taskId: string | undefined): void {
    const framework = this.master.frameworks.get(frameworkId);
    if (!framework) return;
    const candidates = [...framework.tasks.values()].filter((task) => task.state === 'TASK_RUNNING' && (taskId === undefined || task.id === taskId));
    const task = candidates[0];
    if (task) this.agents.get(task.agentId)?.fail(task.id, 'injected failure');
  }

  #check(): void {
    if (this.violations.length >= VIOLATIONS_KEPT_MAX) return;
    for (const violation of checkInvariants(this.master)) this.violations.push({ atMs: this.#nowMs, ...violation });
  }
}

/** Every scalar name the scenario uses, so the master's layout has a slot for each. */
export function scenarioResourceNames(scenario: Scenario): string[] {
  const names = new Set<string>();
  const addAll = (quantities: Record<string, number> | undefined): void => {
    for (const name of Object.keys(quantities ?? {})) names.add(name);
  };
  const addAgent = (agent: ScenarioAgent): void => {
    addAll(agent.resources);
    for (const reservation of agent.reservations) addAll(reservation.resources);
  };
  scenario.agents.forEach(addAgent);
  for (const fault of scenario.faults) if (fault.type === 'agent.add') addAgent(fault.agent);
  for (const framework of scenario.frameworks) addAll(framework.tasks.resources);
  for (const role of scenario.roles) {
    addAll(role.quota?.guarantee);
    addAll(role.quota?.limit);
  }
  return [...names];
}
