/**
 * The Node host of the scheduler contract, with a framework model that knows
 * nothing of the SDK (the kernel's batch framework), against a real in-process
 * master and a fake agent: the model's launches reach the agent as TaskInfos,
 * the agent's updates reach the model, and its acknowledgements go back with
 * the uuid the master sent; calls wait for `persist`; a model that restarts
 * with its framework id reconciles; a kill the master could not take now
 * (503) is sent again; the tasks of an ACCEPT that did not get through end
 * (TASK_ERROR, TASK_DROPPED) and its offers are declined.
 */
import type { FrameworkConfig, TaskSpec } from '@allot/kernel';
import { ResourceLayout } from '@allot/kernel';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchFramework } from '../../../kernel/src/frameworks/batch/batchFramework.js';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { fromResourceSet } from '../../../adapters/src/master/mesosResources.js';
import { SchedulerHost } from '../../../adapters/src/scheduler/schedulerHost.js';
import { waitUntil } from '../ha/waitUntil.js';
import { FakeMaster, subscribedEvent } from './fakeMaster.js';
import type { FakeAgent } from '../master/inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from '../master/inProcess.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const config: FrameworkConfig = {
  id: 'batch',
  name: 'batch',
  role: 'analytics',
  kind: 'batch',
  tasks: { count: 2, resources: { cpus: 0.5, mem: 64 }, ports: 1, durationMs: null },
  maxTasksPerOffer: 2,
  refuseSeconds: 5,
  capabilities: ['MULTI_ROLE'],
  partitionAware: false,
  relaunch: false,
  startAtMs: 0,
};

function taskInfo(task: TaskSpec, agentId: string): Json {
  return {
    name: task.taskId,
    task_id: { value: task.taskId },
    agent_id: { value: agentId },
    resources: [],
    command: { value: 'sleep 60' },
  };
}

async function setUp(
  frameworkId: string | null = null,
  persist?: () => Promise<void>,
  existing?: { master: RunningMaster; agent: FakeAgent },
) {
  const master: RunningMaster = existing?.master ?? (await startTestMaster());
  if (!existing) cleanups.push(() => master.close());
  const agent: FakeAgent = existing?.agent ?? (await registerFakeAgent(master.url, 'agent-1', SMALL_AGENT));
  if (!existing) cleanups.push(() => agent.close());
  const layout = ResourceLayout.create();
  const host = new SchedulerHost({
    driver: {
      masters: [master.url],
      frameworkInfo: { user: 'nobody', name: 'batch', roles: ['analytics'], capabilities: [{ type: 'MULTI_ROLE' }], failover_timeout: 60 },
      frameworkId,
      backoffMinMs: 20,
    },
    layout,
    taskInfo: (task, agentId) => {
      const info = taskInfo(task, agentId);
      // The real resources, as the renderer of a real host sends them.
      return { ...info, resources: hostResources(task, layout) };
    },
    persist,
    logger: pino({ level: 'silent' }),
  });
  cleanups.push(() => host.stop());
  const model = new BatchFramework(config);
  host.start(model);
  return { master, agent, host, model };
}

function hostResources(task: TaskSpec, layout: ResourceLayout): Json[] {
  return fromResourceSet(task.resources, layout, 'analytics');
}

async function sendUpdate(masterUrl: string, agent: FakeAgent, launch: Json, state: string, uuid: string): Promise<void> {
  const response = await fetch(`${masterUrl}/api/v1/agent`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': agent.streamId },
    body: JSON.stringify({
      type: 'UPDATE',
      agent_id: agent.agentId,
      update: { task_id: launch.task_id, framework_id: launch.framework_id, state, uuid, timestamp: Date.now() / 1000 },
    }),
  });
  expect(response.status).toBe(202);
}

