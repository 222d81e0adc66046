/**
 * The Mesos v1 scheduler driver against scripted masters: subscription and
 * stream id, redirects to the leader, trying the next master, re-subscription
 * with the framework id after the stream ends or heartbeats stop, and the
 * refusals that stop it for good.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { SchedulerDriverEvents, SchedulerDriverOptions } from '../../../adapters/src/scheduler/schedulerDriver.js';
import { SchedulerDriver } from '../../../adapters/src/scheduler/schedulerDriver.js';
import { waitUntil } from '../ha/waitUntil.js';
import { FakeMaster, subscribedEvent } from './fakeMaster.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fakeMaster(): Promise<FakeMaster> {
  const master = await FakeMaster.start();
  cleanups.push(() => master.close());
  return master;
}

function driverFor(masters: string[], options: Partial<SchedulerDriverOptions> = {}) {
  const seen: Array<{ kind: string; value: unknown }> = [];
  const record =
    (kind: string) =>
    (value: unknown): void =>
      void seen.push({ kind, value });
  const events: SchedulerDriverEvents = {
    subscribed: record('subscribed'),
    offers: record('offers'),
    rescind: record('rescind'),
    update: record('update'),
    failure: record('failure'),
    disconnected: record('disconnected'),
    error: record('error'),
  };
  const driver = new SchedulerDriver(
    {
      masters,
      frameworkInfo: { user: 'nobody', name: 'test', roles: ['r'], capabilities: [{ type: 'MULTI_ROLE' }], failover_timeout: 60 },
      frameworkId: null,
      logger: pino({ level: 'silent' }),
      backoffMinMs: 20,
      backoffMaxMs: 100,
      ...options,
    },
    events,
  );
  cleanups.push(() => driver.stop());
  const kinds = () => seen.map((event) => event.kind);
  const of = (kind: string) => seen.filter((event) => event.kind === kind).map((event) => event.value as Json);
  return { driver, seen, kinds, of };
}

describe('SchedulerDriver', () => {
  it('subscribes, reads RecordIO events in order, and sends calls with the stream id to the master that took the subscription', async () => {
    const master = await fakeMaster();
    master.answerSubscribe({
      streamId: 'abc',
      stream: (send) => {
        send(subscribedEvent('fw-1'));
        send({ type: 'OFFERS', offers: { offers: [{ id: { value: 'o1' } }] } });
        send({ type: 'HEARTBEAT' });
        send({ type: 'UPDATE', update: { status: { task_id: { value: 't1' }, state: 'TASK_RUNNING', uuid: 'dXVpZA==' } } });
        send({ type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } });
      },
    });
    const { driver, kinds, of } = driverFor([master.url]);
    driver.start();
    await waitUntil(() => kinds().length >= 4, 'events', 5000);
    expect(kinds()).toEqual(['subscribed', 'offers', 'update', 'rescind']);
    expect(of('subscribed')[0]).toMatchObject({ frameworkId: 'fw-1', masterUrl: master.url, resubscribed: false });
    const subscribe = master.subscribes()[0];
    expect(subscribe.subscribe.framework_info).toMatchObject({ name: 'test', failover_timeout: 60 });
    expect(subscribe.framework_id).toBeUndefined();
    expect(await driver.acknowledge('a1', 't1', 'dXVpZA==')).toEqual({ ok: true, status: 202 });
    expect(await driver.decline(['o1'], 5)).toEqual({ ok: true, status: 202 });
    const calls = master.requests.filter((request) => request.body.type !== 'SUBSCRIBE');
    expect(calls.map((call) => [call.body.type, call.streamId, call.body.framework_id.value])).toEqual([
      ['ACKNOWLEDGE', 'abc', 'fw-1'],
      ['DECLINE', 'abc', 'fw-1'],
    ]);
    expect(calls[0].body.acknowledge).toEqual({ agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: 'dXVpZA==' });
    expect(calls[1].body.decline).toEqual({ offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 5 } });
  });

  it('follows a 307 to the leader (Location as //host:port or host:port), after skipping a master that does not answer', async () => {
    const leader = await fakeMaster();
    const follower = await fakeMaster();
    const leaderAuthority = leader.url.replace('http://', '');
    follower.answerSubscribe({ status: 307, location: `//${leaderAuthority}/master/api/v1/scheduler` });
    leader.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-2')) });
    const { driver, of } = driverFor(['http://127.0.0.1:1', follower.url]);
    driver.start();
    await waitUntil(() => of('subscribed').length > 0, 'subscribed', 5000);
    expect(driver.leaderUrl).toBe(leader.url);
    await driver.revive();
    expect(leader.requests.at(-1)!.body.type).toBe('REVIVE');
    expect(follower.requests.filter((request) => request.body.type === 'REVIVE')).toEqual([]);

    const bare = await fakeMaster();
    bare.answerSubscribe({ status: 307, location: leaderAuthority });
    leader.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-3')) });
    const second = driverFor([bare.url]);
    second.driver.start();
    await waitUntil(() => second.of('subscribed').length > 0, 'subscribed via bare location', 5000);
    expect(second.driver.leaderUrl).toBe(leader.url);
  });

  it('re-subscribes with its framework id when the stream ends, and reports the re-subscription', async () => {
    const master = await fakeMaster();
    master.answerSubscribe({
      stream: (send, end) => {
        send(subscribedEvent('fw-9'));
        setTimeout(end, 50);
      },
    });
    master.answerSubscribe({ status: 503, body: 'recovering' });
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-9')) });
    const { driver, kinds, of } = driverFor([master.url]);
    driver.start();
    await waitUntil(() => of('subscribed').length >= 2, 'second subscription', 5000);
    expect(kinds()).toEqual(['subscribed', 'disconnected', 'subscribed']);
    expect(of('subscribed')[1]).toMatchObject({ resubscribed: true });
    const [first, , third] = master.subscribes();
    expect(first.framework_id).toBeUndefined();
    expect(third.framework_id).toEqual({ value: 'fw-9' });
    expect(third.subscribe.framework_info.id).toEqual({ value: 'fw-9' });
  });

  it('takes a silent stream for dead after the missed heartbeats and re-subscribes', async () => {
    const master = await fakeMaster();
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-4', 0.1)) });
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-4', 15)) });
    const { driver, of } = driverFor([master.url], { missedHeartbeats: 3 });
    driver.start();
    await waitUntil(() => of('subscribed').length >= 2, 're-subscription after silence', 10_000);
    expect(of('disconnected')[0]).toMatch(/heartbeat/);
  });

  it('a call before the subscription is refused as not subscribed', async () => {
    const { driver } = driverFor(['http://127.0.0.1:1']);
    expect(await driver.kill('t1')).toMatchObject({ ok: false, code: 'not_subscribed' });
  });

  it('tells a call the master refused (4xx) from one it could not take now (5xx, e.g. state not durable)', async () => {
    const master = await fakeMaster();
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-1')) });
    const { driver, kinds } = driverFor([master.url]);
    driver.start();
    await waitUntil(() => kinds().includes('subscribed'), 'subscribed', 5000);
    master.answerCall({ status: 400, body: 'Failed to validate scheduler::Call' });
    master.answerCall({ status: 503, body: 'the change could not be stored' });
    expect(await driver.kill('t1')).toMatchObject({ ok: false, code: 'refused', status: 400 });
    expect(await driver.kill('t1')).toMatchObject({
      ok: false,
      code: 'unavailable',
      status: 503,
      message: 'the change could not be stored',
    });
    expect(await driver.kill('t1')).toEqual({ ok: true, status: 202 });
  });

  it('stops for good on a 4xx to SUBSCRIBE and on an ERROR event', async () => {
    const master = await fakeMaster();
    master.answerSubscribe({ status: 403, body: 'Framework has been removed' });
    const refused = driverFor([master.url]);
    refused.driver.start();
    await waitUntil(() => refused.of('error').length > 0, 'error', 5000);
    expect(String(refused.of('error')[0])).toMatch(/403.*Framework has been removed/);

    master.answerSubscribe({
      stream: (send) => {
        send(subscribedEvent('fw-5'));
        send({ type: 'ERROR', error: { message: 'Framework has been torn down' } });
      },
    });
    const errored = driverFor([master.url]);
    errored.driver.start();
    await waitUntil(() => errored.of('error').length > 0, 'ERROR event', 5000);
    expect(String(errored.of('error')[0])).toMatch(/torn down/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(master.subscribes()).toHaveLength(2);
  });
});
