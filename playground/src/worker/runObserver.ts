/**
 * Everything the playground derives from the stream of kernel events of one
 * run: recent events for the log, the offer flow of recent cycles, counts per
 * task state and per transition, live tasks, waiting times and the time
 * series. It is rebuilt from scratch with the run on every rewind, so it only
 * ever sees one deterministic sequence of events.
 *
 * Its counts are of the cluster's history, not of one master incarnation: a
 * failover swaps the Master (which forgets finished tasks and restarts its
 * cycle numbers), and the observer carries on counting through it.
 */
import type { KernelEvent, Master, Task, ScenarioFramework } from '@allot/kernel';
import { isTerminal, releasesResources } from '@allot/kernel';
import type { TaskState } from '@allot/kernel';
import type { EventRecord, OfferCycleFrame, OfferFlowRecord, Sample } from './frame.js';
import { describeScalars, eventRecord } from './eventText.js';

const RECENT_EVENTS_MAX = 400;
const CYCLES_KEPT = 8;
/** The offer flow draws 14 and the strip 8: more would only cost bytes on every frame. */
const OFFERS_PER_CYCLE_SHOWN = 16;
const SAMPLES_MAX = 20_000;

/** The wanted-since times of a framework's queue, as runs of [atMs, count]. */
class WaitQueue {
  readonly runs: Array<[number, number]> = [];
  totalWaitMs = 0;
  launched = 0;

  want(atMs: number, count: number): void {
    if (count > 0) this.runs.push([atMs, count]);
  }

  launch(atMs: number): void {
    const head = this.runs[0];
    this.launched++;
    if (!head) return;
    this.totalWaitMs += atMs - head[0];
    if (--head[1] === 0) this.runs.shift();
  }
}

export class RunObserver {
  readonly recent: KernelEvent[] = [];
  eventsTotal = 0;
  readonly cycles: OfferCycleFrame[] = [];
  /** Bumps whenever `cycles` changes (an offer shown is made or settled, a cycle closes), so unchanged cycles are not resent. */
  cyclesVersion = 0;
  /** Allocation cycles of the masters that failed over: a cycle's number in the run is this plus the master's own. */
  cycleBase = 0;
  /** 1 for the first master, 2 after the first failover, ... */
  incarnation = 1;
  readonly samples: Sample[] = [];
  readonly stateCounts: Record<string, number> = {};
  /** frameworkId -> state -> tasks in that state now. */
  readonly stateCountsBy = new Map<string, Record<string, number>>();
  readonly transitions: Record<string, number> = {};
  /** frameworkId -> taskId -> task, for tasks that hold resources now. */
  readonly live = new Map<string, Map<string, Task>>();
  readonly launchedBy = new Map<string, number>();
  readonly #waits = new Map<string, WaitQueue>();
  #openOffers: OfferFlowRecord[] = [];
  #openTotal = 0;
  readonly #offerIndex = new Map<string, OfferFlowRecord>();
  readonly #relaunch = new Map<string, boolean>();
  /** RESERVE / UNRESERVE / CREATE / DESTROY a framework applied in the accept being handled, shown with its offer. */
  #conversions: string[] = [];
  /** The time of an interval cycle whose sample waits for its instant to settle. */
  #sampleDueAtMs: number | null = null;
  /** "frameworkId/taskId" -> the state counted for it, so counts never depend on an event's `previous`. */
  readonly #counted = new Map<string, string>();

  #master: Master;

  constructor(
    readonly masterOf: () => Master,
    frameworks: readonly ScenarioFramework[],
    readonly sampler: (atMs: number) => Sample,
  ) {
    this.#master = masterOf();
    for (const spec of frameworks) {
      const queue = new WaitQueue();
      queue.want(spec.startAtMs, spec.tasks.count);
      this.#waits.set(spec.id, queue);
      this.#relaunch.set(spec.id, spec.relaunch);
    }
  }

  get master(): Master {
    return this.#master;
  }