describe('SchedulerHost', () => {
  it("runs a model against a real master: its launches reach the agent, the agent's updates reach it, its acknowledgements go back", async () => {
    const { master, agent, model, host } = await setUp();
    await waitUntil(() => agent.events.filter((event) => event.type === 'LAUNCH').length === 2, 'two launches', 10_000);
    const launches = agent.events.filter((event) => event.type === 'LAUNCH').map((event) => event.launch);
    expect(launches.map((launch) => launch.command)).toEqual(['sleep 60', 'sleep 60']);
    expect(launches[0].framework_id).toBe(host.driver.frameworkId);
    const uuid = '4a0b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d';
    await sendUpdate(master.url, agent, launches[0], 'TASK_RUNNING', uuid);
    await waitUntil(() => model.taskStates.get(launches[0].task_id) === 'TASK_RUNNING', 'the model hears RUNNING', 10_000);
    await waitUntil(
      () => agent.events.some((event) => event.type === 'ACKNOWLEDGE' && event.acknowledge.uuid === uuid),
      'the acknowledgement reaches the agent',
      10_000,
    );
  });

  it('sends nothing before persist resolves', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let persisted = 0;
    const { agent, host } = await setUp(null, async () => {
      persisted++;
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(host.driver.subscribed).toBe(false);
    expect(agent.events.some((event) => event.type === 'LAUNCH')).toBe(false);
    release();
    await waitUntil(() => agent.events.some((event) => event.type === 'LAUNCH'), 'a launch after persist', 10_000);
    expect(persisted).toBeGreaterThan(0);
  });

  it('a model restarted with its framework id fails over to it and reconciles what it believes is live', async () => {
    const first = await setUp();
    await waitUntil(() => first.agent.events.filter((event) => event.type === 'LAUNCH').length === 2, 'two launches', 10_000);
    const frameworkId = first.host.driver.frameworkId!;
    const launches = first.agent.events.filter((event) => event.type === 'LAUNCH').map((event) => event.launch);
    await sendUpdate(first.master.url, first.agent, launches[0], 'TASK_RUNNING', '5a0b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d');
    await waitUntil(() => first.model.taskStates.get(launches[0].task_id) === 'TASK_RUNNING', 'RUNNING', 10_000);
    await first.host.stop();
    // A successor with the same id: a fresh model here, with the first one's live task to reconcile.
    const second = await setUp(frameworkId, undefined, first);
    const reconciled: string[] = [];
    const failover = second.model.onMasterFailover.bind(second.model);
    second.model.onMasterFailover = (context) => {
      reconciled.push('failover');
      failover(context);
    };
    await waitUntil(() => second.host.driver.subscribed, 'the successor subscribes', 10_000);
    expect(second.host.driver.frameworkId).toBe(frameworkId);
    await waitUntil(() => reconciled.length > 0, 'onMasterFailover', 10_000);
  });

  it('sends a kill again when the master answered 503 (its state could not be stored), and not a refused one', async () => {
    const master = await FakeMaster.start();
    cleanups.push(() => master.close());
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-1')) });
    const host = new SchedulerHost({
      driver: { masters: [master.url], frameworkInfo: { user: 'nobody', name: 'batch', roles: ['analytics'] }, frameworkId: null },
      layout: ResourceLayout.create(),
      taskInfo,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => host.stop());
    host.start(new BatchFramework({ ...config, tasks: { ...config.tasks, count: 0 } }));
    await waitUntil(() => host.driver.subscribed, 'subscribed', 10_000);
    const kills = () => master.requests.filter((request) => request.body.type === 'KILL').map((request) => request.body.kill.task_id.value);
    master.answerCall({ status: 503, body: 'not durable' });
    host.act(() => host.context.send({ type: 'task.kill', frameworkId: 'fw-1', taskId: 't1', agentId: 'a1' }));
    await waitUntil(() => kills().length === 2, 'the kill sent again', 10_000);
    master.answerCall({ status: 400, body: 'bad kill' });
    host.act(() => host.context.send({ type: 'task.kill', frameworkId: 'fw-1', taskId: 't2', agentId: 'a1' }));
    await waitUntil(() => kills().length === 3, 'the second kill', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(kills()).toEqual(['t1', 't1', 't2']);
  });
  it('ends the tasks of an ACCEPT the master refused (TASK_ERROR) or could not take (TASK_DROPPED), and gives the offers back', async () => {
    const master = await FakeMaster.start();
    cleanups.push(() => master.close());
    master.answerSubscribe({ stream: (send) => send(subscribedEvent('fw-1')) });
    const layout = ResourceLayout.create();
    const host = new SchedulerHost({
      driver: { masters: [master.url], frameworkInfo: { user: 'nobody', name: 'batch', roles: ['analytics'] }, frameworkId: null },
      layout,
      taskInfo,
      logger: pino({ level: 'silent' }),
    });
    cleanups.push(() => host.stop());
    const model = new BatchFramework({ ...config, tasks: { ...config.tasks, count: 0 } });
    const heard: Array<{ taskId: string; state: string; reason?: string; message?: string }> = [];
    const onUpdate = model.onUpdate.bind(model);
    model.onUpdate = (status, context) => {
      heard.push({ taskId: status.taskId, state: status.state, reason: status.reason, message: status.message });
      onUpdate(status, context);
    };
    host.start(model);
    await waitUntil(() => host.driver.subscribed, 'subscribed', 10_000);
    const accept = (offerId: string, taskId: string) =>
      host.act(() =>
        host.context.send({
          type: 'offer.accept',
          frameworkId: 'fw-1',
          offerIds: [offerId],
          operations: [
            {
              type: 'LAUNCH',
              tasks: [{ taskId, name: taskId, resources: { scalars: layout.vector({ cpus: 0.1 }), ports: [], reserved: [] } }],
            },
          ],
          refuseSeconds: 5,
        }),
      );
    const declined = () => master.requests.filter((request) => request.body.type === 'DECLINE').map((request) => request.body.decline);

    master.answerCall({ status: 403, body: 'tasks may not run as user "root"' });
    accept('o1', 't1');
    await waitUntil(() => heard.length === 1, 'the refused task ended', 10_000);
    expect(heard[0]).toMatchObject({ taskId: 't1', state: 'TASK_ERROR', reason: 'REASON_TASK_UNAUTHORIZED' });
    expect(heard[0].message).toContain('tasks may not run as user "root"');
    await waitUntil(() => declined().length === 1, 'the offer declined', 10_000);
    expect(declined()[0]).toMatchObject({ offer_ids: [{ value: 'o1' }] });

    master.answerCall({ status: 503, body: 'not durable' });
    accept('o2', 't2');
    await waitUntil(() => heard.length === 2, 'the dropped task ended', 10_000);
    expect(heard[1]).toMatchObject({ taskId: 't2', state: 'TASK_DROPPED', reason: 'REASON_MASTER_DISCONNECTED' });
  });
});
