/**
 * Quadratic shapes: request bodies of 0.3–9 MB that cost work in proportion
 * to their size squared if handled naively (arrays full of nulls, objects
 * of null fields, a million values, lists past their bounds, bodies over the
 * limit), and the mix the hostile suites send, where they are rare.
 */
import fc from 'fast-check';
import type { HostileRequest } from './hostileArbitraries.js';
import { hostileRequests, JSON_HEADERS } from './hostileArbitraries.js';

/** Bodies of 0.3–9 MB shaped to cost quadratic work if handled naively; rare in the mix (they take milliseconds each). */
export function quadraticRequests(frameworkId: string, streamId: string): fc.Arbitrary<HostileRequest> {
  const scheduler = (label: string, body: string): HostileRequest => ({
    label,
    method: 'POST',
    path: '/api/v1/scheduler',
    headers: { ...JSON_HEADERS, 'Mesos-Stream-Id': streamId },
    body,
  });
  const id = JSON.stringify({ value: frameworkId });
  return fc.oneof(
    fc
      .integer({ min: 50_000, max: 400_000 })
      .map((pairs) =>
        scheduler(
          `REVIVE roles of ${pairs} [null,1] pairs`,
          `{"type":"REVIVE","framework_id":${id},"revive":{"roles":[${'null,"r",'.repeat(pairs)}"r"]}}`,
        ),
      ),
    fc
      .integer({ min: 20_000, max: 200_000 })
      .map((keys) =>
        scheduler(
          `SUBSCRIBE with ${keys} null fields`,
          `{"type":"SUBSCRIBE","subscribe":{"framework_info":{${Array.from({ length: keys }, (_, index) => `"k${index}":null`).join(',')}}}}`,
        ),
      ),
    fc.constant(scheduler('1,000,001 values', `{"type":"REVIVE","framework_id":${id},"x":[${'0,'.repeat(1_000_000)}0]}`)),
    fc.integer({ min: 1025, max: 50_000 }).map((count) =>
      scheduler(
        `DECLINE of ${count} offers`,
        JSON.stringify({
          type: 'DECLINE',
          framework_id: { value: frameworkId },
          decline: { offer_ids: Array.from({ length: count }, (_, index) => ({ value: `O${index}` })) },
        }),
      ),
    ),
    fc.integer({ min: 65, max: 20_000 }).map((count) =>
      scheduler(
        `SUBSCRIBE with ${count} labels`,
        JSON.stringify({
          type: 'SUBSCRIBE',
          subscribe: {
            framework_info: {
              user: 'u',
              name: 'n',
              labels: { labels: Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: 'v' })) },
            },
          },
        }),
      ),
    ),
    fc.constant(scheduler('body over the limit', `{"type":"REVIVE","x":"${'x'.repeat(9 * 2 ** 20)}"}`)),
  );
}

/** The mix the hostile suite sends: mostly cheap malformed calls, a few quadratic shapes. */
export function hostileMix(frameworkId: string, streamId: string): fc.Arbitrary<HostileRequest> {
  return fc.oneof(
    { arbitrary: hostileRequests(frameworkId, streamId), weight: 400 },
    { arbitrary: quadraticRequests(frameworkId, streamId), weight: 1 },
  );
}
