/**
 * The pure parts of the service kind (Marathon-like): upgrade maths, rolling
 * restart steps, launch backoff, simulated health checks, the rejection
 * funnel in its order, and kill selection youngest first.
 */
import { describe, expect, it } from 'vitest';
import type { Offer } from '../../../kernel/src/offers/offer.js';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';
import { reservedPart } from '../../../kernel/src/resources/resourceSet.js';
import { parseConstraint } from '../../../kernel/src/sdk/constraints.js';
import type { ServiceApp } from '../../../kernel/src/frameworks/service/appSpec.js';
import { AppState } from '../../../kernel/src/frameworks/service/appState.js';
import { healthTimeline } from '../../../kernel/src/frameworks/service/healthCheck.js';
import { delaySequenceMs, LaunchBackoff, MARATHON_BACKOFF } from '../../../kernel/src/frameworks/service/launchBackoff.js';
import type { FunnelApp, FunnelContext } from '../../../kernel/src/frameworks/service/offerFunnel.js';
import { evaluateOffer } from '../../../kernel/src/frameworks/service/offerFunnel.js';
import {
  DEFAULT_UPGRADE_STRATEGY,
  restartBounds,
  rollingStep,
  upgradeBounds,
} from '../../../kernel/src/frameworks/service/upgradeStrategy.js';

describe('upgrade strategy maths', () => {
  it.each([
    // instances, minimumHealthCapacity, maximumOverCapacity, minHealthy = ceil(i x min), maxCapacity = floor(i x (1 + over))
    [1, 1, 1, 1, 2],
    [3, 1, 0.5, 3, 4],
    [3, 0.5, 0, 2, 3],
    [4, 0.5, 0, 2, 4],
    [5, 0.6, 0.2, 3, 6],
    [7, 0.3, 0.15, 3, 8],
    [10, 0.85, 0.1, 9, 11],
    [10, 0, 0, 0, 10],
    [100, 0.07, 0.07, 7, 107], // 100 x 0.07 is 7.000000000000001 in floating point: still 7
    [0, 1, 1, 0, 0],
  ])(
    '%i instances at %f / %f: minHealthy %i, maxCapacity %i',
    (instances, minimumHealthCapacity, maximumOverCapacity, minHealthy, maxCapacity) => {
      expect(upgradeBounds(instances, { minimumHealthCapacity, maximumOverCapacity })).toEqual({ minHealthy, maxCapacity });
    },
  );

  it('allows one instance of over-capacity when minHealthy = maxCapacity and that many run (else nothing could be replaced)', () => {
    const strict = { minimumHealthCapacity: 1, maximumOverCapacity: 0 };
    expect(restartBounds(4, strict, 4)).toEqual({ minHealthy: 4, maxCapacity: 5 });
    expect(restartBounds(4, strict, 3)).toEqual({ minHealthy: 4, maxCapacity: 4 });
    expect(restartBounds(4, DEFAULT_UPGRADE_STRATEGY, 4)).toEqual({ minHealthy: 4, maxCapacity: 8 });
  });

  it('rolls one at a time under a strict strategy: start one, and kill one old per new healthy', () => {
    const bounds = restartBounds(4, { minimumHealthCapacity: 1, maximumOverCapacity: 0 }, 4);
    expect(rollingStep({ instances: 4, oldActive: 4, newStarted: 0, newHealthy: 0 }, bounds)).toEqual({ kill: 0, start: 1 });
    expect(rollingStep({ instances: 4, oldActive: 4, newStarted: 1, newHealthy: 0 }, bounds)).toEqual({ kill: 0, start: 0 });
    expect(rollingStep({ instances: 4, oldActive: 4, newStarted: 1, newHealthy: 1 }, bounds)).toEqual({ kill: 1, start: 1 });
    expect(rollingStep({ instances: 4, oldActive: 1, newStarted: 4, newHealthy: 3 }, bounds)).toEqual({ kill: 0, start: 0 });
    expect(rollingStep({ instances: 4, oldActive: 1, newStarted: 4, newHealthy: 4 }, bounds)).toEqual({ kill: 1, start: 0 });
  });

  it('kills down to minHealthy at once and fills up to maxCapacity', () => {
    expect(
      rollingStep(
        { instances: 4, oldActive: 4, newStarted: 0, newHealthy: 0 },
        upgradeBounds(4, { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 }),
      ),
    ).toEqual({ kill: 2, start: 2 });
    expect(rollingStep({ instances: 4, oldActive: 4, newStarted: 0, newHealthy: 0 }, upgradeBounds(4, DEFAULT_UPGRADE_STRATEGY))).toEqual({
      kill: 0,
      start: 4,
    });
    expect(rollingStep({ instances: 4, oldActive: 4, newStarted: 4, newHealthy: 4 }, upgradeBounds(4, DEFAULT_UPGRADE_STRATEGY))).toEqual({
      kill: 4,
      start: 0,
    });
    expect(
      rollingStep(
        { instances: 4, oldActive: 4, newStarted: 0, newHealthy: 0 },
        upgradeBounds(4, { minimumHealthCapacity: 0, maximumOverCapacity: 0 }),
      ),
    ).toEqual({ kill: 4, start: 4 });
  });
});