  /**
   * After a master failover the simulation holds a new Master, which knows
   * no task until agents re-register and report theirs. The counts, the
   * transitions and the live tasks carry on: they are the cluster's. Offers
   * of the old master die with it; cycle numbers continue from its last.
   */
  syncMaster(): void {
    const master = this.masterOf();
    if (master === this.#master) return;
    this.cycleBase += this.#master.counters.allocationCycles;
    this.incarnation++;
    for (const [offerId, record] of this.#offerIndex) {
      record.outcome = 'rescinded';
      record.rescindReason = 'master failed over';
      this.#offerIndex.delete(offerId);
      this.cyclesVersion++;
    }
    this.#master = master;
  }

  meanWaitMs(): number {
    let total = 0;
    let launched = 0;
    for (const queue of this.#waits.values()) {
      total += queue.totalWaitMs;
      launched += queue.launched;
    }
    return launched > 0 ? total / launched : 0;
  }

  onEvent(event: KernelEvent): void {
    this.syncMaster();
    this.eventsTotal++;
    this.recent.push(event);
    if (this.recent.length > RECENT_EVENTS_MAX * 2) this.recent.splice(0, this.recent.length - RECENT_EVENTS_MAX);
    switch (event.type) {
      case 'offer.made':
        this.#offerMade(event);
        return;
      case 'resources.converted':
        if (event.by === 'framework') this.#conversions.push(event.operation);
        return;
      case 'offer.accepted': {
        const operations = this.#conversions;
        this.#conversions = [];
        for (const offerId of event.offerIds)
          this.#settle(offerId, { outcome: 'accepted', tasks: event.tasks, filterMs: event.filterMs, operations });
        return;
      }
      case 'offer.declined':
        this.#settle(event.offerId, { outcome: 'declined', filterMs: event.filterMs });
        return;
      case 'offer.rescinded':
        this.#settle(event.offerId, { outcome: 'rescinded', rescindReason: event.reason });
        return;
      case 'allocation.completed':
        this.#cycleCompleted(event.cycle, event.atMs, event.trigger);
        return;
      case 'task.launched':
        this.launchedBy.set(event.frameworkId, (this.launchedBy.get(event.frameworkId) ?? 0) + 1);
        this.#waits.get(event.frameworkId)?.launch(event.atMs);
        return;
      case 'task.updated':
        this.#taskUpdated(event.status.frameworkId, event.status.taskId, event.status.state, event.atMs);
        return;
      case 'task.reconciled':
        this.#taskReconciled(event.status.frameworkId, event.status.taskId, event.status.state, event.atMs);
        return;
      default:
        return;
    }
  }

  /** Event records with seq > afterSeq, the latest `max` of them. */
  eventsAfter(afterSeq: number, layout: Master['layout'], max: number): EventRecord[] {
    const firstSeq = this.eventsTotal - this.recent.length + 1;
    const from = Math.max(afterSeq + 1, firstSeq, this.eventsTotal - max + 1);
    const out: EventRecord[] = [];
    for (let seq = from; seq <= this.eventsTotal; seq++) out.push(eventRecord(this.recent[seq - firstSeq], seq, layout));
    return out;
  }

  #offerMade(event: Extract<KernelEvent, { type: 'offer.made' }>): void {
    const { offer } = event;
    this.#openTotal++;
    if (this.#openOffers.length >= OFFERS_PER_CYCLE_SHOWN) return;
    const record: OfferFlowRecord = {
      offerId: offer.id,
      order: this.#openTotal,
      frameworkId: offer.frameworkId,
      role: offer.role,
      agentId: offer.agentId,
      resources: describeScalars(totalScalars(offer.resources), this.master.layout),
      outcome: 'outstanding',
      tasks: 0,
      filterMs: 0,
    };
    this.#openOffers.push(record);
    this.#offerIndex.set(offer.id, record);
    this.cyclesVersion++;
  }

  #settle(offerId: string, change: Partial<OfferFlowRecord>): void {
    const record = this.#offerIndex.get(offerId);
    if (!record) return;
    Object.assign(record, change);
    this.cyclesVersion++;
    this.#offerIndex.delete(offerId);
  }

