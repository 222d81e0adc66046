/**
 * An SDK service scheduler as a framework model: it turns a ServiceSpec into
 * a deploy plan, evaluates offers for the steps its plans select (deploy >
 * recovery > decommission > custom; a pod instance busy in one plan is left
 * alone by the others), launches on reservations and volumes it records
 * before acting, recovers failed pods in place (transient) or elsewhere
 * (permanent, after the failure timeout or a `pod replace`), rolls config
 * updates out one step at a time, and gives back reservations nobody owns.
 */
import type { Offer } from '../offers/offer.js';
import type { FrameworkModel, SchedulerContext } from '../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../schedulers/frameworkConfig.js';
import type { TaskStatus } from '../tasks/task.js';
import type { TaskState } from '../tasks/taskState.js';
import { isTerminal } from '../tasks/taskState.js';
import type { PlacementTarget } from './constraints.js';
import { garbageOperations, resourceIdOf } from './garbage.js';
import type { Evaluation } from './offerEvaluator.js';
import { evaluateOffer } from './offerEvaluator.js';
import type { ControlResult, Plan, PlanView, Step } from './plan.js';
import { activeSteps, forceComplete, interrupt, newPhase, newPlan, newStep, planView, proceed, restart } from './plan.js';
export type { ServiceSchedulerSnapshot } from './schedulerState.js';
import type { PodInstance } from './podInstance.js';
import { forgetPlacement, newPodInstance, ownedResourceIds } from './podInstance.js';
import type { PodSpec, ServiceSpec } from './serviceSpec.js';
import { deployTaskNames, specChangeProblems } from './serviceSpec.js';
import type { ServiceSchedulerSnapshot } from './schedulerState.js';
import { fromSnapshot, toSnapshot } from './schedulerState.js';
import type { StrategySpec } from './strategy.js';
import { instanceDone, liveTasks, stepProgress } from './stepProgress.js';

const PLAN_PRIORITY: Record<Plan['kind'], number> = { deploy: 0, recovery: 1, decommission: 2, custom: 3 };

export type ServiceControl =
  | { type: 'plan.interrupt' | 'plan.continue' | 'plan.restart' | 'plan.forceComplete'; plan: string; phase?: string; step?: string }
  | { type: 'pod.replace' | 'pod.restart'; pod: string }
  | { type: 'plan.start'; plan: string; parameters?: Record<string, string> }
  | { type: 'plan.stop'; plan: string }
  | { type: 'service.update'; service: ServiceSpec }
  | { type: 'service.uninstall' };