describe('launch backoff', () => {
  it('Marathon: 1 s, then x1.15 per consecutive failure, at most 300 s', () => {
    const delays = delaySequenceMs(45, MARATHON_BACKOFF);
    expect(delays.slice(0, 5).map((ms) => Math.round(ms * 1000) / 1000)).toEqual([1000, 1150, 1322.5, 1520.875, 1749.006]);
    // 1.15^40 = 267.86; 1.15^41 = 308.0 > 300: capped from the 42nd failure on.
    expect(Math.round(delays[40])).toBe(267864);
    expect(delays.slice(41)).toEqual([300000, 300000, 300000, 300000]);
  });

  it('delays the next launch from the failure time, and a reset clears it', () => {
    const backoff = new LaunchBackoff(MARATHON_BACKOFF);
    expect(backoff.allows(0)).toBe(true);
    expect(backoff.fail(10000)).toBe(11000);
    expect(backoff.allows(10999)).toBe(false);
    expect(backoff.allows(11000)).toBe(true);
    expect(backoff.fail(20000)).toBe(21150);
    backoff.reset();
    expect([backoff.delayMs, backoff.allows(0)]).toEqual([null, true]);
  });
});

describe('simulated health checks', () => {
  const check = { gracePeriodMs: 10000, intervalMs: 2000, maxConsecutiveFailures: 3, startupMs: 5000, unhealthyVersions: ['bad'] };

  it('without a check a running instance is healthy at once', () => {
    expect(healthTimeline(1000, null, '1')).toEqual({ healthyAtMs: 1000, killAtMs: null });
  });

  it('passes at the first check after startup', () => {
    expect(healthTimeline(1000, check, '1')).toEqual({ healthyAtMs: 7000, killAtMs: null }); // checks at 3, 5, 7 s: 6 s old at 7 s
  });

  it('an unhealthy version is killed at the third counted failure after the grace period', () => {
    // Checks at +2..+10 s fall in the grace period; +12, +14, +16 s count.
    expect(healthTimeline(1000, check, 'bad')).toEqual({ healthyAtMs: null, killAtMs: 17000 });
  });

  it('a slow starter is killed before it would pass', () => {
    expect(healthTimeline(0, { ...check, startupMs: 30000 }, '1')).toEqual({ healthyAtMs: null, killAtMs: 16000 });
  });
});

const layout = ResourceLayout.create();

function offer(
  hostname: string,
  attributes: Record<string, string> = {},
  quantities: Record<string, number> = { cpus: 4, mem: 4096 },
  extra: Partial<Offer> = {},
): Offer {
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
    resources: { scalars: layout.vector(quantities), ports: [[31000, 31001]], reserved: [] },
    ...extra,
  };
}

