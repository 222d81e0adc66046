/**
 * The plan scheduler (SDK `DefaultPlanScheduler`): offers to working steps.
 * For each step it first kills what must go (tasks under an old config in a
 * rolling update, what a restart or replace relaunches, what a decommission
 * removes) and waits for them to end; then it evaluates the free offers for
 * the step's pod instance (offerEvaluator.ts) and accepts the first that
 * passes, recording the placement before the accept leaves (record, then
 * act). Evaluations are kept per step for `debug/offers`; a step whose
 * offers all failed shows PREPARED with every reason.
 */
import type { Offer } from '../offers/offer.js';
import type { SchedulerContext } from '../schedulers/frameworkModel.js';
import { isTerminal } from '../tasks/taskState.js';
import { decommissionStep } from './decommission.js';
import type { Evaluation } from './offerEvaluator.js';
import { evaluateOffer } from './offerEvaluator.js';
import type { Step } from './plan.js';
import type { PodInstance } from './podInstance.js';
import type { ServiceState } from './serviceState.js';
import { liveTasks } from './stepProgress.js';

export class PlanScheduler {
  constructor(
    private readonly state: ServiceState,
    private readonly refuseSeconds: number,
  ) {}

  /** Works the steps on the offers; `used` collects the offers it accepted. */
  resourceOffers(steps: readonly Step[], offers: readonly Offer[], used: Set<string>, context: SchedulerContext): void {
    for (const step of steps) {
      const instance = this.state.instances.get(step.podInstance)!;
      if (this.#killOutdated(step, instance)) continue;
      const free = offers.filter((offer) => !used.has(offer.id));
      if (step.action === 'decommission') decommissionStep(this.state, instance);
      else if (!((instance.delayedUntilMs ?? 0) > context.nowMs)) this.#launch(step, instance, free, used, context);
    }
  }

  /** Kills what runs under an old config (rolling update) or what a restart replaces; true while waiting. */
  #killOutdated(step: Step, instance: PodInstance): boolean {
    const { state } = this;
    const pod = state.pod(instance.podType);
    const outdated = Object.values(instance.tasks).filter((record) => {
      if (record.taskId === null || record.state === null || isTerminal(record.state)) return false;
      if (step.action === 'decommission') return true;
      if (step.action === 'restart' || step.action === 'replace') return instance.relaunchPending;
      const goal = pod?.tasks.find((t) => t.name === record.name)?.goal;
      return goal !== 'ONCE' && record.configId !== state.targetConfigId;
    });
    for (const record of outdated) {
      if (state.killRequested.has(record.taskId!)) continue;
      state.kill(record.taskId!);
      state.note(`killing ${record.taskId} (${step.action === 'launch' ? 'config update' : step.action})`);
    }
    // An unreachable task is killed (should its agent return) but not waited for: it may never answer.
    return outdated.some((record) => record.state !== 'TASK_UNREACHABLE');
  }

  /** The tasks the step still has to launch: with some still live (a non-essential one ended), only the missing ones. */
  #missingTasks(step: Step, instance: PodInstance, live: readonly string[]): string[] {
    const pod = this.state.pod(instance.podType)!;
    const wanted = step.action === 'run' ? step.tasks : this.state.deployTasks(instance);
    return wanted.filter(
      (name) =>
        !live.includes(name) &&
        !(step.action === 'run' && instance.tasks[name]?.state === 'TASK_FINISHED') &&
        !(pod.tasks.find((t) => t.name === name)?.goal === 'ONCE' && instance.tasks[name]?.state === 'TASK_FINISHED'),
    );
  }

  #launch(step: Step, instance: PodInstance, offers: readonly Offer[], used: Set<string>, context: SchedulerContext): void {
    const { state } = this;
    const pod = state.pod(instance.podType);
    if (!pod || offers.length === 0) return;
    const live = liveTasks(instance);
    const missing = this.#missingTasks(step, instance, live);
    if (missing.length === 0 || (live.length > 0 && instance.agentId === null)) return;
    if (step.action === 'run' && instance.agentId === null) {
      state.unmatched.add(step.name);
      step.reasons = [`${instance.name} is not deployed yet: a plan's tasks run on its reservations`];
      return;
    }
    const plan = state.planOf(step);
    const evaluationContext = {
      layout: context.layout,
      role: state.role,
      principal: state.spec.principal ?? state.spec.name,
      serviceName: state.spec.name,
      placed: [...state.instances.values()]
        .filter((other) => other !== instance && other.podType === instance.podType && other.target && !other.decommissioned)
        .map((other) => other.target!),
      known: [...state.knownAgents.values()],
      newId: (prefix: string) => state.newId(prefix),
      configId: state.targetConfigId,
      ...(live.length > 0 || step.action === 'run' ? { only: missing } : { launch: missing }),
      ...(step.action === 'run' && state.planParameters.has(plan) ? { env: state.planParameters.get(plan)! } : {}),
    };
    const evaluations: Evaluation[] = [];
    for (const offer of offers) {
      const evaluation = evaluateOffer(offer, instance, pod, evaluationContext);
      evaluations.push(evaluation);
      if (!evaluation.operations) continue;
      this.#record(instance, offer, evaluation);
      used.add(offer.id);
      context.send({
        type: 'offer.accept',
        frameworkId: state.frameworkId,
        offerIds: [offer.id],
        operations: evaluation.operations,
        refuseSeconds: this.refuseSeconds,
      });
      step.reasons = evaluation.stages.map((stage) => `${stage.stage}: ${stage.reason}`);
      state.unmatched.delete(step.name);
      state.evaluations.set(step.name, [evaluation]);
      state.note(`${step.action} ${instance.name} on ${offer.agentId}`);
      return;
    }
    state.evaluations.set(step.name, evaluations);
    state.unmatched.add(step.name);
    // Every failing requirement of each offer, not only the first (offerRequirements.ts).
    step.reasons = evaluations.map((evaluation) => {
      const failed = evaluation.stages.filter((stage) => !stage.pass);
      return `${evaluation.agentId}: ${failed.map((stage) => `${stage.stage}: ${stage.reason}`).join('; ')}`;
    });
  }

  /** Record first, then act: a launch lost in flight is still known and reconciled. */
  #record(instance: PodInstance, offer: Offer, evaluation: Evaluation): void {
    const { state } = this;
    if (evaluation.placement) Object.assign(instance, evaluation.placement, { unconfirmed: true });
    instance.agentId = offer.agentId;
    instance.target = { hostname: offer.hostname, attributes: offer.attributes };
    instance.reserved = { ...instance.reserved, ...evaluation.reserved! };
    instance.configId = state.targetConfigId;
    instance.relaunchPending = false;
    instance.avoidAgentId = null;
    for (const task of evaluation.tasks!) {
      Object.assign(instance.tasks[task.name], {
        taskId: task.spec.taskId,
        state: 'TASK_STAGING',
        ready: false,
        configId: state.targetConfigId,
      });
      state.taskStates.set(task.spec.taskId, 'TASK_STAGING');
    }
  }
}