export class ServiceScheduler implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly taskStates = new Map<string, TaskState>();
  readonly instances = new Map<string, PodInstance>();
  readonly planList: Plan[] = [];
  /** Spec by config id; `targetConfigId` is the one in force. */
  readonly configs = new Map<number, ServiceSpec>();
  targetConfigId = 1;
  /** Why the last config update was refused (the deploy plan shows ERROR while set). */
  configErrors: string[] = [];
  /** Resource ids no instance owns any more: given back when offered. */
  readonly garbage = new Set<string>();
  readonly log: Array<{ atMs: number; what: string }> = [];
  /** Latest offer evaluations per step, for "why is node-2 not placed?". */
  readonly evaluations = new Map<string, Evaluation[]>();
  readonly #unmatched = new Set<string>();
  readonly #killRequested = new Set<string>();
  readonly #known = new Map<string, PlacementTarget>();
  #ids = 0;
  #suppressed = false;
  #context: SchedulerContext | null = null;
  /** Set when a restarted scheduler took over: this one's timers must not act any more. */
  #retired = false;
  /** Parameters each custom plan was last started with. */
  readonly #planParameters = new Map<string, Record<string, string>>();

  constructor(
    readonly framework: FrameworkConfig,
    spec: ServiceSpec,
  ) {
    this.id = framework.id;
    this.role = framework.role;
    this.configs.set(1, spec);
    this.planList.push(this.#deployPlan(spec, spec.deployStrategy), ...this.#customPlans(spec));
  }

  get spec(): ServiceSpec {
    return this.configs.get(this.targetConfigId)!;
  }

  get pendingTasks(): number {
    return 0;
  }

  plan(name: string): Plan | undefined {
    return this.planList.find((plan) => plan.name === name);
  }

  // Framework model -------------------------------------------------------------

  subscribe(context: SchedulerContext): void {
    this.#context = context;
    context.send({
      type: 'framework.subscribe',
      framework: { id: this.id, name: this.framework.name, roles: [this.role], capabilities: [...this.framework.capabilities] },
    });
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    this.#suppressed = false;
    const tasks = [...this.instances.values()].flatMap((instance) =>
      Object.values(instance.tasks)
        .filter((t) => t.taskId && t.state && !isTerminal(t.state))
        .map((t) => ({ taskId: t.taskId!, ...(instance.agentId ? { agentId: instance.agentId } : {}) })),
    );
    if (tasks.length > 0) context.send({ type: 'framework.reconcile', frameworkId: this.id, tasks });
  }

  onRescind(): void {}

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    this.#context = context;
    for (const offer of offers) this.#known.set(offer.agentId, { hostname: offer.hostname, attributes: offer.attributes });
    const used = new Set<string>();
    for (const offer of offers) {
      const cleanup = garbageOperations(offer, this.garbage, context.layout);
      if (cleanup.length === 0) continue;
      for (const part of offer.resources.reserved) {
        const id = resourceIdOf(part);
        if (id !== undefined) this.garbage.delete(id);
      }
      used.add(offer.id);
      context.send({ type: 'offer.accept', frameworkId: this.id, offerIds: [offer.id], operations: cleanup, refuseSeconds: 0 });
      this.#note(`gave back unowned reservations on ${offer.agentId}`);
    }
    this.#sync();
    for (const step of this.#workingSteps()) {
      const instance = this.instances.get(step.podInstance)!;
      if (this.#killOutdated(step, instance, context)) continue;
      const free = offers.filter((offer) => !used.has(offer.id));
      if (step.action === 'decommission') this.#decommission(step, instance, free, used, context);
      else if (!((instance.delayedUntilMs ?? 0) > context.nowMs)) this.#launch(step, instance, free, used, context);
    }
    const idle = offers.filter((offer) => !used.has(offer.id));
    if (idle.length > 0)
      context.send({
        type: 'offer.decline',
        frameworkId: this.id,
        offerIds: idle.map((offer) => offer.id),
        refuseSeconds: this.framework.refuseSeconds,
      });
    this.#sync();
    if (this.#workingSteps().length === 0 && this.garbage.size === 0 && !this.#suppressed) {
      this.#suppressed = true;
      context.send({ type: 'framework.suppress', frameworkId: this.id });
    }
  }

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    this.#context = context;
    if (status.uuid)
      context.send({ type: 'task.acknowledge', frameworkId: this.id, agentId: status.agentId, taskId: status.taskId, uuid: status.uuid });
    this.taskStates.set(status.taskId, status.state);
    const found = this.#taskRecord(status.taskId);
    if (!found) return;
    const [instance, name] = found;
    const record = instance.tasks[name];
    if (record.state !== null && isTerminal(record.state) && status.reason === 'REASON_RECONCILIATION') return;
    record.state = status.state;
    if (status.state === 'TASK_RUNNING') this.#whenRunning(instance, name, context);
    else if (isTerminal(status.state) || status.state === 'TASK_UNREACHABLE') this.#whenEnded(instance, name, status.state, context);
    this.#sync();
    this.#wake(context);
  }

  details(): Record<string, unknown> {
    const spec = this.spec;
    const first = spec.pods[0]?.type;
    const seeds = [...this.instances.values()]
      .filter((i) => i.podType === first && i.index < spec.seeds)
      .map((i) => i.target?.hostname ?? null);
    return {
      configId: this.targetConfigId,
      ...(this.configErrors.length > 0 ? { configErrors: this.configErrors } : {}),
      instances: [...this.instances.values()].map((i) => ({
        name: i.name,
        agent: i.agentId,
        configId: i.configId,
        tasks: Object.fromEntries(Object.values(i.tasks).map((t) => [t.name, t.state])),
      })),
      ...(spec.seeds > 0 ? { seeds } : {}),
      log: this.log.slice(-50),
    };
  }

  plans(): PlanView[] {
    this.#sync();
    return this.planList.map((plan) => {
      const view = { framework: this.id, ...planView(plan) };
      if (plan.kind === 'deploy' && this.configErrors.length > 0) return { ...view, status: 'ERROR' as const, errors: this.configErrors };
      return view;
    });
  }

  // Operator controls ----------------------------------------------------------

  control(command: ServiceControl): ControlResult {
    // Controls act on statuses as they are now, whoever read the plans last.
    this.#sync();
    const context = this.#context;
    let result: ControlResult;
    switch (command.type) {
      case 'plan.interrupt':
      case 'plan.continue':
      case 'plan.restart':
      case 'plan.forceComplete': {
        const plan = this.plan(command.plan);
        if (!plan) return { ok: false, code: 'unknown_plan', message: `no plan ${command.plan}` };
        if (command.type === 'plan.restart')
          for (const step of plan.phases.flatMap((p) => p.steps))
            if (command.step === undefined || command.step === step.podInstance || command.step === step.name)
              this.#clearDelay(step.podInstance);
        result =
          command.type === 'plan.interrupt'
            ? interrupt(plan, command.phase)
            : command.type === 'plan.continue'
              ? proceed(plan, command.phase)
              : command.type === 'plan.restart'
                ? restart(plan, command.phase, command.step)
                : forceComplete(plan, command.phase, command.step);
        break;
      }
      case 'pod.replace':
      case 'pod.restart':
        result = this.#podControl(command.type, command.pod);
        break;
      case 'service.update':
        result = this.#update(command.service);
        break;
      case 'service.uninstall':
        result = this.#uninstall();
        break;
      case 'plan.start':
        result = this.#startPlan(command.plan, command.parameters ?? {});
        break;
      case 'plan.stop':
        result = this.#stopPlan(command.plan);
        break;
    }
    this.#note(`${command.type}: ${result.message}`);
    if (context) this.#wake(context);
    return result;
  }

  // Plans ------------------------------------------------------------------------

  #deployPlan(spec: ServiceSpec, strategy: StrategySpec): Plan {
    const phases = spec.pods.map((pod) =>
      newPhase(
        pod.type,
        Array.from({ length: pod.count }, (_, i) => newStep(this.#instance(pod, i).name, deployTaskNames(spec, pod), 'launch')),
        strategy,
      ),
    );
    return newPlan('deploy', 'deploy', phases, { kind: 'serial' });
  }

  /** Custom plans from the spec: a step per pod instance running the phase's sidecar tasks; they start interrupted. */
  #customPlans(spec: ServiceSpec): Plan[] {
    return spec.plans.map((custom) =>
      newPlan(
        custom.name,
        'custom',
        custom.phases.map((phase) => {
          const pod = spec.pods.find((candidate) => candidate.type === phase.pod)!;
          return newPhase(
            phase.name,
            Array.from({ length: pod.count }, (_, i) => newStep(this.#instance(pod, i).name, phase.tasks, 'run')),
            phase.strategy,
          );
        }),
        custom.strategy,
      ),
    );
  }

  #deployTasks(instance: PodInstance): string[] {
    const pod = this.#pod(instance.podType);
    return pod ? deployTaskNames(this.spec, pod) : Object.keys(instance.tasks);
  }

  #instance(pod: PodSpec, index: number): PodInstance {
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

  #pod(type: string): PodSpec | undefined {
    const current = this.spec.pods.find((pod) => pod.type === type);
    if (current) return current;
    for (const id of [...this.configs.keys()].reverse()) {
      const pod = this.configs.get(id)!.pods.find((candidate) => candidate.type === type);
      if (pod) return pod;
    }
    return undefined;
  }

  /** Brings every step's status up to date with its pod instance. */
  #sync(): void {
    const nowMs = this.#context?.nowMs ?? 0;
    for (const plan of this.planList) {
      for (const phase of plan.phases) {
        for (const step of phase.steps) {
          const instance = this.instances.get(step.podInstance);
          step.status = stepProgress(
            step,
            instance,
            instance ? this.#pod(instance.podType) : undefined,
            this.targetConfigId,
            nowMs,
            this.#unmatched.has(step.name),
          );
        }
      }
    }
  }

  /** Steps to act on now, by plan priority; a pod instance busy in one plan is left alone by the others. */
  #workingSteps(): Step[] {
    const plans = [...this.planList].sort((a, b) => PLAN_PRIORITY[a.kind] - PLAN_PRIORITY[b.kind]);
    const busy = new Map<string, Plan>();
    for (const plan of plans)
      for (const phase of plan.phases)
        for (const step of phase.steps)
          if ((step.status === 'PREPARED' || step.status === 'STARTING') && !busy.has(step.podInstance)) busy.set(step.podInstance, plan);
    const taken = new Set<string>();
    const out: Step[] = [];
    for (const plan of plans) {
      if (plan.kind === 'deploy' && this.configErrors.length > 0) continue;
      for (const step of activeSteps(plan)) {
        const owner = busy.get(step.podInstance);
        if ((owner && owner !== plan) || taken.has(step.podInstance) || step.status === 'COMPLETE' || step.status === 'DELAYED') continue;
        taken.add(step.podInstance);
        out.push(step);
      }
    }
    return out;
  }

  #recoveryStep(instance: PodInstance, action: Step['action']): void {
    let plan = this.plan('recovery');
    if (!plan) {
      plan = newPlan('recovery', 'recovery', [], { kind: 'parallel' });
      this.planList.push(plan);
    }
    const pod = this.#pod(instance.podType);
    const step = newStep(instance.name, pod ? this.#deployTasks(instance) : [], action);
    void pod;
    const open = plan.phases.find((phase) => phase.name === instance.name && phase.steps.some((s) => s.status !== 'COMPLETE'));
    if (open) open.steps.splice(0, open.steps.length, step);
    else plan.phases.push(newPhase(instance.name, [step], { kind: 'serial' }));
    this.#unmatched.delete(step.name);
  }

  // Acting on offers ------------------------------------------------------------

  /** Kills what runs under an old config (rolling update) or what a restart replaces; true while waiting. */
  #killOutdated(step: Step, instance: PodInstance, context: SchedulerContext): boolean {
    const pod = this.#pod(instance.podType);
    const outdated = Object.values(instance.tasks).filter((record) => {
      if (record.taskId === null || record.state === null || isTerminal(record.state)) return false;
      if (step.action === 'decommission') return true;
      if (step.action === 'restart' || step.action === 'replace') return instance.relaunchPending;
      const goal = pod?.tasks.find((t) => t.name === record.name)?.goal;
      return goal !== 'ONCE' && record.configId !== this.targetConfigId;
    });
    for (const record of outdated) {
      if (this.#killRequested.has(record.taskId!)) continue;
      this.#killRequested.add(record.taskId!);
      context.send({ type: 'task.kill', frameworkId: this.id, taskId: record.taskId! });
      this.#note(`killing ${record.taskId} (${step.action === 'launch' ? 'config update' : step.action})`);
    }
    return outdated.length > 0;
  }

  #launch(step: Step, instance: PodInstance, offers: readonly Offer[], used: Set<string>, context: SchedulerContext): void {
    const pod = this.#pod(instance.podType);
    if (!pod || offers.length === 0) return;
    // With some tasks still live (a non-essential one ended), only the missing ones are launched.
    const live = liveTasks(instance);
    const wanted = step.action === 'run' ? step.tasks : this.#deployTasks(instance);
    const missing = wanted.filter(
      (name) =>
        !live.includes(name) &&
        !(step.action === 'run' && instance.tasks[name]?.state === 'TASK_FINISHED') &&
        !(pod.tasks.find((t) => t.name === name)?.goal === 'ONCE' && instance.tasks[name]?.state === 'TASK_FINISHED'),
    );
    if (missing.length === 0 || (live.length > 0 && instance.agentId === null)) return;
    if (step.action === 'run' && instance.agentId === null) {
      this.#unmatched.add(step.name);
      step.reasons = [`${instance.name} is not deployed yet: a plan's tasks run on its reservations`];
      return;
    }
    const evaluationContext = {
      layout: context.layout,
      role: this.role,
      principal: this.spec.name,
      placed: [...this.instances.values()]
        .filter((other) => other !== instance && other.podType === instance.podType && other.target && !other.decommissioned)
        .map((other) => other.target!),
      known: [...this.#known.values()],
      newId: (prefix: string) => `${prefix}${++this.#ids}`,
      configId: this.targetConfigId,
      ...(live.length > 0 || step.action === 'run' ? { only: missing } : { launch: missing }),
      ...(step.action === 'run' && this.#planParameters.has(this.#planOf(step))
        ? { env: this.#planParameters.get(this.#planOf(step))! }
        : {}),
    };
    const evaluations: Evaluation[] = [];
    for (const offer of offers) {
      const evaluation = evaluateOffer(offer, instance, pod, evaluationContext);
      evaluations.push(evaluation);
      if (!evaluation.operations) continue;
      // Record first, then act: a launch lost in flight is still known and reconciled.
      if (evaluation.placement) Object.assign(instance, evaluation.placement);
      instance.agentId = offer.agentId;
      instance.target = { hostname: offer.hostname, attributes: offer.attributes };
      instance.reserved = { ...instance.reserved, ...evaluation.reserved! };
      instance.configId = this.targetConfigId;
      instance.relaunchPending = false;
      instance.avoidAgentId = null;
      for (const task of evaluation.tasks!) {
        Object.assign(instance.tasks[task.name], {
          taskId: task.spec.taskId,
          state: 'TASK_STAGING',
          ready: false,
          configId: this.targetConfigId,
        });
        this.taskStates.set(task.spec.taskId, 'TASK_STAGING');
      }
      used.add(offer.id);
      context.send({
        type: 'offer.accept',
        frameworkId: this.id,
        offerIds: [offer.id],
        operations: evaluation.operations,
        refuseSeconds: this.framework.refuseSeconds,
      });
      step.reasons = evaluation.stages.map((stage) => `${stage.stage}: ${stage.reason}`);
      this.#unmatched.delete(step.name);
      this.evaluations.set(step.name, [evaluation]);
      this.#note(`${step.action} ${instance.name} on ${offer.agentId}`);
      return;
    }
    this.evaluations.set(step.name, evaluations);
    this.#unmatched.add(step.name);
    step.reasons = evaluations.map((evaluation) => {
      const failed = evaluation.stages.find((stage) => !stage.pass)!;
      return `${evaluation.agentId}: ${failed.stage}: ${failed.reason}`;
    });
  }

  #decommission(step: Step, instance: PodInstance, _offers: readonly Offer[], _used: Set<string>, _context: SchedulerContext): void {
    if (liveTasks(instance).length > 0 || instance.decommissioned) return;
    for (const id of ownedResourceIds(instance)) this.garbage.add(id);
    forgetPlacement(instance);
    instance.decommissioned = true;
    this.#note(`decommissioned ${instance.name}; its reservations are given back when offered`);
    void step;
  }

  // Task updates -------------------------------------------------------------

  #taskRecord(taskId: string): [PodInstance, string] | undefined {
    for (const instance of this.instances.values())
      for (const record of Object.values(instance.tasks)) if (record.taskId === taskId) return [instance, record.name];
    return undefined;
  }

  #whenRunning(instance: PodInstance, name: string, context: SchedulerContext): void {
    const record = instance.tasks[name];
    const task = this.#pod(instance.podType)?.tasks.find((t) => t.name === name);
    const delay = task?.readinessDelayMs ?? null;
    if (delay === null) this.#ready(instance, name);
    else {
      const taskId = record.taskId;
      context.schedule(context.nowMs + delay, () => {
        if (this.#retired || record.taskId !== taskId || record.state !== 'TASK_RUNNING') return;
        this.#ready(instance, name);
        this.#sync();
        this.#wake(context);
      });
    }
  }

  #ready(instance: PodInstance, name: string): void {
    instance.tasks[name].ready = true;
    const pod = this.#pod(instance.podType);
    if (pod && instanceDone(instance, pod, this.targetConfigId, this.#deployTasks(instance))) {
      instance.failedAtMs = null;
      instance.readySinceMs = this.#context?.nowMs ?? 0;
      this.#note(`${instance.name} is ready`);
    }
  }

  #whenEnded(instance: PodInstance, name: string, state: TaskState, context: SchedulerContext): void {
    const record = instance.tasks[name];
    record.ready = false;
    instance.readySinceMs = null;
    if (record.taskId && this.#killRequested.delete(record.taskId)) return;
    if (instance.decommissioned) return;
    const task = this.#pod(instance.podType)?.tasks.find((t) => t.name === name);
    if (state === 'TASK_FINISHED' && task && task.goal !== 'RUNNING') return;
    // A plan's sidecar task that fails is relaunched by its plan step, not recovered with the pod.
    if (!this.#deployTasks(instance).includes(name)) return;
    const spec = this.spec;
    if (instance.failedAtMs === null) {
      instance.failedAtMs = context.nowMs;
      const deadline = context.nowMs + spec.failureTimeoutMs;
      context.schedule(deadline, () => this.#permanentCheck(instance, deadline, context));
    }
    if (state === 'TASK_FAILED' || state === 'TASK_ERROR') {
      // Backoff grows with each failure and starts over once the pod has run well for a full maximum delay.
      const stable = instance.readySinceMs !== null && context.nowMs - instance.readySinceMs >= spec.backoff.maxMs;
      instance.backoffMs =
        instance.backoffMs === null || stable
          ? spec.backoff.initialMs
          : Math.min(instance.backoffMs * spec.backoff.factor, spec.backoff.maxMs);
      instance.delayedUntilMs = context.nowMs + instance.backoffMs;
      context.schedule(instance.delayedUntilMs, () => {
        if (this.#retired) return;
        this.#sync();
        this.#wake(context);
      });
    }
    // An essential task takes its pod down with it; the pod is relaunched whole.
    if (task?.essential !== false) {
      for (const other of Object.values(instance.tasks)) {
        if (other === record || !other.taskId || !other.state || isTerminal(other.state)) continue;
        this.#killRequested.add(other.taskId);
        context.send({ type: 'task.kill', frameworkId: this.id, taskId: other.taskId });
      }
    }
    if (this.#deployComplete(instance)) this.#recoveryStep(instance, 'recover');
    this.#note(`${instance.name}: ${name} ${state}`);
  }

  #deployComplete(instance: PodInstance): boolean {
    return (
      this.plan('deploy')?.phases.some((phase) =>
        phase.steps.some((step) => step.podInstance === instance.name && step.status === 'COMPLETE'),
      ) ?? false
    );
  }

  /** The failure timeout passed and the pod is still not running: replace it elsewhere. */
  #permanentCheck(instance: PodInstance, deadline: number, context: SchedulerContext): void {
    if (this.#retired) return;
    const pod = this.#pod(instance.podType);
    if (
      instance.failedAtMs === null ||
      instance.failedAtMs + this.spec.failureTimeoutMs !== deadline ||
      !pod ||
      instanceDone(instance, pod, this.targetConfigId, this.#deployTasks(instance))
    )
      return;
    this.#replace(instance, 'failure timeout');
    this.#sync();
    this.#wake(context);
  }

  #replace(instance: PodInstance, why: string): void {
    const from = instance.agentId;
    for (const id of ownedResourceIds(instance)) this.garbage.add(id);
    forgetPlacement(instance);
    instance.avoidAgentId = from;
    for (const record of Object.values(instance.tasks)) {
      if (record.state === null || isTerminal(record.state) || !record.taskId) continue;
      this.#killRequested.add(record.taskId);
      this.#context?.send({ type: 'task.kill', frameworkId: this.id, taskId: record.taskId });
    }
    instance.relaunchPending = true;
    this.#recoveryStep(instance, 'replace');
    const seed = instance.podType === this.spec.pods[0]?.type && instance.index < this.spec.seeds;
    this.#note(`permanent replacement of ${instance.name} from ${from ?? 'nowhere'} (${why})${seed ? '; re-seeding the ring' : ''}`);
  }

  #podControl(type: 'pod.replace' | 'pod.restart', name: string): ControlResult {
    const instance = this.instances.get(name);
    if (!instance || instance.decommissioned) return { ok: false, code: 'unknown_pod', message: `no pod instance ${name}` };
    if (type === 'pod.replace') this.#replace(instance, 'pod replace');
    else {
      this.#clearDelay(name);
      instance.relaunchPending = true;
      this.#recoveryStep(instance, 'restart');
    }
    return { ok: true, changed: true, message: `${type === 'pod.replace' ? 'replacing' : 'restarting'} ${name}` };
  }

  #planOf(step: Step): string {
    return this.planList.find((plan) => plan.phases.some((phase) => phase.steps.includes(step)))?.name ?? '';
  }

  /** Start a custom plan (with parameters for its tasks' environment): its steps run again from the start. */
  #startPlan(name: string, parameters: Record<string, string>): ControlResult {
    const plan = this.plan(name);
    if (plan?.kind !== 'custom') return { ok: false, code: 'unknown_plan', message: `no custom plan ${name}` };
    const steps = plan.phases.flatMap((phase) => phase.steps);
    if (!plan.strategy.interrupted && steps.some((step) => step.status !== 'COMPLETE'))
      return { ok: true, changed: false, message: `already done: ${name} is running` };
    this.#planParameters.set(name, parameters);
    for (const step of steps) {
      Object.assign(step, { status: 'PENDING', interrupted: false, reasons: [] });
      const instance = this.instances.get(step.podInstance);
      for (const task of step.tasks)
        if (instance?.tasks[task]) Object.assign(instance.tasks[task], { taskId: null, state: null, ready: false });
    }
    for (const phase of plan.phases) phase.strategy.interrupted = false;
    plan.strategy.interrupted = false;
    return {
      ok: true,
      changed: true,
      message: `started ${name}${
        Object.keys(parameters).length
          ? ` with ${Object.entries(parameters)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')}`
          : ''
      }`,
    };
  }

  /** Stop a custom plan: it is interrupted and what its steps run is killed. */
  #stopPlan(name: string): ControlResult {
    const plan = this.plan(name);
    if (plan?.kind !== 'custom') return { ok: false, code: 'unknown_plan', message: `no custom plan ${name}` };
    const running = plan.phases
      .flatMap((phase) => phase.steps)
      .flatMap((step) => step.tasks.map((task) => this.instances.get(step.podInstance)?.tasks[task]))
      .filter((record) => record?.taskId && record.state && !isTerminal(record.state));
    const toKill = running.filter((record) => !this.#killRequested.has(record!.taskId!));
    if (plan.strategy.interrupted && toKill.length === 0) return { ok: true, changed: false, message: `already done: ${name} is stopped` };
    plan.strategy.interrupted = true;
    for (const record of toKill) {
      this.#killRequested.add(record!.taskId!);
      this.#context?.send({ type: 'task.kill', frameworkId: this.id, taskId: record!.taskId! });
    }
    return { ok: true, changed: true, message: `stopped ${name}${toKill.length ? `, killing ${toKill.length} task(s)` : ''}` };
  }

  #clearDelay(name: string): void {
    const instance = this.instances.get(name);
    if (!instance) return;
    instance.delayedUntilMs = null;
    instance.backoffMs = null;
  }

  /** A new target config: validated against the current one; a bad one keeps the old target. */
  #update(spec: ServiceSpec): ControlResult {
    const problems = specChangeProblems(this.spec, spec);
    if (problems.length > 0) {
      this.configErrors = problems;
      return { ok: false, code: 'invalid_config', message: problems.join('; ') };
    }
    this.configErrors = [];
    const previous = this.spec;
    this.targetConfigId = Math.max(...this.configs.keys()) + 1;
    this.configs.set(this.targetConfigId, spec);
    const index = this.planList.findIndex((plan) => plan.kind === 'deploy');
    this.planList.splice(index, 1, this.#deployPlan(spec, spec.updateStrategy));
    // The new spec's custom plans replace the old ones (stopped, like every new custom plan).
    for (let i = this.planList.length - 1; i >= 0; i--) if (this.planList[i].kind === 'custom') this.planList.splice(i, 1);
    this.planList.push(...this.#customPlans(spec));
    const removed = previous.pods.flatMap((pod) => {
      const count = spec.pods.find((p) => p.type === pod.type)?.count ?? 0;
      return [...this.instances.values()].filter((i) => i.podType === pod.type && i.index >= count && !i.decommissioned);
    });
    if (removed.length > 0) {
      const steps = removed.map((instance) => newStep(instance.name, Object.keys(instance.tasks), 'decommission'));
      this.planList.push(
        newPlan(`decommission-${this.targetConfigId}`, 'decommission', [newPhase('decommission', steps, { kind: 'serial' })]),
      );
    }
    return { ok: true, changed: true, message: `config ${this.targetConfigId} is the target` };
  }

  /** Uninstall: every other plan stops, every pod is decommissioned, every reservation given back. */
  #uninstall(): ControlResult {
    const live = [...this.instances.values()].filter((instance) => !instance.decommissioned);
    if (this.plan('uninstall')) return { ok: true, changed: false, message: 'already done: uninstall is under way' };
    for (const plan of this.planList) plan.strategy.interrupted = true;
    const steps = live.map((instance) => newStep(instance.name, Object.keys(instance.tasks), 'decommission'));
    this.planList.push(newPlan('uninstall', 'decommission', [newPhase('uninstall', steps, { kind: 'parallel' })]));
    return { ok: true, changed: true, message: `uninstalling ${live.length} pod instance(s)` };
  }

  // Restarts ----------------------------------------------------------------------

  /** Everything the scheduler must keep across its own restart (the SDK's state store). */
  snapshot(): ServiceSchedulerSnapshot {
    this.#sync();
    return toSnapshot({
      configs: this.configs,
      targetConfigId: this.targetConfigId,
      configErrors: this.configErrors,
      instances: this.instances,
      garbage: this.garbage,
      ids: this.#ids,
      log: this.log,
      plans: this.planList,
    });
  }

  /**
   * A scheduler restarted from its snapshot: the failure clocks come back with
   * it (the SDK lost them), so a pod's permanent replacement keeps its deadline.
   */
  static restore(framework: FrameworkConfig, snapshot: ServiceSchedulerSnapshot, context: SchedulerContext): ServiceScheduler {
    const state = fromSnapshot(snapshot);
    const scheduler = new ServiceScheduler(framework, state.configs.get(state.targetConfigId)!);
    scheduler.configs.clear();
    for (const [id, spec] of state.configs) scheduler.configs.set(id, spec);
    scheduler.targetConfigId = state.targetConfigId;
    scheduler.configErrors = state.configErrors;
    for (const [name, instance] of state.instances) scheduler.instances.set(name, instance);
    for (const id of state.garbage) scheduler.garbage.add(id);
    scheduler.#ids = state.ids;
    scheduler.log.push(...state.log);
    scheduler.planList.splice(0, scheduler.planList.length, ...state.plans);
    scheduler.#context = context;
    for (const instance of scheduler.instances.values()) {
      if (instance.failedAtMs !== null) {
        const deadline = instance.failedAtMs + scheduler.spec.failureTimeoutMs;
        context.schedule(deadline, () => scheduler.#permanentCheck(instance, deadline, context));
      }
      for (const record of Object.values(instance.tasks)) {
        if (record.state === 'TASK_RUNNING' && !record.ready) scheduler.#whenRunning(instance, record.name, context);
      }
    }
    scheduler.#note('restarted from its state store');
    return scheduler;
  }

  /** This scheduler has been replaced by a restarted one. */
  retire(): void {
    this.#retired = true;
  }

  /** The scheduler process restarts: a new one from this one's state store; this one stops acting. */
  restart(context: SchedulerContext): FrameworkModel {
    const next = ServiceScheduler.restore(this.framework, this.snapshot(), context);
    this.retire();
    return next;
  }

  // Housekeeping ----------------------------------------------------------------

  /** Offers are wanted again: revive if offers were suppressed. */
  #wake(context: SchedulerContext): void {
    if (!this.#suppressed) return;
    if (this.#workingSteps().length === 0 && this.garbage.size === 0) return;
    this.#suppressed = false;
    context.send({ type: 'framework.revive', frameworkId: this.id });
  }

  #note(what: string): void {
    this.log.push({ atMs: this.#context?.nowMs ?? 0, what });
  }
}