function constraint(...raw: string[]) {
  const parsed = parseConstraint(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.constraint;
}

const app = (overrides: Partial<FunnelApp> = {}): FunnelApp => ({
  role: 'web',
  acceptedResourceRoles: null,
  constraints: [],
  resources: { cpus: 1, mem: 1024 },
  ports: 1,
  ...overrides,
});
const context = (overrides: Partial<FunnelContext> = {}): FunnelContext => ({
  nowMs: 0,
  layout,
  placed: [],
  known: [],
  maintenance: [],
  ...overrides,
});
const outcome = (o: Offer, a: FunnelApp, c: FunnelContext = context()) => {
  const result = evaluateOffer(o, o.resources, a, c);
  return result.ok ? 'ok' : `${result.code}: ${result.reason}`;
};

describe('rejection funnel', () => {
  it('takes the first failing stage, in order: role, constraint, reservation, maintenance, cpus, mem, disk, gpus, ports', () => {
    const everythingWrong = { ...offer('h1', {}, { cpus: 0 }), role: 'other' };
    const strict = app({
      acceptedResourceRoles: ['web'],
      constraints: [constraint('rack', 'IS', 'a')],
      resources: { cpus: 1, mem: 1024, disk: 10, gpus: 1 },
      ports: 3,
    });
    const inMaintenance = context({ maintenance: [{ hostname: 'h1', startMs: 0, durationMs: 1000 }] });
    expect(outcome(everythingWrong, strict, inMaintenance)).toBe('role: offer is for role other, the app runs as web');
    expect(outcome({ ...everythingWrong, role: 'web' }, strict, inMaintenance)).toBe('constraint: rack:IS:a: agent h1 has no "rack"');
    const rackA = offer('h1', { rack: 'a' }, { cpus: 0 });
    expect(outcome(rackA, strict, inMaintenance)).toBe(
      'missing-reservation: the app accepts only resources reserved for web; agent h1 offers none',
    );
    const reserved = {
      ...rackA,
      resources: { ...rackA.resources, reserved: [reservedPart([{ role: 'web', type: 'STATIC' }], layout.vector({ cpus: 0.5 }))] },
    };
    expect(outcome(reserved, strict, inMaintenance)).toBe('maintenance: agent h1 is in maintenance until 1000 ms');
    expect(outcome(reserved, strict)).toBe('insufficient-cpus: insufficient cpus: need 1, offered 0.5');
    const unreserved = app({ resources: { cpus: 1, mem: 1024, disk: 10, gpus: 1 }, ports: 3 });
    expect(outcome(offer('h1', {}, { cpus: 1 }), unreserved)).toBe('insufficient-mem: insufficient mem: need 1024, offered 0');
    expect(outcome(offer('h1', {}, { cpus: 1, mem: 2048 }), unreserved)).toBe('insufficient-disk: insufficient disk: need 10, offered 0');
    expect(outcome(offer('h1', {}, { cpus: 1, mem: 2048, disk: 10 }), unreserved)).toBe(
      'insufficient-gpus: insufficient gpus: need 1, offered 0',
    );
    expect(outcome(offer('h1', {}, { cpus: 1, mem: 2048, disk: 10, gpus: 1 }), unreserved)).toBe(
      'insufficient-ports: insufficient ports: need 3, offered 2',
    );
    expect(outcome(offer('h1', {}, { cpus: 1, mem: 2048, disk: 10, gpus: 1 }), { ...unreserved, ports: 2 })).toBe('ok');
  });

  it('a maintenance window covers [start, start + duration)', () => {
    const window = { maintenance: [{ hostname: 'h1', startMs: 1000, durationMs: 1000 }] };
    expect([999, 1000, 1999, 2000].map((nowMs) => outcome(offer('h1'), app(), context({ ...window, nowMs })).split(':')[0])).toEqual([
      'ok',
      'maintenance',
      'maintenance',
      'ok',
    ]);
  });

  it('carves reserved resources of the app role first, and only those when it accepts no "*"', () => {
    const base = offer('h1', {}, { cpus: 4, mem: 4096 });
    const withReservation = {
      ...base,
      resources: { ...base.resources, reserved: [reservedPart([{ role: 'web', type: 'STATIC' }], layout.vector({ cpus: 1, mem: 1024 }))] },
    };
    const result = evaluateOffer(withReservation, withReservation.resources, app({ acceptedResourceRoles: ['web'], ports: 0 }), context());
    expect(result.ok && [...result.resources.scalars].slice(0, 2)).toEqual([0, 0]);
    expect(result.ok && [...result.resources.reserved[0].scalars].slice(0, 2)).toEqual([1, 1024]);
  });

  describe('every constraint operator in placement', () => {
    const h = (hostname: string, rack?: string): { hostname: string; attributes: Record<string, string> } => ({
      hostname,
      attributes: rack ? { rack } : {},
    });
    const known = [h('h1', 'a'), h('h2', 'a'), h('h3', 'b'), h('h4')];
    const place = (raw: string[], candidate: ReturnType<typeof h>, placed: ReturnType<typeof h>[] = []) =>
      outcome(offer(candidate.hostname, candidate.attributes), app({ constraints: [constraint(...raw)] }), context({ placed, known }));

    it('UNIQUE', () => {
      expect(place(['hostname', 'UNIQUE'], h('h1', 'a'), [h('h2', 'a')])).toBe('ok');
      expect(place(['hostname', 'UNIQUE'], h('h1', 'a'), [h('h1', 'a')])).toBe(
        'constraint: hostname:UNIQUE: an instance already runs where hostname is h1',
      );
      expect(place(['rack', 'UNIQUE'], h('h2', 'a'), [h('h1', 'a')])).toBe(
        'constraint: rack:UNIQUE: an instance already runs where rack is a',
      );
    });
    it('CLUSTER with a value, and without (the first placement decides)', () => {
      expect(place(['rack', 'CLUSTER', 'b'], h('h3', 'b'))).toBe('ok');
      expect(place(['rack', 'CLUSTER', 'b'], h('h1', 'a'))).toBe('constraint: rack:CLUSTER:b: rack is a, not b');
      expect(place(['rack', 'CLUSTER'], h('h1', 'a'))).toBe('ok');
      expect(place(['rack', 'CLUSTER'], h('h3', 'b'), [h('h1', 'a')])).toBe('constraint: rack:CLUSTER: rack is b, not a');
    });
    it('GROUP_BY spreads evenly over the values seen', () => {
      expect(place(['rack', 'GROUP_BY'], h('h3', 'b'), [h('h1', 'a')])).toBe('ok');
      expect(place(['rack', 'GROUP_BY'], h('h2', 'a'), [h('h1', 'a')])).toBe(
        'constraint: rack:GROUP_BY: rack a already has 1 instances, others fewer',
      );
      expect(place(['rack', 'GROUP_BY', '2'], h('h2', 'a'), [h('h1', 'a'), h('h3', 'b')])).toBe('ok');
    });
    it('LIKE and UNLIKE match the full value', () => {
      expect(place(['hostname', 'LIKE', 'h[12]'], h('h2', 'a'))).toBe('ok');
      expect(place(['hostname', 'LIKE', 'h'], h('h2', 'a'))).toBe('constraint: hostname:LIKE:h: hostname h2 does not match /h/');
      expect(place(['rack', 'UNLIKE', 'a'], h('h1', 'a'))).toBe('constraint: rack:UNLIKE:a: rack a matches /a/');
      expect(place(['rack', 'UNLIKE', 'a'], h('h3', 'b'))).toBe('ok');
    });
    it('MAX_PER caps instances per value', () => {
      expect(place(['rack', 'MAX_PER', '2'], h('h2', 'a'), [h('h1', 'a')])).toBe('ok');
      expect(place(['rack', 'MAX_PER', '2'], h('h2', 'a'), [h('h1', 'a'), h('h1', 'a')])).toBe(
        'constraint: rack:MAX_PER:2: 2 instances already run where rack is a',
      );
    });
    it('IS and IS_NOT', () => {
      expect(place(['rack', 'IS', 'b'], h('h3', 'b'))).toBe('ok');
      expect(place(['rack', 'IS', 'b'], h('h1', 'a'))).toBe('constraint: rack:IS:b: rack is a');
      expect(place(['rack', 'IS_NOT', 'a'], h('h3', 'b'))).toBe('ok');
      expect(place(['rack', 'IS_NOT', 'a'], h('h1', 'a'))).toBe('constraint: rack:IS_NOT:a: rack is a');
    });
    it('a missing attribute matches only UNLIKE', () => {
      const missing = (raw: string[]) => place(raw, h('h4')).split(':')[0];
      expect(
        [
          ['rack', 'UNIQUE'],
          ['rack', 'CLUSTER', 'a'],
          ['rack', 'GROUP_BY'],
          ['rack', 'LIKE', '.*'],
          ['rack', 'MAX_PER', '5'],
          ['rack', 'IS', 'a'],
          ['rack', 'IS_NOT', 'a'],
        ].map(missing),
      ).toEqual(Array(7).fill('constraint'));
      expect(place(['rack', 'UNLIKE', 'a'], h('h4'))).toBe('ok');
    });
  });
});

describe('kill selection', () => {
  const spec: ServiceApp = {
    id: 'web',
    role: 'web',
    acceptedResourceRoles: null,
    instances: 5,
    resources: { cpus: 1 },
    ports: 0,
    durationMs: null,
    constraints: [],
    healthCheck: null,
    upgradeStrategy: DEFAULT_UPGRADE_STRATEGY,
    backoff: MARATHON_BACKOFF,
    version: '1',
    changes: [],
  };

  it('scales down by dropping queued launches first, then the youngest instances', () => {
    // Arrange: 5 wanted, 3 launched (web.0 oldest .. web.2 youngest), 2 still queued.
    const app = new AppState(spec);
    app.reconcile(0);
    for (const hostname of ['h1', 'h2', 'h3']) app.launch(hostname, { hostname, attributes: {} }, 0);
    expect(app.queued).toBe(2);
    // Act: scale to 2.
    app.change(2, undefined, 10);
    const kills = app.reconcile(10);
    // Assert
    expect(app.queued).toBe(0);
    expect(kills.map((instance) => [instance.taskId, instance.killReason])).toEqual([['web.2', 'scale-down']]);
  });

  it('kills several youngest first', () => {
    const app = new AppState(spec);
    app.reconcile(0);
    for (const hostname of ['h1', 'h2', 'h3', 'h4', 'h5']) app.launch(hostname, { hostname, attributes: {} }, 0);
    app.change(1, undefined, 10);
    expect(app.reconcile(10).map((instance) => instance.taskId)).toEqual(['web.4', 'web.3', 'web.2', 'web.1']);
  });
});
