/**
 * Offer filters: the bitset, the time-ordered expiry and the per-agent
 * summaries agree with the plain rules (a filter holds until it expires, while
 * the refused resources cover what would be offered; clearing a client or an
 * agent drops its filters).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AgentTable, HOT_FILTER_COUNT } from '../../../kernel/src/agents/agentTable.js';
import { OfferFilters } from '../../../kernel/src/allocator/offerFilters.js';
import { NO_RANGES } from '../../../kernel/src/resources/ranges.js';
import type { ResourceSet } from '../../../kernel/src/resources/resourceSet.js';

const SIZE = 4;
const set = (cpus: number): ResourceSet => ({ scalars: Float64Array.of(cpus, 0, 0, 0), ports: NO_RANGES, reserved: [] });

function filters(agents: number): { filters: OfferFilters; table: AgentTable } {
  const table = new AgentTable(SIZE, 4);
  table.ensureCapacity(agents);
  const result = new OfferFilters(table);
  result.ensureClients(70);
  return { filters: result, table };
}

describe('offer filters', () => {
  it('hold until they expire, and only while the refused resources cover what is offered', () => {
    const { filters: f } = filters(2);
    f.install(0, 5, 10_000, set(2));
    f.expire(9_999);
    expect(f.heldUntil(0, 5, 9_999, Float64Array.of(2, 0, 0, 0), NO_RANGES, [])).toBe(10_000);
    expect(f.heldUntil(0, 5, 9_999, Float64Array.of(3, 0, 0, 0), NO_RANGES, [])).toBe(0);
    expect(f.heldUntil(1, 5, 9_999, Float64Array.of(1, 0, 0, 0), NO_RANGES, [])).toBe(0);
    f.expire(10_000);
    expect(f.mayBeFiltered(0, 5)).toBe(false);
    expect(f.count(0)).toBe(0);
  });

  it('keep each agent exact: live count, earliest expiry, and the bit of every live filter', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('install' as const),
              agent: fc.nat(3),
              client: fc.nat(69),
              expires: fc.integer({ min: 1, max: 100 }),
            }),
            fc.record({ op: fc.constant('clearClient' as const), client: fc.nat(69) }),
            fc.record({ op: fc.constant('clearAgent' as const), agent: fc.nat(3) }),
            fc.record({ op: fc.constant('expire' as const), now: fc.integer({ min: 0, max: 100 }) }),
          ),
          { maxLength: 80 },
        ),
        (ops) => {
          const { filters: f, table } = filters(4);
          const model = new Map<string, number>();
          let now = 0;
          for (const step of ops) {
            if (step.op === 'install') {
              f.install(step.agent, step.client, now + step.expires, set(1));
              model.set(`${step.agent}/${step.client}`, now + step.expires);
            } else if (step.op === 'clearClient') {
              f.clearClient(step.client);
              for (const key of [...model.keys()]) if (key.endsWith(`/${step.client}`)) model.delete(key);
            } else if (step.op === 'clearAgent') {
              f.clearAgent(step.agent);
              for (const key of [...model.keys()]) if (key.startsWith(`${step.agent}/`)) model.delete(key);
            } else {
              now = Math.max(now, step.now);
              f.expire(now);
              for (const [key, expires] of [...model]) if (expires <= now) model.delete(key);
            }
          }
          f.expire(now);
          for (const [key, expires] of [...model]) if (expires <= now) model.delete(key);
          const wrong: string[] = [];
          for (let agent = 0; agent < 4; agent++) {
            const live = [...model].filter(([key]) => key.startsWith(`${agent}/`));
            if (f.count(agent) !== live.length) wrong.push(`count of ${agent}`);
            if (table.hot[agent * table.stride + table.size + HOT_FILTER_COUNT] !== live.length) wrong.push(`record count of ${agent}`);
            const min = live.length === 0 ? Infinity : Math.min(...live.map(([, expires]) => expires));
            if (f.minExpiryMs(agent, now) !== min) wrong.push(`earliest expiry of ${agent}`);
            for (let client = 0; client < 70; client++) {
              const expires = model.get(`${agent}/${client}`);
              if (f.mayBeFiltered(agent, client) !== (expires !== undefined)) wrong.push(`bit ${agent}/${client}`);
              if (f.expiryOf(agent, client, now) !== (expires ?? null)) wrong.push(`expiry ${agent}/${client}`);
            }
          }
          expect(wrong).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});
