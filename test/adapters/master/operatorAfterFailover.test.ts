/**
 * What the operator and scheduler APIs answer about tasks whose agent has
 * not re-registered after a master restart (the master stores no tasks; as
 * in Mesos, it learns them back from their agents): GET_TASKS does not list
 * them, GET_AGENTS lists the agent under `recovered_agents`, and an explicit
 * reconciliation gets no answer yet. Once the agent re-registers with its
 * task, GET_TASKS lists it RUNNING and reconciliation answers RUNNING.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { operator } from './daemons.js';
import type { FakeAgent } from './inProcess.js';
import { registerFakeAgent, SMALL_AGENT, startTestMaster } from './inProcess.js';
import { launch, SchedulerClient } from './schedulerClient.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An agent over the agent protocol that reports `tasks` when it subscribes; its events are collected. */
function subscribeAgent(master: RunningMaster, tasks: Json[]): Promise<FakeAgent> {
  return registerFakeAgent(master.url, 'agent-1', SMALL_AGENT, {}, { hostname: 'h1', attributes: {}, tasks });
}

async function update(master: RunningMaster, streamId: string, status: Json): Promise<void> {
  const response = await fetch(`${master.url}/api/v1/agent`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': streamId },
    body: JSON.stringify({ type: 'UPDATE', agent_id: 'agent-1', update: status }),
  });
  expect(response.status).toBe(202);
}

describe('tasks of an agent that has not re-registered after a restart', () => {
  it('are not listed by GET_TASKS, their agent is a recovered agent, and reconciliation waits; all comes back with the agent', async () => {
    const workDir = mkdtempSync(join(tmpdir(), 'allot-recovered-'));
    cleanups.push(() => rmSync(workDir, { recursive: true, force: true }));
    let master = await startTestMaster({ store: 'file', workDir });
    await master.recovered;
    const port = master.port;
    const agent = await subscribeAgent(master, []);
    const scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { failover_timeout: 3600 } });
    const offer = await scheduler.waitForOffer();
    await scheduler.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [launch(offer, 'kept', 'sleep 100', { cpus: 1, mem: 64 })] },
    });
    const launched = await (async () => {
      for (let tries = 0; tries < 200; tries++) {
        const found = agent.events.find((event) => event.type === 'LAUNCH');
        if (found) return found.launch;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('no LAUNCH reached the agent');
    })();
    await update(master, agent.streamId, { task_id: 'kept', framework_id: scheduler.frameworkId, state: 'TASK_RUNNING', uuid: 'u-1' });
    await scheduler.waitForState('kept', 'TASK_RUNNING');
    await scheduler.close();
    agent.close();
    await master.close();

    master = await startTestMaster({ store: 'file', workDir, port });
    cleanups.push(() => master.close());
    await master.recovered;
    const tasksWhileAway = (await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks;
    const agentsWhileAway = (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents;
    expect(tasksWhileAway.tasks).toEqual([]);
    expect(agentsWhileAway.agents).toEqual([]);
    expect(agentsWhileAway.recovered_agents.map((entry: Json) => entry.id.value)).toEqual(['agent-1']);

    const again = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: scheduler.frameworkId }, failover_timeout: 3600 },
    });
    cleanups.push(() => again.close());
    const ask = () =>
      again.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'kept' }, agent_id: { value: 'agent-1' } }] } });
    expect((await ask()).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(again.states('kept')).toEqual([]);

    const reported = {
      task_id: 'kept',
      framework_id: scheduler.frameworkId,
      state: 'TASK_RUNNING',
      role: launched.role,
      resources: launched.resources,
      name: 'kept',
    };
    const back = await subscribeAgent(master, [reported]);
    cleanups.push(() => back.close());
    const tasksBack = (await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks.tasks as Json[];
    expect(tasksBack.map((task) => [task.task_id.value, task.state, task.name])).toEqual([['kept', 'TASK_RUNNING', 'kept']]);
    const from = again.events.length;
    await ask();
    const answer = await again.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.reason === 'REASON_RECONCILIATION',
      'the reconciliation answer',
      10_000,
      from,
    );
    expect(answer.update.status.state).toBe('TASK_RUNNING');
  });
});
