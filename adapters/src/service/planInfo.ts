/**
 * Plans as DC/OS Commons shows them (`PlanInfo`, `PhaseInfo`, `StepInfo`):
 * `{ phases: [{ id, name, steps: [{ id, status, name, message }], strategy,
 * status }], errors, strategy, status }`, with the SDK's status words. Ids
 * are UUIDs derived from the service, plan, phase and step names, so they
 * stay the same across restarts and can be passed back as `phase` / `step`.
 * A service that has not needed recovery yet still shows a complete,
 * empty recovery plan, as the SDK does.
 */
import { createHash } from 'node:crypto';
import type { PlanView } from '@allot/kernel';

type Json = Record<string, any>;

/** A name-based UUID (version 5 layout over SHA-1). */
export function elementId(...names: readonly string[]): string {
  const hex = createHash('sha1').update(names.join('\u0000')).digest('hex').slice(0, 32).split('');
  hex[12] = '5';
  hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const text = hex.join('');
  return `${text.slice(0, 8)}-${text.slice(8, 12)}-${text.slice(12, 16)}-${text.slice(16, 20)}-${text.slice(20)}`;
}

export function emptyRecoveryPlan(): PlanView {
  return { name: 'recovery', kind: 'recovery', status: 'COMPLETE', strategy: 'parallel', phases: [] };
}

export function planInfo(service: string, plan: PlanView): Json {
  return {
    phases: plan.phases.map((phase) => ({
      id: elementId(service, plan.name, phase.name),
      name: phase.name,
      steps: phase.steps.map((step) => ({
        id: elementId(service, plan.name, phase.name, step.name),
        status: step.status,
        name: step.name,
        message: step.reasons.length > 0 ? step.reasons.join('; ') : `${step.name} has status ${step.status}`,
      })),
      strategy: phase.strategy,
      status: phase.status,
    })),
    errors: plan.errors ?? [],
    strategy: plan.strategy,
    status: plan.status,
  };
}

/** The HTTP status of `GET /v1/plans/{plan}` (and of `/v1/health`): 417 with errors, 200 complete, else 202. */
export function planHttpStatus(plans: readonly PlanView[]): number {
  if (plans.some((plan) => plan.status === 'ERROR' || (plan.errors?.length ?? 0) > 0)) return 417;
  return plans.every((plan) => plan.status === 'COMPLETE') ? 200 : 202;
}

/** A phase or step named by its name or its id; undefined when there is no such element. */
export function resolveElement(
  service: string,
  plan: PlanView,
  phase?: string,
  step?: string,
): { phase?: string; step?: string } | undefined {
  if (phase === undefined) return {};
  const found = plan.phases.find((candidate) => candidate.name === phase || elementId(service, plan.name, candidate.name) === phase);
  if (!found) return undefined;
  if (step === undefined) return { phase: found.name };
  const foundStep = found.steps.find(
    (candidate) => candidate.name === step || elementId(service, plan.name, found.name, candidate.name) === step,
  );
  return foundStep ? { phase: found.name, step: foundStep.name } : { phase: found.name, step: undefined };
}
