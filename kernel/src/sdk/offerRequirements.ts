/**
 * Every requirement of a pod's first launch that an offer fails, not only
 * the first: each placement rule, the ports, and each of cpus, mem and disk,
 * as named codes (like Nomad's feasibility reasons) with the figures asked
 * and offered and a sentence. The offer evaluator runs it before building
 * operations, so a step that fails on cpus and on a placement rule at once
 * reports both.
 */
import type { Offer } from '../offers/offer.js';
import type { ResourceLayout } from '../resources/layout.js';
import { rangesCount } from '../resources/ranges.js';
import type { PlacementTarget } from './constraints.js';
import { placementFailures } from './constraints.js';
import type { PodSpec } from './serviceSpec.js';

export const OFFER_REASON = {
  PLACEMENT_RULE: 'PLACEMENT_RULE',
  RESERVED_ELSEWHERE: 'RESERVED_ELSEWHERE',
  AVOIDED_AGENT: 'AVOIDED_AGENT',
  INSUFFICIENT_PORTS: 'INSUFFICIENT_PORTS',
  INSUFFICIENT_RESOURCES: 'INSUFFICIENT_RESOURCES',
  MISSING_RESERVATION: 'MISSING_RESERVATION',
  MISSING_VOLUME: 'MISSING_VOLUME',
  LAUNCH_FAILED: 'LAUNCH_FAILED',
} as const;

export type OfferReasonCode = (typeof OFFER_REASON)[keyof typeof OFFER_REASON];

export interface StageOutcome {
  readonly stage: 'placement' | 'executor' | 'ports' | 'scalars' | 'volumes' | 'launch';
  readonly pass: boolean;
  readonly reason: string;
  /** On a failure: what failed. */
  readonly code?: OfferReasonCode;
  /** On a failed resource (ports: a count): its name, what the pod asks and what the offer has. */
  readonly resource?: string;
  readonly asked?: number;
  readonly offered?: number;
}

const EPSILON = 1e-6;

export interface PlacementInputs {
  readonly placed: readonly PlacementTarget[];
  readonly known: readonly PlacementTarget[];
}

/** The failing requirements of a first launch of `pod` on `offer`, in pipeline order; empty when it fits. */
export function firstLaunchFailures(offer: Offer, pod: PodSpec, layout: ResourceLayout, inputs: PlacementInputs): StageOutcome[] {
  const failures: StageOutcome[] = [];
  const target: PlacementTarget = { hostname: offer.hostname, attributes: offer.attributes };
  for (const reason of placementFailures(pod.constraints, target, inputs.placed, inputs.known))
    failures.push({ stage: 'placement', pass: false, code: OFFER_REASON.PLACEMENT_RULE, reason });
  const portsNeeded = pod.tasks.reduce((sum, task) => sum + task.ports, 0);
  const portsOffered = rangesCount(offer.resources.ports);
  if (portsOffered < portsNeeded)
    failures.push({
      stage: 'ports',
      pass: false,
      code: OFFER_REASON.INSUFFICIENT_PORTS,
      resource: 'ports',
      asked: portsNeeded,
      offered: portsOffered,
      reason: `insufficient ports: need ${portsNeeded}, offer has ${portsOffered}`,
    });
  const need: Record<string, number> = { cpus: 0, mem: 0, disk: 0 };
  for (const task of pod.tasks) {
    need.cpus += task.cpus;
    need.mem += task.memMb;
    need.disk += task.diskMb;
  }
  for (const volume of pod.volumes) need.disk += volume.sizeMb;
  const have = layout.quantities(offer.resources.scalars);
  for (const [name, amount] of Object.entries(need)) {
    const offered = have[name] ?? 0;
    if (offered + EPSILON < amount)
      failures.push({
        stage: 'scalars',
        pass: false,
        code: OFFER_REASON.INSUFFICIENT_RESOURCES,
        resource: name,
        asked: round(amount),
        offered: round(offered),
        reason: `insufficient ${name}: need ${round(amount)}, offer has ${round(offered)} unreserved`,
      });
  }
  return failures;
}

export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
