/**
 * Issue 13, point 1: a task id is unique only within its framework. Two
 * frameworks launch `task-0` on the same agent: both run, both can be killed
 * or finish, and each framework sees only its own updates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operator } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';
import type { MesosCluster } from './cluster.js';
import { startCluster } from './cluster.js';

const offerIds = (scheduler: SchedulerClient) =>
  scheduler.events.filter((event) => event.type === 'OFFERS').flatMap((event) => event.offers.offers.map((offer: any) => offer.id));

/** The agent is offered whole to one framework at a time: the other one declines it (with a filter) until `scheduler` holds it. */
async function offerTo(scheduler: SchedulerClient, other: SchedulerClient): Promise<any> {
  const from = scheduler.events.length;
  await scheduler.call({ type: 'DECLINE', decline: { offer_ids: offerIds(scheduler), filters: { refuse_seconds: 0 } } });
  for (let round = 0; round < 40; round++) {
    await other.call({ type: 'DECLINE', decline: { offer_ids: offerIds(other), filters: { refuse_seconds: 5 } } });
    try {
      return await scheduler.waitForOffer('an offer', 500, from);
    } catch {
      // Not yet: the other framework may have been offered it meanwhile.
    }
  }
  throw new Error('no offer reached the framework');
}

describe('two frameworks with the same task id on one agent', () => {
  let cluster: MesosCluster;
  let first: SchedulerClient;
  let second: SchedulerClient;

  beforeAll(async () => {
    cluster = await startCluster('same-task-id');
    first = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'first' } });
    second = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'second' } });
  }, 60_000);

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await cluster?.stop();
  }, 60_000);

  it('runs both, kills one, lets the other finish', async () => {
    for (const [scheduler, other, command] of [
      [first, second, 'sleep 60'],
      [second, first, 'sleep 1; echo second'],
    ] as const) {
      const offer = await offerTo(scheduler, other);
      const accepted = await scheduler.call({
        type: 'ACCEPT',
        accept: {
          offer_ids: [offer.id],
          operations: [launch(offer, 'task-0', command, { cpus: 0.1, mem: 32 })],
          filters: { refuse_seconds: 0 },
        },
      });
      expect(accepted.status).toBe(202);
      await scheduler.waitForState('task-0', 'TASK_RUNNING');
    }

    const killed = await first.call({ type: 'KILL', kill: { task_id: { value: 'task-0' } } });
    expect(killed.status).toBe(202);
    const [firstEnd, secondEnd] = await Promise.all([
      first.waitForState('task-0', 'TASK_KILLED'),
      second.waitForState('task-0', 'TASK_FINISHED'),
    ]);

    expect(first.states('task-0')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    expect(second.states('task-0')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    // Statuses carry the executor and the container that ran them (point 9); different containers.
    expect(firstEnd.executor_id).toEqual({ value: 'task-0' });
    expect(firstEnd.container_status.container_id.value).toMatch(/^[0-9a-f-]{36}$/);
    expect(secondEnd.container_status.container_id.value).not.toBe(firstEnd.container_status.container_id.value);

    const tasks = await operator(cluster.master.url, { type: 'GET_TASKS' });
    const completed = tasks.body.get_tasks.completed_tasks.filter((task: any) => task.task_id.value === 'task-0');
    expect(completed.map((task: any) => [task.framework_id.value, task.state]).sort()).toEqual(
      [
        [first.frameworkId, 'TASK_KILLED'],
        [second.frameworkId, 'TASK_FINISHED'],
      ].sort(),
    );
  }, 60_000);
});
