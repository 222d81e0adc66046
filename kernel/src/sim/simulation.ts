/**
 * The discrete-event simulator: it hosts a Master, simulated agents and
 * framework models, carries messages between them over a simulated network
 * (which partitions can cut), interprets the master's effects and injects the
 * scenario's faults, master failover included. Time is simulated; the seed
 * drives every random choice, so one scenario and one seed always give the
 * same events.
 */
import type { Command } from '../master/commands.js';
import type { Effect } from '../master/effects.js';
import type { MasterCounters, MasterOptions } from '../master/master.js';
import { Master, StepOutput } from '../master/master.js';
import { restoreMaster, snapshotMaster } from '../master/snapshot.js';
import type { Prng } from '../prng.js';
import { createPrng } from '../prng.js';
import type { StatusUpdate } from '../tasks/statusUpdateManager.js';
import type { Task, TaskStatus } from '../tasks/task.js';
import { checkInvariants } from '../testing/invariants.js';
import { checkLifecycleInvariants } from '../testing/lifecycleInvariants.js';
import { frameworkKind } from '../frameworks/index.js';
import { EventQueue } from './eventQueue.js';
import type { FrameworkCall, FrameworkModel, SchedulerContext } from '../schedulers/frameworkModel.js';
import type { Scenario, ScenarioAgent, ScenarioFault } from './scenario.js';
import { type InvariantViolation, type SimulationOptions, simulationMasterOptions } from './simulationOptions.js';
import { type ControlRecord, type FaultTarget, injectFault } from './faultInjection.js';
import type { AgentEffect } from './simulatedAgent.js';
import { SimulatedAgent } from './simulatedAgent.js';
import { agentRunningTasks } from './agentTasks.js';
import { lostUpdates } from './lostUpdates.js';

export type { InvariantViolation, SimulationOptions } from './simulationOptions.js';

const VIOLATIONS_KEPT_MAX = 100;
/** Missed pings before the master notices a partitioned agent (Mesos pings every 15 s). */
const PING_INTERVAL_MS = 15_000;
/** How long after a failover agents and frameworks find the new leader. */
const REREGISTER_DELAY_MS = 1_000;
/** An update unacknowledged this long while its agent and framework are reachable is lost. */
const UPDATE_DELIVERY_BOUND_MS = 15 * 60_000;

export class Simulation {
  readonly scenario: Scenario;
  readonly seed: number;
  master: Master;
  readonly agents = new Map<string, SimulatedAgent>();
  readonly frameworks = new Map<string, FrameworkModel>();
  readonly violations: InvariantViolation[] = [];
  /** Agents cut off from the master. */
  readonly partitioned = new Set<string>();
  failovers = 0;
  /** What each plan or pod control answered (a no-op says "already done"). */
  readonly controlResults: ControlRecord[] = [];
  /** Counters of masters that failed over, so totals cover the whole run. */
  readonly retiredCounters: MasterCounters = {
    allocationCycles: 0,
    offersMade: 0,
    offersDeclined: 0,
    offersAccepted: 0,
    offersRescinded: 0,
    tasksLaunched: 0,
  };
  readonly #queue = new EventQueue();
  readonly #output = new StepOutput();
  #commanding = false;
  readonly #options: SimulationOptions;
  readonly #masterOptions: MasterOptions;
  readonly #agentSpecs = new Map<string, ScenarioAgent>();
  /** Randomness of the world around the master (uuids, delays), apart from the master's own. */
  readonly #prng: Prng;
  #nowMs = 0;
  readonly #context: SchedulerContext;
  readonly #faultTarget: FaultTarget;

  constructor(scenario: Scenario, options: SimulationOptions = {}) {
    this.scenario = scenario;
    this.seed = options.seed ?? scenario.seed;
    this.#options = options;
    this.#prng = createPrng((this.seed ^ 0x5eed5eed) | 0);
    this.#masterOptions = simulationMasterOptions(scenario, this.seed, options.decisionCycles ?? 0, options.master);
    this.master = new Master(this.#masterOptions);
    const simulation = this;
    this.#context = {
      get nowMs() {
        return simulation.#nowMs;
      },
      get layout() {
        return simulation.master.layout;
      },
      // Calls are fresh objects from the models: stamping the time in place saves a copy per call.
      send: (call: FrameworkCall) => this.#queue.push(this.#nowMs, this.#sendCall, call),
      schedule: (atMs: number, run: () => void) => this.#schedule(Math.max(atMs, this.#nowMs), run),
    };
    this.#faultTarget = this.#lendToFaults();
    this.#setUp();
  }

