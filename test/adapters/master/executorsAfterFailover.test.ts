/**
 * Custom executors across a master failover (issue 13): the master stores no
 * tasks or executors, so it learns them back from the agent's SUBSCRIBE
 * (`tasks` and `executors`). After the restart GET_EXECUTORS lists the
 * executor again and /master/slaves counts its own resources as used; the
 * agent's EXECUTOR_EXITED then gives them back and the framework gets FAILURE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { eventually, operator } from './daemons.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An agent over the agent protocol that reports `tasks` and `executors` when it subscribes; its events are collected. */
function subscribeAgent(master: RunningMaster, tasks: Json[], executors: Json[]): Promise<FakeAgent> {
  return registerFakeAgent(master.url, 'agent-1', SMALL_AGENT, {}, { hostname: 'h1', attributes: {}, tasks, executors });
}

async function agentCall(master: RunningMaster, streamId: string, call: Json): Promise<void> {
  const response = await fetch(`${master.url}/api/v1/agent`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId },
    body: JSON.stringify({ agent_id: 'agent-1', ...call }),
  });
  expect(response.status).toBe(202);
}

const usedCpus = async (master: RunningMaster): Promise<number> => {
  const slaves = (await (await fetch(`${master.url}/master/slaves`)).json()) as Json;
  return slaves.slaves[0]?.used_resources.cpus ?? 0;
};

describe('custom executors across a master failover', () => {
  it('are charged again from the agent report, listed, and released when they exit', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'allot-executor-failover-'));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    let master = await startTestMaster({ store: 'file', workDir });
    await master.recovered;
    const port = master.port;
    const agent = await subscribeAgent(master, [], []);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { failover_timeout: 3600 } });
    const offer = await scheduler.waitForOffer();
    const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value }, allocation_info: offer.allocation_info });
    const executor = {
      executor_id: { value: 'ex-1' },
      type: 'CUSTOM',
      command: { value: 'my-executor' },
      resources: [scalar('cpus', 0.5), scalar('mem', 64)],
    };
    const task = {
      name: 'kept',
      task_id: { value: 'kept' },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 1), scalar('mem', 64)],
      executor,
    };
    await scheduler.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: [task] } }] },
    });
    const launched = await eventually(async () => agent.events.find((event) => event.type === 'LAUNCH')?.launch, 'the LAUNCH');
    expect(await usedCpus(master)).toBeCloseTo(1.5, 6);
    await agentCall(master, agent.streamId, {
      type: 'UPDATE',
      update: { task_id: 'kept', framework_id: scheduler.frameworkId, state: 'TASK_RUNNING', uuid: 'u-1' },
    });
    await scheduler.waitForState('kept', 'TASK_RUNNING');
    await scheduler.close();
    agent.close();
    await master.close();

    master = await startTestMaster({ store: 'file', workDir, port });
    cleanups.push(() => master.close());
    await master.recovered;
    const again = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: scheduler.frameworkId }, failover_timeout: 3600 },
    });
    cleanups.push(() => again.close());
    const reportedTask = {
      task_id: 'kept',
      framework_id: scheduler.frameworkId,
      state: 'TASK_RUNNING',
      role: launched.role,
      resources: launched.resources,
      executor_id: 'ex-1',
      name: 'kept',
    };
    const reportedExecutor = {
      framework_id: scheduler.frameworkId,
      executor_id: 'ex-1',
      role: launched.role,
      resources: launched.executor.info.resources,
      info: launched.executor.info,
    };
    const back = await subscribeAgent(master, [reportedTask], [reportedExecutor]);
    cleanups.push(() => back.close());
    const executors = (await operator(master.url, { type: 'GET_EXECUTORS' })).body.get_executors.executors as Json[];
    expect(executors.map((entry) => [entry.agent_id.value, entry.executor_info.executor_id.value])).toEqual([['agent-1', 'ex-1']]);
    expect(await usedCpus(master)).toBeCloseTo(1.5, 6);

    const from = again.events.length;
    await agentCall(master, back.streamId, {
      type: 'EXECUTOR_EXITED',
      executor_exited: { framework_id: scheduler.frameworkId, executor_id: 'ex-1', status: 1 },
    });
    const failure = await again.waitFor((event) => event.type === 'FAILURE', 'the FAILURE event', 10_000, from);
    expect(failure.failure).toEqual({ agent_id: { value: 'agent-1' }, executor_id: { value: 'ex-1' }, status: 1 });
    expect((await operator(master.url, { type: 'GET_EXECUTORS' })).body.get_executors.executors).toEqual([]);
    expect(await usedCpus(master)).toBeCloseTo(1, 6);
  });

  it('charges a DEFAULT executor again from the agent report, and ends it with its last task', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'allot-executor-failover-'));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    let master = await startTestMaster({ store: 'file', workDir });
    await master.recovered;
    const port = master.port;
    const agent = await subscribeAgent(master, [], []);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { failover_timeout: 3600 } });
    const offer = await scheduler.waitForOffer();
    const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value }, allocation_info: offer.allocation_info });
    const executor = { executor_id: { value: 'dx' }, type: 'DEFAULT', resources: [scalar('cpus', 0.5), scalar('mem', 64)] };
    const member = {
      name: 'm1',
      task_id: { value: 'm1' },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 1), scalar('mem', 64)],
      command: { value: 'sleep 100' },
    };
    await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [member] } } }],
      },
    });
    const launched = await eventually(async () => agent.events.find((event) => event.type === 'LAUNCH')?.launch, 'the LAUNCH');
    expect(await usedCpus(master)).toBeCloseTo(1.5, 6);
    await scheduler.close();
    agent.close();
    await master.close();

    master = await startTestMaster({ store: 'file', workDir, port });
    cleanups.push(() => master.close());
    await master.recovered;
    const again = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: scheduler.frameworkId }, failover_timeout: 3600 },
    });
    cleanups.push(() => again.close());
    const reportedTask = {
      task_id: 'm1',
      framework_id: scheduler.frameworkId,
      state: 'TASK_RUNNING',
      role: launched.role,
      resources: launched.resources,
      executor_id: 'dx',
      name: 'm1',
    };
    const info = launched.executor.info;
    const reportedExecutor = {
      framework_id: scheduler.frameworkId,
      executor_id: 'dx',
      role: launched.role,
      resources: info.resources,
      info,
      default: true,
    };
    const back = await subscribeAgent(master, [reportedTask], [reportedExecutor]);
    cleanups.push(() => back.close());
    expect(await usedCpus(master)).toBeCloseTo(1.5, 6);

    await agentCall(master, back.streamId, {
      type: 'UPDATE',
      update: { task_id: 'm1', framework_id: scheduler.frameworkId, state: 'TASK_FINISHED', uuid: 'u-2' },
    });
    await again.waitFor((event) => event.type === 'FAILURE' && event.failure.executor_id?.value === 'dx', 'the FAILURE event', 10_000);
    expect(await usedCpus(master)).toBeCloseTo(0, 6);
  });
});
