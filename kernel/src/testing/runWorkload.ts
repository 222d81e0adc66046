/**
 * Runs a workload on a Master: first the setup (role weights and quotas, every
 * agent of the cluster, every framework), then each step, resolved against the
 * master's state at that moment (outstanding offers, known tasks, registered
 * agents). A step with nothing to act on (no offer to answer, no task to
 * update) is skipped. Resolution reads only the master's public state (its
 * offers, tasks and agents), so the same workload gives the same commands on
 * any two masters that behave the same. Quota changes are sent as generated,
 * so a limit may drop below what a role holds (check such runs with
 * `quotaLimitLaw`).
 */
import type { Command, ReportedTask } from '../master/commands.js';
import type { Master, StepResult } from '../master/master.js';
import type { Offer } from '../offers/offer.js';
import { NO_RANGES, rangesCount, takePorts } from '../resources/ranges.js';
import type { ResourceSet } from '../resources/resourceSet.js';
import { addResourceSets, isEmptyResourceSet, resourceSetContains, subtractResourceSets } from '../resources/resourceSet.js';
import type { Task, TaskSpec } from '../tasks/task.js';
import { releasesResources } from '../tasks/taskState.js';
import { floorScalar } from './arbitraries.js';
import type { Cluster } from './arbitraries.js';
import type { OfferMerge, TaskShape, Workload, WorkloadStep } from './workload.js';

export interface WorkloadStepReport {
  /** Index into `workload.steps`; -1 for the setup commands. */
  readonly index: number;
  readonly step: WorkloadStep | null;
  readonly command: Command;
  readonly result: StepResult;
}

export interface WorkloadRun {
  /** Commands sent, setup included. */
  readonly commands: number;
  readonly rejections: number;
  /** Steps that had nothing to act on. */
  readonly skipped: number;
}

const ANSWERED_KEPT_MAX = 8;

export function runWorkload(master: Master, workload: Workload, onStep?: (report: WorkloadStepReport) => void): WorkloadRun {
  const runner = new WorkloadRunner(master, workload.cluster);
  let commands = 0;
  let rejections = 0;
  let skipped = 0;
  const send = (index: number, step: WorkloadStep | null, command: Command): void => {
    const result = master.step(command);
    commands++;
    if (!result.ok) rejections++;
    runner.observe(command, result);
    onStep?.({ index, step, command, result });
  };
  for (const command of runner.setup()) send(-1, null, command);
  workload.steps.forEach((step, index) => {
    const command = runner.resolve(step);
    if (command === null) skipped++;
    else send(index, step, command);
  });
  return { commands, rejections, skipped };
}

class WorkloadRunner {
  readonly #master: Master;
  readonly #cluster: Cluster;
  #nowMs: number;
  #taskNumber = 0;
  readonly #answered: Array<{ offerId: string; frameworkId: string }> = [];
  readonly #lastTaskIds = new Map<string, string>();

  constructor(master: Master, cluster: Cluster) {
    this.#master = master;
    this.#cluster = cluster;
    this.#nowMs = master.nowMs;
  }

