/**
 * The Marathon-style funnel reports every failing requirement of an app
 * against an offer, not only the first: each constraint, the role, a missing
 * reservation, maintenance, and each resource with the figures asked and
 * offered, as named codes plus a sentence. The first failure still names
 * the funnel stage (`code`, `reason`), as Marathon counts offers by it; a
 * simulated Marathon framework keeps them all in its latest rejection.
 */
import { describe, expect, it } from 'vitest';
import type { FunnelApp, FunnelContext } from '../../../kernel/src/frameworks/service/offerFunnel.js';
import { evaluateOffer, FUNNEL_REASON } from '../../../kernel/src/frameworks/service/offerFunnel.js';
import type { Offer } from '../../../kernel/src/offers/offer.js';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';
import { parseConstraint } from '../../../kernel/src/sdk/constraints.js';

const layout = ResourceLayout.create();

function offer(hostname: string, attributes: Record<string, string>, quantities: Record<string, number>): Offer {
  return {
    id: `o-${hostname}`,
    frameworkId: 'marathon',
    role: 'web',
    agentId: hostname,
    hostname,
    attributes,
    agentIndex: 0,
    clientIndex: 0,
    createdAtMs: 0,
    resources: { scalars: layout.vector(quantities), ports: [[31000, 31000]], reserved: [] },
  };
}

function constraint(...raw: string[]) {
  const parsed = parseConstraint(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.constraint;
}

const context: FunnelContext = { nowMs: 0, layout, placed: [], known: [], maintenance: [] };

describe('the funnel reports every failing requirement', () => {
  it('two constraints, cpus, mem and ports at once, each with its code, sentence and figures', () => {
    const app: FunnelApp = {
      role: 'web',
      acceptedResourceRoles: null,
      constraints: [constraint('rack', 'IS', 'r1'), constraint('hostname', 'LIKE', 'db-.*'), constraint('zone', 'UNLIKE', 'z9')],
      resources: { cpus: 2, mem: 1024 },
      ports: 3,
    };
    const candidate = offer('web-1', { rack: 'r2' }, { cpus: 0.5, mem: 256 });
    const full = evaluateOffer(candidate, candidate.resources, app, context);
    expect(full.ok).toBe(false);
    if (full.ok) return;
    expect(full.failures).toEqual([
      { code: FUNNEL_REASON.CONSTRAINT, reason: 'rack:IS:r1: rack is r2' },
      { code: FUNNEL_REASON.CONSTRAINT, reason: 'hostname:LIKE:db-.*: hostname web-1 does not match /db-.*/' },
      { code: 'insufficient-cpus', resource: 'cpus', asked: 2, offered: 0.5, reason: 'insufficient cpus: need 2, offered 0.5' },
      { code: 'insufficient-mem', resource: 'mem', asked: 1024, offered: 256, reason: 'insufficient mem: need 1024, offered 256' },
      { code: FUNNEL_REASON.INSUFFICIENT_PORTS, resource: 'ports', asked: 3, offered: 1, reason: 'insufficient ports: need 3, offered 1' },
    ]);
    // The funnel stage is the first failure.
    expect(full.code).toBe('constraint');
    expect(full.reason).toBe('rack:IS:r1: rack is r2');
  });

  it('role, missing reservation and maintenance are listed with the resources', () => {
    const app: FunnelApp = {
      role: 'web',
      acceptedResourceRoles: ['web'],
      constraints: [],
      resources: { cpus: 1 },
      ports: 0,
    };
    const other = { ...offer('h1', {}, { cpus: 4 }), role: 'batch' };
    const result = evaluateOffer(other, other.resources, app, {
      ...context,
      maintenance: [{ hostname: 'h1', startMs: 0, durationMs: 5000 }],
    });
    expect(result.ok === false && result.failures.map((failure) => failure.code)).toEqual([
      'role',
      'missing-reservation',
      'maintenance',
      'insufficient-cpus',
    ]);
    expect(result.ok === false && result.failures[3]).toMatchObject({ asked: 1, offered: 0 });
  });

  it('an offer that fits has no failures and carves the instance', () => {
    const app: FunnelApp = { role: 'web', acceptedResourceRoles: null, constraints: [], resources: { cpus: 1, mem: 128 }, ports: 1 };
    const fits = offer('h1', {}, { cpus: 4, mem: 4096 });
    const result = evaluateOffer(fits, fits.resources, app, context);
    expect(result.ok).toBe(true);
  });
});
