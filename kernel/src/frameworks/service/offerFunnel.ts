/**
 * Marathon's rejection funnel: an offer is matched against one app in a
 * fixed order and the first stage that fails names the reason: role,
 * constraint, missing reservation, maintenance, then insufficient cpus, mem,
 * disk, gpus (other scalars after, by name) and ports. A match carries the
 * resources carved for one instance. Pure: the caller keeps the reasons.
 */
import type { Offer } from '../../offers/offer.js';
import type { ResourceLayout, ResourceQuantities } from '../../resources/layout.js';
import { WELL_KNOWN_SCALARS } from '../../resources/layout.js';
import { NO_RANGES, rangesCount } from '../../resources/ranges.js';
import type { ResourceSet } from '../../resources/resourceSet.js';
import { SCALAR_EPSILON } from '../../resources/vector.js';
import type { PlacementConstraint, PlacementTarget } from '../../sdk/constraints.js';
import { placementAllows } from '../../sdk/constraints.js';
import { carveTask } from '../../schedulers/carveTask.js';

export type RejectionCode = 'role' | 'constraint' | 'missing-reservation' | 'maintenance' | `insufficient-${string}`;

export type FunnelResult = { ok: true; resources: ResourceSet } | { ok: false; code: RejectionCode; reason: string };

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

export function evaluateOffer(offer: Offer, available: ResourceSet, app: FunnelApp, context: FunnelContext): FunnelResult {
  if (offer.role !== app.role) return { ok: false, code: 'role', reason: `offer is for role ${offer.role}, the app runs as ${app.role}` };
  const target: PlacementTarget = { hostname: offer.hostname, attributes: offer.attributes };
  const placement = placementAllows(app.constraints, target, context.placed, context.known);
  if (!placement.ok) return { ok: false, code: 'constraint', reason: placement.reason };
  const view = acceptedResources(available, app, context.layout);
  const reservedOnly = app.acceptedResourceRoles !== null && !app.acceptedResourceRoles.includes('*');
  if (reservedOnly && !view.reserved.some((part) => part.scalars.some((amount) => amount > 0))) {
    return {
      ok: false,
      code: 'missing-reservation',
      reason: `the app accepts only resources reserved for ${app.role}; agent ${offer.hostname} offers none`,
    };
  }
  const window = context.maintenance.find(
    (w) => w.hostname === offer.hostname && context.nowMs >= w.startMs && context.nowMs < w.startMs + w.durationMs,
  );
  if (window)
    return {
      ok: false,
      code: 'maintenance',
      reason: `agent ${offer.hostname} is in maintenance until ${window.startMs + window.durationMs} ms`,
    };
  for (const name of funnelOrder(app.resources)) {
    const needed = app.resources[name];
    const offered = amountOf(view, context.layout, name);
    if (offered + SCALAR_EPSILON < needed)
      return {
        ok: false,
        code: `insufficient-${name}`,
        reason: `insufficient ${name}: need ${needed}, offered ${roundForHumans(offered)}`,
      };
  }
  if (rangesCount(view.ports) < app.ports)
    return { ok: false, code: 'insufficient-ports', reason: `insufficient ports: need ${app.ports}, offered ${rangesCount(view.ports)}` };
  const wanted = Object.fromEntries(Object.entries(app.resources).filter(([, amount]) => amount > 0));
  const resources = carveTask(view, context.layout, wanted, app.ports);
  // Every amount was checked above, so carving cannot fail.
  if (!resources) throw new Error(`carving failed after the funnel passed for offer ${offer.id}`);
  return { ok: true, resources };
}

function roundForHumans(value: number): number {
  return Math.round(value * 1000) / 1000;
}
