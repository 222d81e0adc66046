/**
 * Everything one SDK service scheduler knows, shared by its parts (plan
 * coordination, the plan scheduler, the recovery manager, decommission,
 * config updates): the configs by id and the target one, the pod instances,
 * the plans, the reservations to give back, the agents seen, and its log. Its
 * helpers answer the questions every part asks ("which spec does this pod
 * follow?", "which pod instance runs this task?"). The context is the host's;
 * `retired` is set when a restarted scheduler took over, after which timers of
 * this one must not act.
 */
import type { FrameworkCall, SchedulerContext } from '../schedulers/frameworkModel.js';
import type { TaskState } from '../tasks/taskState.js';
import type { PlacementTarget } from './constraints.js';
import type { Evaluation } from './offerEvaluator.js';
import type { Plan, Step } from './plan.js';
import type { PodInstance } from './podInstance.js';
import { newPodInstance } from './podInstance.js';
import type { PodSpec, ServiceSpec } from './serviceSpec.js';
import { deployTaskNames } from './serviceSpec.js';

/** The log keeps this many entries (reports show the last 50). */
export const SERVICE_LOG_MAX = 200;

export interface LogEntry {
  atMs: number;
  what: string;
}

export class ServiceState {
  /** The latest state the scheduler was told of, per task it launched. */
  readonly taskStates = new Map<string, TaskState>();
  readonly instances = new Map<string, PodInstance>();
  readonly plans: Plan[] = [];
  /** Spec by config id; `targetConfigId` is the one in force. */
  readonly configs = new Map<number, ServiceSpec>();
  targetConfigId = 1;
  /** Why the last config update was refused (the deploy plan shows ERROR while set). */
  configErrors: string[] = [];
  /** Resource ids no instance owns any more: given back when offered. */
  readonly garbage = new Set<string>();
  readonly log: LogEntry[] = [];
  /** Latest offer evaluations per step, for "why is node-2 not placed?". */
  readonly evaluations = new Map<string, Evaluation[]>();
  /** Steps whose latest offers all failed evaluation (shown PREPARED). */
  readonly unmatched = new Set<string>();
  /** Tasks this scheduler asked to kill: their end is no failure. */
  readonly killRequested = new Set<string>();
  /** Every agent offers came from, for GROUP_BY placement. */
  readonly knownAgents = new Map<string, PlacementTarget>();
  /** Parameters each custom plan was last started with. */
  readonly planParameters = new Map<string, Record<string, string>>();
  /** The last id number handed out (resource, persistence and task ids). */
  ids = 0;
  /** Mirrors the last suppress or revive sent since the scheduler subscribed. */
  suppressed = false;
  context: SchedulerContext | null = null;
  retired = false;

  constructor(
    readonly frameworkId: string,
    readonly role: string,
    spec: ServiceSpec,
  ) {
    this.configs.set(1, spec);
  }

  get spec(): ServiceSpec {
    return this.configs.get(this.targetConfigId)!;
  }

  get nowMs(): number {
    return this.context?.nowMs ?? 0;
  }

  plan(name: string): Plan | undefined {
    return this.plans.find((plan) => plan.name === name);
  }

  /** The plan a step belongs to ('' when none does). */
  planOf(step: Step): string {
    return this.plans.find((plan) => plan.phases.some((phase) => phase.steps.includes(step)))?.name ?? '';
  }

  /** The pod's spec under the target config, or under the newest config that had it (a removed pod). */
  pod(type: string): PodSpec | undefined {
    const current = this.spec.pods.find((pod) => pod.type === type);
    if (current) return current;
    for (const id of [...this.configs.keys()].reverse()) {
      const pod = this.configs.get(id)!.pods.find((candidate) => candidate.type === type);
      if (pod) return pod;
    }
    return undefined;
  }

  /** Tasks the instance runs under its deploy plan. */
  deployTasks(instance: PodInstance): string[] {
    const pod = this.pod(instance.podType);
    return pod ? deployTaskNames(this.spec, pod) : Object.keys(instance.tasks);
  }

  /** The instance `index` of `pod`, made on first use; tasks new to the pod get records. */
  instance(pod: PodSpec, index: number): PodInstance {
    const name = `${pod.type}-${index}`;
    let instance = this.instances.get(name);
    if (!instance) {
      instance = newPodInstance(
        pod.type,
        index,
        pod.tasks.map((t) => t.name),
        this.targetConfigId,
      );
      this.instances.set(name, instance);
    }
    for (const task of pod.tasks)
      instance.tasks[task.name] ??= { name: task.name, taskId: null, state: null, ready: false, configId: this.targetConfigId };
    return instance;
  }

  /** The pod instance and task name of a task id this scheduler launched. */
  taskRecord(taskId: string): [PodInstance, string] | undefined {
    for (const instance of this.instances.values())
      for (const record of Object.values(instance.tasks)) if (record.taskId === taskId) return [instance, record.name];
    return undefined;
  }

  newId(prefix: string): string {
    return `${prefix}${++this.ids}`;
  }

  send(call: FrameworkCall): void {
    this.context?.send(call);
  }

  /** Kills a task and remembers that its end was asked for. */
  kill(taskId: string): void {
    this.killRequested.add(taskId);
    this.send({ type: 'task.kill', frameworkId: this.frameworkId, taskId });
  }

  note(what: string): void {
    this.log.push({ atMs: this.nowMs, what });
    if (this.log.length > SERVICE_LOG_MAX) this.log.splice(0, this.log.length - SERVICE_LOG_MAX);
  }
}
