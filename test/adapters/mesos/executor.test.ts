/**
 * Issue 13, point 8: a custom executor written against Mesos's v1 executor
 * HTTP API, in Python (Debian's python3, standard library only; see
 * fixtures/pythonExecutor.py), runs on a real agent: it gets the Mesos
 * executor environment, receives LAUNCH for two tasks, runs them and reports
 * their updates (acknowledged back to it), relays messages both ways, gets
 * a LAUNCH_GROUP as one event, and is shut down by the framework's SHUTDOWN.
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
if (skip) console.warn(`[executor] SKIPPED: ${skip}`);

/** What each test launches at most: an executor (0.1 cpus, 64 MB) and two tasks (0.1 cpus, 32 MB each). */
const EXECUTOR_AND_TWO_TASKS = { cpus: 0.3, mem: 128 };

const scalar = (name: string, value: number, offer: any) => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  allocation_info: offer.allocation_info,
});

describe.skipIf(skip !== null)('a Python executor over the v1 executor HTTP API', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;
  let executorCommand: string;
  let executorDir: string;

  const executorInfo = (offer: any, id: string) => ({
    executor_id: { value: id },
    name: `python executor ${id}`,
    type: 'CUSTOM',
    command: { value: executorCommand },
    resources: [scalar('cpus', 0.1, offer), scalar('mem', 64, offer)],
  });
  const taskInfo = (offer: any, id: string, command: string) => ({
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [scalar('cpus', 0.1, offer), scalar('mem', 32, offer)],
    command: { value: command },
  });
  const executorLog = async (id: string) => {
    const path = encodeURIComponent(`/frameworks/${scheduler.frameworkId}/executors/${id}/runs/latest/executor.log`);
    const read = await getJson(`${cluster.agent.url}/files/read?path=${path}&offset=0&length=65536`);
    return read.status === 200 ? (read.body.data as string) : '';
  };

  beforeAll(async () => {
    cluster = await startCluster('executor');
    // A copy the task user (nobody, when root) can read, outside /tmp: on a root agent the executor has a
    // private /tmp (as tasks do), where a host directory under /tmp is out of reach.
    executorDir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : cluster.workDir, 'allot-executor-'));
    chmodSync(executorDir, 0o755);
    executorCommand = `${PYTHON} ${join(executorDir, 'pythonExecutor.py')}`;
    copyFileSync(new URL('./fixtures/pythonExecutor.py', import.meta.url), join(executorDir, 'pythonExecutor.py'));
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'py' } });
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
    if (executorDir) rmSync(executorDir, { recursive: true, force: true });
  }, 60_000);

  it('runs two tasks, relays messages, and is shut down', async () => {
    const offer = await scheduler.freshOffer('an offer for an executor and two tasks', undefined, EXECUTOR_AND_TWO_TASKS);
    const executor = executorInfo(offer, 'py');
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH',
            launch: {
              task_infos: [
                { ...taskInfo(offer, 'job-1', 'echo one > one.txt'), executor },
                { ...taskInfo(offer, 'job-2', 'sleep 1'), executor },
              ],
            },
          },
        ],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    const finished = await Promise.all(['job-1', 'job-2'].map((id) => scheduler.waitForState(id, 'TASK_FINISHED', 30_000)));
    expect(scheduler.states('job-1')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(finished[0].executor_id).toEqual({ value: 'py' });
    expect(finished[0].source).toBe('SOURCE_EXECUTOR');
    expect(finished[0].container_status.container_id.value).toBe(finished[1].container_status.container_id.value);

    const log = await eventually(async () => {
      const text = await executorLog('py');
      return /ACKNOWLEDGED job-1[\s\S]*ACKNOWLEDGED job-1/.test(text) && /ACKNOWLEDGED job-2[\s\S]*ACKNOWLEDGED job-2/.test(text) && text;
    }, 'the executor to see its four updates acknowledged');
    expect(log).toMatch(/^ENV MESOS_FRAMEWORK_ID=.+-\d{4}$/m);
    expect(log).toMatch(/^ENV MESOS_EXECUTOR_ID=py$/m);
    expect(log).toMatch(/^ENV MESOS_AGENT_ENDPOINT=127\.0\.0\.1:\d+$/m);
    expect(log).toMatch(/^ENV MESOS_SANDBOX=\/.+\/executors\/.+\/py$/m);
    expect(log).toMatch(/^ENV MESOS_CHECKPOINT=0$/m);
    expect(log).toMatch(/^LAUNCH job-1$/m);
    expect(log).toMatch(/^LAUNCH job-2$/m);
    expect(log).toMatch(/^UPDATE job-1 TASK_FINISHED -> 202$/m);

    const executors = await operator(cluster.master.url, { type: 'GET_EXECUTORS' });
    expect(executors.body.get_executors.executors).toEqual([
      expect.objectContaining({ agent_id: offer.agent_id, executor_info: expect.objectContaining({ executor_id: { value: 'py' } }) }),
    ]);
    const state = (await getJson(`${cluster.master.url}/master/state`)).body;
    expect(state.frameworks[0].executors.map((entry: any) => [entry.executor_id, entry.slave_id])).toEqual([['py', offer.agent_id.value]]);

    const from = scheduler.events.length;
    const sent = await scheduler.call({
      type: 'MESSAGE',
      message: { agent_id: offer.agent_id, executor_id: { value: 'py' }, data: Buffer.from('ping').toString('base64') },
    });
    expect(sent.status).toBe(202);
    const reply = await scheduler.waitFor((event) => event.type === 'MESSAGE', "the executor's MESSAGE", 20_000, from);
    expect(Buffer.from(reply.message.data, 'base64').toString()).toBe('echo:ping');
    expect(reply.message.executor_id).toEqual({ value: 'py' });

    const shutdown = await scheduler.call({ type: 'SHUTDOWN', shutdown: { executor_id: { value: 'py' }, agent_id: offer.agent_id } });
    expect(shutdown.status).toBe(202);
    await eventually(async () => (await executorLog('py')).includes('SHUTDOWN'), 'the executor to receive SHUTDOWN');
    await eventually(
      async () => (await operator(cluster.master.url, { type: 'GET_EXECUTORS' })).body.get_executors.executors.length === 0,
      'the executor to exit and be forgotten',
    );
  }, 90_000);

  it('hands a LAUNCH_GROUP to one executor as one event', async () => {
    const offer = await scheduler.freshOffer('an offer for an executor and two tasks', undefined, EXECUTOR_AND_TWO_TASKS);
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor: executorInfo(offer, 'pygroup'),
              task_group: { tasks: [taskInfo(offer, 'member-1', 'true'), taskInfo(offer, 'member-2', 'exit 3')] },
            },
          },
        ],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    await scheduler.waitForState('member-1', 'TASK_FINISHED', 30_000);
    const failed = await scheduler.waitForState('member-2', 'TASK_FAILED', 30_000);
    expect(failed.message).toBe('exit 3');
    const log = await executorLog('pygroup');
    expect(log).toMatch(/^LAUNCH_GROUP member-1,member-2$/m);
    expect(log).not.toMatch(/^LAUNCH member/m);
  }, 60_000);

  it("runs a DEFAULT executor's group itself, failing the group with its first failed task", async () => {
    const offer = await scheduler.freshOffer('an offer for an executor and two tasks', undefined, EXECUTOR_AND_TWO_TASKS);
    const executor = {
      executor_id: { value: 'default-group' },
      type: 'DEFAULT',
      resources: [scalar('cpus', 0.1, offer), scalar('mem', 32, offer)],
    };
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [
          {
            type: 'LAUNCH_GROUP',
            launch_group: {
              executor,
              task_group: { tasks: [taskInfo(offer, 'g-long', 'sleep 60'), taskInfo(offer, 'g-bad', 'sleep 0.5; exit 2')] },
            },
          },
        ],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    const failed = await scheduler.waitForState('g-bad', 'TASK_FAILED', 30_000);
    const killed = await scheduler.waitForState('g-long', 'TASK_KILLED', 30_000);
    expect(failed.executor_id).toEqual({ value: 'default-group' });
    expect(killed.executor_id).toEqual({ value: 'default-group' });
  }, 60_000);
});