  /** The narrow door through which faults act on this world. */
  #lendToFaults(): FaultTarget {
    const simulation = this;
    return {
      get nowMs() {
        return simulation.#nowMs;
      },
      get master() {
        return simulation.master;
      },
      agents: this.agents,
      frameworks: this.frameworks,
      controlResults: this.controlResults,
      prng: this.#prng,
      context: this.#context,
      command: (command) => this.command(command),
      schedule: (atMs, run) => this.#schedule(atMs, run),
      hostnameOf: (agentId) => this.#agentSpecs.get(agentId)?.hostname ?? agentId,
      startAgent: (spec) => this.#startAgent(spec),
      reviveAgent: (agentId) => {
        const agent = this.agents.get(agentId);
        if (agent && !agent.up) {
          agent.restart();
          this.#register(agent);
        }
      },
      crashAgent: (agentId) => this.#crashAgent(agentId),
      partition: (agentId) => this.#partition(agentId),
      heal: (agentId) => this.#heal(agentId),
      failover: () => this.#failover(),
    };
  }

  get nowMs(): number {
    return this.#nowMs;
  }

  /** Master steps taken so far (every command, ticks included). */
  steps = 0;

  /** Sends one command to the master now and carries out what it asks for. */
  command(command: Command): void {
    this.steps++;
    // One output for every step: the events and effects are read here and then dropped
    // (a command sent from inside an onEvent callback gets its own).
    const out = this.#commanding ? new StepOutput() : this.#output;
    out.clear();
    this.#commanding = true;
    try {
      this.master.stepInto(command, out);
      const onEvent = this.#options.onEvent;
      if (onEvent) for (const event of out.events) onEvent(event);
      for (const effect of out.effects) this.#deliver(effect);
    } finally {
      if (out === this.#output) this.#commanding = false;
    }
    if (this.#options.invariants === 'step' || (command.type === 'tick' && this.#options.invariants !== 'off')) this.#check();
  }

  /** Runs until simulated time `untilMs` (inclusive); returns the time reached. */
  runUntil(untilMs: number, onProgress?: (nowMs: number) => void): number {
    for (;;) {
      const nextMs = Math.min(this.#queue.peekMs(), this.master.nextWakeMs());
      if (nextMs > untilMs) break;
      if (nextMs > this.#nowMs) onProgress?.(nextMs);
      this.#nowMs = Math.max(this.#nowMs, nextMs);
      if (this.#queue.peekMs() <= this.#nowMs) this.#queue.runNext();
      else this.command({ type: 'tick', nowMs: this.#nowMs });
    }
    this.#nowMs = Math.max(this.#nowMs, untilMs);
    return this.#nowMs;
  }

  #schedule(atMs: number, run: () => void): void {
    this.#queue.push(atMs, run);
  }

  // Message deliveries: one handler per kind of message, the message as the argument (no closure per message).
  readonly #sendCall = (call: FrameworkCall): void => {
    (call as Command).nowMs = this.#nowMs;
    this.command(call as Command);
  };
  readonly #deliverToFramework = (
    effect: Extract<Effect, { type: 'framework.offers' | 'framework.rescind' | 'framework.update' }>,
  ): void => {
    const model = this.frameworks.get(effect.frameworkId);
    if (!model) return;
    if (effect.type === 'framework.offers') model.onOffers(effect.offers, this.#context);
    else if (effect.type === 'framework.rescind') model.onRescind(effect.offerId, this.#context);
    else model.onUpdate(effect.status, this.#context);
  };
  /** Effects for an agent cross the network: lost if the agent is down or cut off. */
  readonly #deliverToAgent = (effect: AgentEffect): void => {
    const agent = this.agents.get(effect.agentId);
    if (agent?.up && !this.partitioned.has(effect.agentId)) agent.receive(effect, this.#nowMs);
  };
  // Every task's launch and forwarded status wait as the task or status alone (no effect object in flight).
  readonly #launchOnAgent = (task: Task): void => {
    const agent = this.agents.get(task.agentId);
    if (agent?.up && !this.partitioned.has(task.agentId)) agent.launch(task, this.#nowMs);
  };
  readonly #updateFramework = (status: TaskStatus): void => this.frameworks.get(status.frameworkId)?.onUpdate(status, this.#context);
  readonly #deliverStatus = (update: StatusUpdate): void => {
    if (this.partitioned.has(update.agentId) || !this.agents.get(update.agentId)?.up) return;
    const command: Extract<Command, { type: 'task.status' }> = {
      type: 'task.status',
      nowMs: this.#nowMs,
      agentId: update.agentId,
      frameworkId: update.frameworkId,
      taskId: update.taskId,
      state: update.state,
      uuid: update.uuid,
    };
    if (update.reason) command.reason = update.reason;
    if (update.message) command.message = update.message;
    if (update.checkStatus) command.checkStatus = update.checkStatus;
    this.command(command);
  };

  #setUp(): void {
    const { scenario } = this;
    for (const role of scenario.roles) {
      this.#schedule(0, () =>
        this.command({ type: 'role.update', nowMs: 0, role: role.name, weight: role.weight, ...(role.quota ? { quota: role.quota } : {}) }),
      );
    }
    for (const spec of scenario.frameworks) {
      const model = frameworkKind(spec.kind)!.create(spec);
      this.frameworks.set(spec.id, model);
      this.#schedule(spec.startAtMs, () => model.subscribe(this.#context));
    }
    for (const agent of scenario.agents) {
      // An agent with running tasks (a fork) registers once their frameworks have subscribed, so that they own them.
      if (agent.tasks?.length) this.#schedule(0, () => this.#schedule(0, () => this.#startAgent(agent)));
      else this.#schedule(0, () => this.#startAgent(agent));
    }
    for (const fault of scenario.faults) this.#schedule(fault.atMs, () => this.inject(fault));
  }

  // Agents and the network ----------------------------------------------------

  #startAgent(spec: ScenarioAgent): void {
    this.#agentSpecs.set(spec.id, spec);
    let agent = this.agents.get(spec.id);
    if (!agent) {
      agent = new SimulatedAgent(spec.id, {
        schedule: (atMs, run) => this.#schedule(atMs, run),
        send: (update) => this.#sendUpdate(update),
        prng: this.#prng,
      });
      this.agents.set(spec.id, agent);
      if (spec.tasks?.length) {
        const frameworks = new Map(this.scenario.frameworks.map((framework) => [framework.id, framework]));
        agent.adopt(agentRunningTasks(spec, frameworks, this.master.layout), this.#nowMs);
      }
    }
    agent.restart();
    this.#register(agent);
  }

  /** (Re-)registration: the agent reports its checkpointed total and its running tasks. */
  #register(agent: SimulatedAgent): void {
    if (!agent.up || this.partitioned.has(agent.id)) return;
    const spec = this.#agentSpecs.get(agent.id)!;
    const known =
      this.master.agents.has(agent.id) || this.master.unreachableAgents.has(agent.id) || this.master.recoveredAgents.has(agent.id);
    const agentSpec = { ...spec, ...(agent.checkpointedTotal ? { checkpointedTotal: agent.checkpointedTotal } : {}) };
    if (known) this.command({ type: 'agent.reregister', nowMs: this.#nowMs, agent: agentSpec, tasks: agent.report() });
    else this.command({ type: 'agent.add', nowMs: this.#nowMs, agent: agentSpec, tasks: agent.report() });
    agent.resendPending(this.#nowMs);
  }

  #sendUpdate(update: StatusUpdate): void {
    if (this.partitioned.has(update.agentId)) return;
    this.#queue.push(this.#nowMs, this.#deliverStatus, update);
  }

  #deliver(effect: Effect): void {
    switch (effect.type) {
      case 'framework.update':
        if (effect.status.frameworkId === effect.frameworkId) this.#queue.push(this.#nowMs, this.#updateFramework, effect.status);
        else this.#queue.push(this.#nowMs, this.#deliverToFramework, effect);
        return;
      case 'agent.launch':
        if (effect.task.agentId === effect.agentId) this.#queue.push(this.#nowMs, this.#launchOnAgent, effect.task);
        else this.#queue.push(this.#nowMs, this.#deliverToAgent, effect);
        return;
      case 'framework.offers':
      case 'framework.rescind':
        this.#queue.push(this.#nowMs, this.#deliverToFramework, effect);
        return;
      case 'agent.kill':
      case 'agent.acknowledge':
      case 'agent.resources':
      case 'agent.shutdown':
        this.#queue.push(this.#nowMs, this.#deliverToAgent, effect);
        return;
      case 'framework.inverseOffers': {
        // Simulated frameworks cooperate: they accept at once (which drains the agent once all have).
        const inverseOfferIds = effect.inverseOffers.map((offer) => offer.id);
        this.#schedule(this.#nowMs, () =>
          this.command({ type: 'inverseOffer.accept', nowMs: this.#nowMs, frameworkId: effect.frameworkId, inverseOfferIds }),
        );
        return;
      }
      case 'framework.rescindInverseOffer':
      case 'framework.executorExited':
        return;
      default: {
        const unknown: never = effect;
        throw new Error(`unknown effect ${JSON.stringify(unknown)}`);
      }
    }
  }

  // Faults ----------------------------------------------------------------------

  /** Injects a fault now (the playground's click-to-break); scheduled faults come through here too. */
  inject(fault: ScenarioFault): void {
    injectFault(this.#faultTarget, fault);
  }

  #crashAgent(agentId: string): void {
    const agent = this.agents.get(agentId);
    if (!agent?.up) return;
    agent.crash();
    if (this.master.agents.has(agentId) && !this.partitioned.has(agentId))
      this.command({ type: 'agent.disconnect', nowMs: this.#nowMs, agentId });
  }

  /** Nothing crosses; the master notices at its next missed ping and disconnects the agent. */
  #partition(agentId: string): void {
    if (this.partitioned.has(agentId)) return;
    this.partitioned.add(agentId);
    this.#schedule(this.#nowMs + PING_INTERVAL_MS, () => {
      if (this.partitioned.has(agentId) && this.master.agents.has(agentId))
        this.command({ type: 'agent.disconnect', nowMs: this.#nowMs, agentId });
    });
  }

  #heal(agentId: string): void {
    if (!this.partitioned.delete(agentId)) return;
    const agent = this.agents.get(agentId);
    if (agent) this.#register(agent);
  }

  /**
   * The leading master dies and a new one takes over from the persisted
   * state; agents re-register and frameworks re-subscribe and reconcile.
   */
  #failover(): void {
    this.failovers++;
    for (const key of Object.keys(this.retiredCounters) as (keyof MasterCounters)[]) this.retiredCounters[key] += this.master.counters[key];
    const snapshot = snapshotMaster(this.master);
    const options = { ...this.#masterOptions, prng: createPrng((this.seed + this.failovers * 7919) | 0) };
    this.master = restoreMaster(snapshot, options, this.#nowMs);
    for (const agent of this.agents.values()) {
      const delayMs = REREGISTER_DELAY_MS / 2 + this.#prng.nextInt(REREGISTER_DELAY_MS);
      this.#schedule(this.#nowMs + delayMs, () => this.#register(agent));
    }
    for (const model of this.frameworks.values()) {
      const delayMs = REREGISTER_DELAY_MS + this.#prng.nextInt(REREGISTER_DELAY_MS);
      this.#schedule(this.#nowMs + delayMs, () => {
        if (this.master.frameworks.has(model.id)) model.onMasterFailover(this.#context);
        else model.subscribe(this.#context);
      });
    }
  }

  // Invariants ------------------------------------------------------------------

  #check(): void {
    if (this.violations.length >= VIOLATIONS_KEPT_MAX) return;
    for (const violation of checkInvariants(this.master)) this.violations.push({ atMs: this.#nowMs, ...violation });
    for (const violation of checkLifecycleInvariants(this.master)) this.violations.push({ atMs: this.#nowMs, ...violation });
    for (const message of this.lostUpdates()) this.violations.push({ atMs: this.#nowMs, invariant: 'status-updates', message });
  }

  /**
   * The "no lost updates" law: an update still unacknowledged long after it
   * was sent, while its agent is up and reachable and its framework connected,
   * was lost somewhere.
   */
  lostUpdates(): string[] {
    return lostUpdates(this.agents.values(), this.partitioned, this.master, this.#nowMs, UPDATE_DELIVERY_BOUND_MS);
  }
}
