/**
 * Marathon's rejection funnel: an offer is matched against one app in a
 * fixed order: role, each constraint, missing reservation, maintenance,
 * then cpus, mem, disk, gpus (other scalars after, by name) and ports.
 * Every stage is checked, so a refusal lists every failing requirement
 * (each with a named code, a sentence, and the figures asked and offered for
 * resources), not only the first; the first names the funnel stage
 * (Marathon counts offers by it). A match carries the resources carved for
 * one instance. Pure: the caller keeps the reasons.
 */
import type { Offer } from '../../offers/offer.js';
import type { ResourceLayout, ResourceQuantities } from '../../resources/layout.js';
import { WELL_KNOWN_SCALARS } from '../../resources/layout.js';
import { NO_RANGES, rangesCount } from '../../resources/ranges.js';
import type { ResourceSet } from '../../resources/resourceSet.js';
import { SCALAR_EPSILON } from '../../resources/vector.js';
import type { PlacementConstraint, PlacementTarget } from '../../sdk/constraints.js';
import { placementFailures } from '../../sdk/constraints.js';
import { carveTask } from '../../schedulers/carveTask.js';

/** The funnel's named reason codes (a resource's code is `insufficient-<name>`, e.g. `insufficient-cpus`). */
export const FUNNEL_REASON = {
  ROLE: 'role',
  CONSTRAINT: 'constraint',
  MISSING_RESERVATION: 'missing-reservation',
  MAINTENANCE: 'maintenance',
  INSUFFICIENT_PORTS: 'insufficient-ports',
} as const;

export type RejectionCode = 'role' | 'constraint' | 'missing-reservation' | 'maintenance' | `insufficient-${string}`;

/** One failing requirement: its code, a sentence, and for a resource what the app asks and the offer has. */
export interface FunnelFailure {
  readonly code: RejectionCode;
  readonly reason: string;
  readonly resource?: string;
  readonly asked?: number;
  readonly offered?: number;
}

/** A refusal names its first failing stage (`code`, `reason`) and lists every failure, that one first. */
export type FunnelResult =
  | { ok: true; resources: ResourceSet }
  | { ok: false; code: RejectionCode; reason: string; failures: readonly FunnelFailure[] };

/** An announced maintenance window: the host takes no new instances while it lasts. */
export interface MaintenanceWindow {
  readonly hostname: string;
  readonly startMs: number;
  readonly durationMs: number;
}

/** What the funnel needs of an app. */
export interface FunnelApp {
  readonly role: string;
  /** "*" for unreserved resources, the app's role for reserved ones; null accepts both. */
  readonly acceptedResourceRoles: readonly string[] | null;
  readonly constraints: readonly PlacementConstraint[];
  readonly resources: ResourceQuantities;
  readonly ports: number;
}

export interface FunnelContext {
  readonly nowMs: number;
  readonly layout: ResourceLayout;
  /** Where the app's instances already run, and every agent seen in offers (for GROUP_BY). */
  readonly placed: readonly PlacementTarget[];
  readonly known: readonly PlacementTarget[];
  readonly maintenance: readonly MaintenanceWindow[];
}

/** The part of `available` the app accepts: unreserved, and/or reserved for its role (never volumes). */
export function acceptedResources(available: ResourceSet, app: FunnelApp, layout: ResourceLayout): ResourceSet {
  const accepted = app.acceptedResourceRoles;
  const unreserved = accepted === null || accepted.includes('*');
  const reserved = accepted === null || accepted.includes(app.role);
  return {
    scalars: unreserved ? available.scalars : layout.zero(),
    ports: unreserved ? available.ports : NO_RANGES,
    reserved: reserved ? available.reserved.filter((part) => part.role === app.role && !part.volume) : [],
  };
}

/** Scalars in funnel order: the well-known four first, then the rest by name. */
export function funnelOrder(resources: ResourceQuantities): string[] {
  const rest = Object.keys(resources)
    .filter((name) => !WELL_KNOWN_SCALARS.includes(name))
    .sort();
  return [...WELL_KNOWN_SCALARS.filter((name) => name in resources), ...rest];
}

function amountOf(set: ResourceSet, layout: ResourceLayout, name: string): number {
  const slot = layout.slotOf(name);
  if (slot < 0) return 0;
  return set.reserved.reduce((sum, part) => sum + part.scalars[slot], set.scalars[slot]);
}

/** Every requirement of `app` that the offer fails, in funnel order; empty when the app fits. */
export function funnelFailures(offer: Offer, available: ResourceSet, app: FunnelApp, context: FunnelContext): FunnelFailure[] {
  const failures: FunnelFailure[] = [];
  if (offer.role !== app.role)
    failures.push({ code: FUNNEL_REASON.ROLE, reason: `offer is for role ${offer.role}, the app runs as ${app.role}` });
  const target: PlacementTarget = { hostname: offer.hostname, attributes: offer.attributes };
  for (const reason of placementFailures(app.constraints, target, context.placed, context.known))
    failures.push({ code: FUNNEL_REASON.CONSTRAINT, reason });
  const view = acceptedResources(available, app, context.layout);
  const reservedOnly = app.acceptedResourceRoles !== null && !app.acceptedResourceRoles.includes('*');
  if (reservedOnly && !view.reserved.some((part) => part.scalars.some((amount) => amount > 0)))
    failures.push({
      code: FUNNEL_REASON.MISSING_RESERVATION,
      reason: `the app accepts only resources reserved for ${app.role}; agent ${offer.hostname} offers none`,
    });
  const window = context.maintenance.find(
    (w) => w.hostname === offer.hostname && context.nowMs >= w.startMs && context.nowMs < w.startMs + w.durationMs,
  );
  if (window)
    failures.push({
      code: FUNNEL_REASON.MAINTENANCE,
      reason: `agent ${offer.hostname} is in maintenance until ${window.startMs + window.durationMs} ms`,
    });
  for (const name of funnelOrder(app.resources)) {
    const asked = app.resources[name];
    const offered = roundForHumans(amountOf(view, context.layout, name));
    if (amountOf(view, context.layout, name) + SCALAR_EPSILON < asked)
      failures.push({
        code: `insufficient-${name}`,
        resource: name,
        asked,
        offered,
        reason: `insufficient ${name}: need ${asked}, offered ${offered}`,
      });
  }
  const ports = rangesCount(view.ports);
  if (ports < app.ports)
    failures.push({
      code: FUNNEL_REASON.INSUFFICIENT_PORTS,
      resource: 'ports',
      asked: app.ports,
      offered: ports,
      reason: `insufficient ports: need ${app.ports}, offered ${ports}`,
    });
  return failures;
}

export function evaluateOffer(offer: Offer, available: ResourceSet, app: FunnelApp, context: FunnelContext): FunnelResult {
  const failures = funnelFailures(offer, available, app, context);
  if (failures.length > 0) return { ok: false, code: failures[0].code, reason: failures[0].reason, failures };
  const view = acceptedResources(available, app, context.layout);
  const wanted = Object.fromEntries(Object.entries(app.resources).filter(([, amount]) => amount > 0));
  const resources = carveTask(view, context.layout, wanted, app.ports);
  // Every amount was checked above, so carving cannot fail.
  if (!resources) throw new Error(`carving failed after the funnel passed for offer ${offer.id}`);
  return { ok: true, resources };
}

function roundForHumans(value: number): number {
  return Math.round(value * 1000) / 1000;
}
