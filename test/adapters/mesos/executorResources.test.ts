/**
 * Issue 13: a custom executor's own resources are accounted in offers, on a
 * real master and agent with the Python executor (fixtures/pythonExecutor.py):
 * the first launch takes task + executor from the offer, the executor keeps
 * its share after its tasks finish, and once it exits (SHUTDOWN) its
 * resources come back and the framework gets Mesos's FAILURE event with
 * executor_id and agent_id.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, operator } from '../master/daemons.js';
import { SchedulerClient } from '../master/schedulerClient.js';
import type { MesosCluster } from './cluster.js';
import { getJson, startCluster } from './cluster.js';

const PYTHON = '/usr/bin/python3';
const skip = existsSync(PYTHON) ? null : `${PYTHON} is missing (apt-get install python3)`;
if (skip) console.warn(`[executorResources] SKIPPED: ${skip}`);

type Json = Record<string, any>;

const scalar = (name: string, value: number, offer: Json) => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  allocation_info: offer.allocation_info,
});
const amount = (offer: Json, name: string): number =>
  offer.resources
    .filter((resource: Json) => resource.name === name)
    .reduce((sum: number, resource: Json) => sum + resource.scalar.value, 0);

describe.skipIf(skip !== null)('executor resources in offers, on a real master and agent', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;
  let executorDir: string;
  /** An offer of the whole agent (offers of resources freed meanwhile can come first: those are declined). */
  const wholeAgentOffer = async (): Promise<Json> => {
    const total = (await getJson(`${cluster.master.url}/master/slaves`)).body.slaves[0].resources;
    return scheduler.freshOffer('an offer of the whole agent', undefined, { cpus: total.cpus, mem: total.mem });
  };
  /** What /master/slaves says the agent's tasks and executors use. */
  const usedCpus = async (): Promise<number> => (await getJson(`${cluster.master.url}/master/slaves`)).body.slaves[0].used_resources.cpus;

  beforeAll(async () => {
    cluster = await startCluster('executor-resources');
    // Outside /tmp: a root agent gives executors a private /tmp (see executor.test.ts).
    executorDir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : cluster.workDir, 'allot-executor-'));
    chmodSync(executorDir, 0o755);
    copyFileSync(new URL('./fixtures/pythonExecutor.py', import.meta.url), join(executorDir, 'pythonExecutor.py'));
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'py-resources' } });
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
    if (executorDir) rmSync(executorDir, { recursive: true, force: true });
  }, 60_000);

  it('takes task + executor from the offer and gives the executor back when it exits', async () => {
    const first = await wholeAgentOffer();
    const [cpus, mem] = [amount(first, 'cpus'), amount(first, 'mem')];
    expect(cpus).toBeGreaterThanOrEqual(1);
    const executor = {
      executor_id: { value: 'py-res' },
      name: 'python executor',
      type: 'CUSTOM',
      command: { value: `${PYTHON} ${join(executorDir, 'pythonExecutor.py')}` },
      resources: [scalar('cpus', 0.25, first), scalar('mem', 64, first)],
    };
    const task = (id: string) => ({
      name: id,
      task_id: { value: id },
      agent_id: first.agent_id,
      resources: [scalar('cpus', 0.125, first), scalar('mem', 32, first)],
      command: { value: 'sleep 2' },
      executor,
    });
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [first.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [task('r-1'), task('r-2')] } }],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);

    // Two tasks and one executor: 0.5 cpus and 128 MB out of the next offer.
    const during = await scheduler.freshOffer('the offer while the tasks run', undefined, { cpus: cpus - 0.5 });
    expect(amount(during, 'cpus')).toBeCloseTo(cpus - 0.5, 6);
    expect(amount(during, 'mem')).toBeCloseTo(mem - 128, 6);
    const executors = await operator(cluster.master.url, { type: 'GET_EXECUTORS' });
    expect(executors.body.get_executors.executors).toHaveLength(1);
    expect(await usedCpus()).toBeCloseTo(0.5, 6);

    await Promise.all(['r-1', 'r-2'].map((id) => scheduler.waitForState(id, 'TASK_FINISHED', 30_000)));
    // The tasks are done; the executor still runs and still holds its share.
    const idle = await scheduler.freshOffer('the offer once the tasks finished', undefined, { cpus: cpus - 0.25 });
    expect(amount(idle, 'cpus')).toBeCloseTo(cpus - 0.25, 6);
    expect(amount(idle, 'mem')).toBeCloseTo(mem - 64, 6);
    expect(await usedCpus()).toBeCloseTo(0.25, 6);

    const from = scheduler.events.length;
    const shutdown = await scheduler.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'py-res' }, agent_id: first.agent_id } });
    expect(shutdown.status).toBe(202);
    const failure = await scheduler.waitFor(
      (event) => event.type === 'FAILURE' && event.failure.executor_id !== undefined,
      'the FAILURE event of the exited executor',
      30_000,
      from,
    );
    expect(failure.failure).toEqual({ agent_id: first.agent_id, executor_id: { value: 'py-res' }, status: 0 });
    await eventually(
      async () => (await operator(cluster.master.url, { type: 'GET_EXECUTORS' })).body.get_executors.executors.length === 0,
      'the executor to be forgotten',
    );
    const after = await scheduler.freshOffer('the offer after the executor exited', undefined, { cpus });
    expect(amount(after, 'cpus')).toBeCloseTo(cpus, 6);
    expect(amount(after, 'mem')).toBeCloseTo(mem, 6);
    expect(await usedCpus()).toBeCloseTo(0, 6);
  }, 120_000);

  it("takes a DEFAULT executor's resources with its group and gives them back with its last task", async () => {
    const first = await wholeAgentOffer();
    const cpus = amount(first, 'cpus');
    const member = (id: string, command: string) => ({
      name: id,
      task_id: { value: id },
      agent_id: first.agent_id,
      resources: [scalar('cpus', 0.125, first), scalar('mem', 32, first)],
      command: { value: command },
    });
    const executor = {
      executor_id: { value: 'default-res' },
      type: 'DEFAULT',
      resources: [scalar('cpus', 0.25, first), scalar('mem', 32, first)],
    };
    const from = scheduler.events.length;
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [first.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: { executor, task_group: { tasks: [member('dg-1', 'sleep 3'), member('dg-2', 'sleep 3')] } },
          },
        ],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    await Promise.all(['dg-1', 'dg-2'].map((id) => scheduler.waitForState(id, 'TASK_RUNNING', 30_000)));
    expect(await usedCpus()).toBeCloseTo(0.5, 6);
    await Promise.all(['dg-1', 'dg-2'].map((id) => scheduler.waitForState(id, 'TASK_FINISHED', 30_000)));
    const failure = await scheduler.waitFor(
      (event) => event.type === 'FAILURE' && event.failure.executor_id?.value === 'default-res',
      'the FAILURE event of the DEFAULT executor',
      30_000,
      from,
    );
    expect(failure.failure).toEqual({ agent_id: first.agent_id, executor_id: { value: 'default-res' }, status: 0 });
    expect(await usedCpus()).toBeCloseTo(0, 6);
    const after = await scheduler.freshOffer('the offer after the group ended', undefined, { cpus });
    expect(amount(after, 'cpus')).toBeCloseTo(cpus, 6);
  }, 120_000);
});