  #cycleCompleted(cycle: number, atMs: number, trigger: string): void {
    if (this.#openTotal > 0) {
      this.cyclesVersion++;
      this.cycles.push({
        cycle: this.cycleBase + cycle,
        masterCycle: cycle,
        incarnation: this.incarnation,
        atMs,
        trigger,
        offersTotal: this.#openTotal,
        offers: this.#openOffers,
      });
      if (this.cycles.length > CYCLES_KEPT) {
        for (const old of this.cycles.shift()!.offers) this.#offerIndex.delete(old.offerId);
      }
    }
    this.#openOffers = [];
    this.#openTotal = 0;
    // Every periodic cycle, and the very first one (often triggered by a registration), so the chart starts at the start.
    if (trigger === 'interval' || this.samples.length === 0) this.#sampleDueAtMs = atMs;
  }

  /**
   * Takes the sample of the latest interval cycle, if one is due. The session
   * calls this when simulated time is about to move on: by then the
   * frameworks have answered the cycle's offers, so a share shows what they
   * hold and not an offer on its way to being declined.
   */
  flushSample(): void {
    if (this.#sampleDueAtMs === null) return;
    if (this.samples.length < SAMPLES_MAX) this.samples.push(this.sampler(this.#sampleDueAtMs));
    this.#sampleDueAtMs = null;
  }

  /**
   * A task's new state. The state counted before is the observer's own, not
   * the event's `previous`: a re-registering agent reports its tasks to a new
   * master as if they were new, and that is no transition.
   */
  #taskUpdated(frameworkId: string, taskId: string, state: string, atMs: number): void {
    let mine = this.stateCountsBy.get(frameworkId);
    if (!mine) this.stateCountsBy.set(frameworkId, (mine = {}));
    const key = `${frameworkId}/${taskId}`;
    const counted = this.#counted.get(key);
    this.#counted.set(key, state);
    for (const counts of [this.stateCounts, mine]) {
      if (counted !== undefined) counts[counted] = Math.max(0, (counts[counted] ?? 0) - 1);
      counts[state] = (counts[state] ?? 0) + 1;
    }
    if (counted !== state) {
      const edge = `${counted ?? 'NEW'}>${state}`;
      this.transitions[edge] = (this.transitions[edge] ?? 0) + 1;
    }
    let tasks = this.live.get(frameworkId);
    if (!tasks) this.live.set(frameworkId, (tasks = new Map()));
    if (releasesResources(state as TaskState)) tasks.delete(taskId);
    else {
      const task = this.master.frameworks.get(frameworkId)?.tasks.get(taskId);
      if (task) tasks.set(taskId, task);
    }
    if (counted !== state && isTerminal(state as TaskState) && state !== 'TASK_FINISHED' && this.#relaunch.get(frameworkId)) {
      this.#waits.get(frameworkId)?.want(atMs, 1);
    }
  }

  /**
   * A reconciliation answer: the framework takes it as the task's state
   * (unless it already saw the task end), so the counts do too. A new
   * master answers this way for tasks it never heard of again.
   */
  #taskReconciled(frameworkId: string, taskId: string, state: string, atMs: number): void {
    const counted = this.#counted.get(`${frameworkId}/${taskId}`);
    if (counted === undefined || counted === state || isTerminal(counted as TaskState)) return;
    this.#taskUpdated(frameworkId, taskId, state, atMs);
  }
}

/** Unreserved and reserved scalars of a resource set, added up. */
export function totalScalars(set: { scalars: Float64Array; reserved: ReadonlyArray<{ scalars: Float64Array }> }): Float64Array {
  if (set.reserved.length === 0) return set.scalars;
  const out = set.scalars.slice();
  for (const part of set.reserved) for (let i = 0; i < out.length; i++) out[i] += part.scalars[i];
  return out;
}