  setup(): Command[] {
    const nowMs = this.#nowMs;
    const commands: Command[] = [];
    for (const role of this.#cluster.roles) {
      if (role.weight !== 1) commands.push({ type: 'role.update', nowMs, role: role.name, weight: role.weight });
      if (role.quota) commands.push({ type: 'role.update', nowMs, role: role.name, quota: role.quota });
    }
    for (const agent of this.#cluster.agents) commands.push({ type: 'agent.add', nowMs, agent });
    for (const framework of this.#cluster.frameworks) commands.push({ type: 'framework.subscribe', nowMs, framework });
    return commands;
  }

  /** Remembers answered offers, so that later steps can answer them again (stale ids). */
  observe(command: Command, result: StepResult): void {
    if (command.type === 'offer.decline' || command.type === 'offer.accept') {
      for (const offerId of command.offerIds) this.#answered.push({ offerId, frameworkId: command.frameworkId });
      while (this.#answered.length > ANSWERED_KEPT_MAX) this.#answered.shift();
    }
    for (const event of result.events) if (event.type === 'task.launched') this.#lastTaskIds.set(event.frameworkId, event.taskId);
  }

  resolve(step: WorkloadStep): Command | null {
    const master = this.#master;
    const nowMs = this.#nowMs;
    switch (step.type) {
      case 'tick':
        this.#nowMs += step.advanceMs;
        return { type: 'tick', nowMs: this.#nowMs };
      case 'agent.add': {
        const absent = this.#cluster.agents.filter((agent) => !master.agents.has(agent.id));
        return absent.length === 0 ? null : { type: 'agent.add', nowMs, agent: absent[step.pick % absent.length] };
      }
      case 'agent.remove': {
        const present = [...master.agents.keys()];
        return present.length === 0 ? null : { type: 'agent.remove', nowMs, agentId: present[step.pick % present.length] };
      }
      case 'agent.disconnect':
      case 'agent.unreachable': {
        const present = [...master.agents.keys()];
        return present.length === 0 ? null : { type: step.type, nowMs, agentId: present[step.pick % present.length] };
      }
      case 'agent.reregister':
        return this.#reregister(step);
      case 'agent.updateAttributes': {
        const present = [...master.agents.values()];
        if (present.length === 0) return null;
        const agent = present[step.pick % present.length];
        return { type: 'agent.updateAttributes', nowMs, agentId: agent.id, attributes: { ...agent.attributes, rack: step.rack } };
      }
      case 'framework.subscribe': {
        const frameworks = this.#cluster.frameworks;
        return { type: 'framework.subscribe', nowMs, framework: frameworks[step.pick % frameworks.length] };
      }
      case 'framework.disconnect':
      case 'framework.teardown': {
        const frameworkId = this.#knownFramework(step.pick);
        return frameworkId === null ? null : { type: step.type, nowMs, frameworkId };
      }
      case 'framework.suppress':
      case 'framework.revive':
        return this.#suppressOrRevive(step);
      case 'offer.decline':
        return this.#decline(step);
      case 'offer.accept':
        return this.#accept(step);
      case 'task.status': {
        const task = this.#task(step.pick);
        return task === null
          ? null
          : { type: 'task.status', nowMs, agentId: task.agentId, frameworkId: task.frameworkId, taskId: task.id, state: step.state };
      }
      case 'task.kill': {
        const task = this.#task(step.pick);
        return task === null ? null : { type: 'task.kill', nowMs, frameworkId: task.frameworkId, taskId: task.id };
      }
      case 'role.weight': {
        const roles = this.#cluster.roles;
        return { type: 'role.update', nowMs, role: roles[step.pick % roles.length].name, weight: step.weight };
      }
      case 'role.quota': {
        const tops = this.#cluster.roles.filter((role) => !role.name.includes('/'));
        const role = tops[step.pick % tops.length].name;
        return { type: 'role.update', nowMs, role, quota: step.quota };
      }
      default: {
        const unknown: never = step;
        throw new Error(`unknown workload step ${JSON.stringify(unknown)}`);
      }
    }
  }

  #knownFramework(pick: number): string | null {
    const known = [...this.#master.frameworks.keys()];
    return known.length === 0 ? null : known[pick % known.length];
  }

  /** The agent comes back with the tasks the master placed on it that are still running (or unreachable) there. */
  #reregister(step: Extract<WorkloadStep, { type: 'agent.reregister' }>): Command | null {
    const master = this.#master;
    const candidates = this.#cluster.agents.filter((agent) => master.agents.has(agent.id) || master.unreachableAgents.has(agent.id));
    if (candidates.length === 0) return null;
    const agent = candidates[step.pick % candidates.length];
    const tasks: ReportedTask[] = [];
    let considered = 0;
    for (const framework of master.frameworks.values()) {
      for (const task of framework.tasks.values()) {
        if (task.agentId !== agent.id || (releasesResources(task.state) && task.state !== 'TASK_UNREACHABLE')) continue;
        if (!step.keep[considered++ % step.keep.length]) continue;
        const state = task.state === 'TASK_UNREACHABLE' ? 'TASK_RUNNING' : task.state;
        tasks.push({
          taskId: task.id,
          frameworkId: task.frameworkId,
          role: task.role,
          resources: task.resources,
          state,
          executorId: task.executorId,
        });
      }
    }
    return { type: 'agent.reregister', nowMs: this.#nowMs, agent, tasks };
  }

  #suppressOrRevive(step: Extract<WorkloadStep, { type: 'framework.suppress' | 'framework.revive' }>): Command | null {
    const frameworkId = this.#knownFramework(step.pick);
    if (frameworkId === null) return null;
    const roles = this.#master.frameworks.get(frameworkId)!.roles;
    if (step.roles === null) return { type: step.type, nowMs: this.#nowMs, frameworkId };
    return { type: step.type, nowMs: this.#nowMs, frameworkId, roles: [...new Set(step.roles.map((i) => roles[i % roles.length]))] };
  }

  #decline(step: Extract<WorkloadStep, { type: 'offer.decline' }>): Command | null {
    const offers = [...this.#master.offers.all()];
    const refuse = step.refuseSeconds === undefined ? {} : { refuseSeconds: step.refuseSeconds };
    if (offers.length > 0) {
      const offer = offers[step.pick % offers.length];
      return { type: 'offer.decline', nowMs: this.#nowMs, frameworkId: offer.frameworkId, offerIds: [offer.id], ...refuse };
    }
    if (this.#answered.length === 0) return null;
    const stale = this.#answered[step.pick % this.#answered.length];
    return { type: 'offer.decline', nowMs: this.#nowMs, frameworkId: stale.frameworkId, offerIds: [stale.offerId], ...refuse };
  }

  #accept(step: Extract<WorkloadStep, { type: 'offer.accept' }>): Command | null {
    const all = [...this.#master.offers.all()];
    const refuse = step.refuseSeconds === undefined ? {} : { refuseSeconds: step.refuseSeconds };
    if (all.length === 0) {
      if (this.#answered.length === 0) return null;
      const stale = this.#answered[step.pick % this.#answered.length];
      const tasks = step.tasks.map((shape) => ({
        taskId: this.#taskId(stale.frameworkId, shape),
        resources: { scalars: this.#master.layout.zero(), ports: NO_RANGES, reserved: [] },
      }));
      return {
        type: 'offer.accept',
        nowMs: this.#nowMs,
        frameworkId: stale.frameworkId,
        offerIds: [stale.offerId],
        operations: [{ type: 'LAUNCH', tasks }],
        ...refuse,
      };
    }
    const picked = all[step.pick % all.length];
    const offers = [picked, ...mergedOffers(all, picked, step.merge)];
    let available = offers.map((offer) => offer.resources).reduce((sum, resources) => addResourceSets(sum, resources));
    const tasks: TaskSpec[] = [];
    for (const shape of step.tasks) {
      const resources = carveTask(available, shape);
      tasks.push({ taskId: this.#taskId(picked.frameworkId, shape), resources });
      if (!shape.oversized && !isEmptyResourceSet(resources) && resourceSetContains(available, resources))
        available = subtractResourceSets(available, resources);
    }
    return {
      type: 'offer.accept',
      nowMs: this.#nowMs,
      frameworkId: picked.frameworkId,
      offerIds: offers.map((offer) => offer.id),
      operations: [{ type: 'LAUNCH', tasks }],
      ...refuse,
    };
  }

  #taskId(frameworkId: string, shape: TaskShape): string {
    const previous = this.#lastTaskIds.get(frameworkId);
    if (shape.reuseId && previous !== undefined) return previous;
    return `${frameworkId}.t${++this.#taskNumber}`;
  }

  /** Every task the master still knows, live or not: updating a finished task must be rejected. */
  #task(pick: number): Task | null {
    const tasks: Task[] = [];
    for (const framework of this.#master.frameworks.values()) for (const task of framework.tasks.values()) tasks.push(task);
    return tasks.length === 0 ? null : tasks[pick % tasks.length];
  }
}

function mergedOffers(all: readonly Offer[], picked: Offer, merge: OfferMerge): Offer[] {
  const mine = all.filter((offer) => offer !== picked && offer.frameworkId === picked.frameworkId);
  if (merge === 'same-agent') return mine.filter((offer) => offer.agentId === picked.agentId);
  if (merge === 'other-agent') return mine.filter((offer) => offer.agentId !== picked.agentId).slice(0, 1);
  return [];
}

/** A share of what is left, in Mesos's three decimals; oversized tasks ask for twice as much plus one. */
export function carveTask(available: ResourceSet, shape: TaskShape): ResourceSet {
  const scale = (amount: number, fraction: number): number => {
    const share = floorScalar(amount * fraction);
    return shape.oversized ? floorScalar(share * 2 + 1) : share;
  };
  const scalars = available.scalars.map((amount) => scale(amount, shape.fraction));
  const reserved = available.reserved
    .map((part) => ({ ...part, scalars: part.scalars.map((amount) => scale(amount, shape.reservedFraction)), ports: NO_RANGES }))
    .filter((part) => part.scalars.some((amount) => amount > 0));
  const portCount = Math.min(shape.ports, rangesCount(available.ports));
  const ports = takePorts(available.ports, portCount) ?? NO_RANGES;
  return { scalars, ports, reserved };
}
