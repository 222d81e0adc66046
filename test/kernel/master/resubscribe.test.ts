/**
 * A framework that subscribes again (a restarted scheduler, Mesos's framework
 * failover) starts unsuppressed, as in Mesos: a SUBSCRIBE without suppressed
 * roles leaves every role revived. A restarted scheduler believes it is not
 * suppressed; had the master kept the old suppression, it would never revive
 * and wait for offers forever (seen with `allot pool` after a kill -9).
 */
import { describe, expect, it } from 'vitest';
import { Harness } from '../allocator/harness.js';

describe('a framework subscribing again', () => {
  it('is offered resources again although it had suppressed offers before', () => {
    const h = new Harness().agent('a1', { cpus: 4, mem: 4096 });
    h.framework('pool', ['pool']);
    const first = h.tick().get('pool')!;
    h.step({ type: 'offer.decline', frameworkId: 'pool', offerIds: first.map((offer) => offer.id), refuseSeconds: 0 });
    h.step({ type: 'framework.suppress', frameworkId: 'pool' });
    expect(h.tick(1000).get('pool')).toBeUndefined();

    h.framework('pool', ['pool']);

    expect(h.tick(1000).get('pool')?.length).toBe(1);
  });
});
