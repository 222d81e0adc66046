/**
 * Failures with real processes. An agent killed with SIGKILL: after the
 * (short) unreachable timeout a partition-aware framework sees
 * TASK_UNREACHABLE and another sees TASK_LOST, and reconciliation answers the
 * same; the agent restarted on its work dir re-registers with the task that
 * kept running. A master killed with SIGKILL mid-run and restarted on its
 * work dir loses no task and no reservation: the agent re-registers, the
 * framework re-subscribes with its id, and reconciliation reports RUNNING.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';

type Json = Record<string, any>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}, 60_000);

const usedOffers = new Set<string>();

/** Launches on the newest offer not used yet (waiting for one if needed). */
async function launchOn(scheduler: SchedulerClient, taskId: string, command: string, extraOperations: Json[] = []): Promise<Json> {
  const event = await scheduler.waitFor(
    (candidate) =>
      candidate.type === 'OFFERS' &&
      candidate.offers.offers.some((offer: Json) => !usedOffers.has(`${scheduler.frameworkId}/${offer.id.value}`)),
    `an offer for ${taskId}`,
    20_000,
  );
  const offer = event.offers.offers.find((candidate: Json) => !usedOffers.has(`${scheduler.frameworkId}/${candidate.id.value}`));
  usedOffers.add(`${scheduler.frameworkId}/${offer.id.value}`);
  await scheduler.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [...extraOperations, launch(offer, taskId, command, { cpus: 0.1, mem: 32 })],
      filters: { refuse_seconds: 0 },
    },
  });
  return offer;
}

describe('an agent killed with SIGKILL', () => {
  const workDir = makeWorkDir('agent-kill');
  afterAll(() => removeWorkDir(workDir));

  it('gives UNREACHABLE (partition-aware) and LOST (others) after the timeout, reconciles them, and comes back with its task', async () => {
    const master = await startMasterProcess(workDir, ['--agent-unreachable-timeout', '1']);
    cleanups.push(() => master.stop());
    let agent: Daemon = await startAgentProcess(workDir, master.url, 'agent');
    cleanups.push(() => agent.stop());
    const aware = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { name: 'aware', roles: ['a'], capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }] },
    });
    cleanups.push(() => aware.close());
    const plain = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'plain', roles: ['b'] } });
    cleanups.push(() => plain.close());
    const offer = await launchOn(aware, 'aware-task', 'sleep 120');
    await launchOn(plain, 'plain-task', 'sleep 120');
    await aware.waitForState('aware-task', 'TASK_RUNNING');
    await plain.waitForState('plain-task', 'TASK_RUNNING');

    await agent.stop('SIGKILL');
    const unreachable = await aware.waitForState('aware-task', 'TASK_UNREACHABLE', 15_000);
    const lost = await plain.waitForState('plain-task', 'TASK_LOST', 15_000);

    expect(unreachable.reason).toBe('REASON_AGENT_DISCONNECTED');
    expect(lost.reason).toBe('REASON_AGENT_DISCONNECTED');
    const from = aware.events.length;
    await aware.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: [
          { task_id: { value: 'aware-task' }, agent_id: offer.agent_id },
          { task_id: { value: 'ghost' }, agent_id: offer.agent_id },
        ],
      },
    });
    const plainFrom = plain.events.length;
    await plain.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'plain-task' } }] } });
    const reconciled = await aware.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.task_id.value === 'ghost',
      'ghost reconciled',
      10_000,
      from,
    );
    const ownReconciled = aware.events
      .slice(from)
      .find((event) => event.type === 'UPDATE' && event.update.status.task_id.value === 'aware-task');
    expect(reconciled.update.status.state).toBe('TASK_UNREACHABLE');
    expect(ownReconciled?.update.status).toMatchObject({ state: 'TASK_UNREACHABLE', reason: 'REASON_RECONCILIATION' });
    const plainReconciled = await plain.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.reason === 'REASON_RECONCILIATION',
      'plain explicit reconciliation',
      10_000,
      plainFrom,
    );
    expect(plainReconciled.update.status).toMatchObject({ state: 'TASK_LOST' });

    // The agent comes back on the same work dir: the partition-aware task is running again.
    agent = await startAgentProcess(workDir, master.url, 'agent');
    const back = await aware.waitFor(
      (event) =>
        event.type === 'UPDATE' &&
        event.update.status.task_id.value === 'aware-task' &&
        event.update.status.state === 'TASK_RUNNING' &&
        aware.events.indexOf(event) > from,
      'aware-task RUNNING again',
      20_000,
    );
    expect(back.update.status.state).toBe('TASK_RUNNING');
    // The other framework's task was reported LOST, so the agent is told to kill it (Mesos's rule).
    await plain.waitFor(
      (event) =>
        event.type === 'UPDATE' && event.update.status.task_id.value === 'plain-task' && event.update.status.state === 'TASK_KILLED',
      'plain-task killed on the returning agent',
      20_000,
    );
  });
});

describe('a master killed with SIGKILL mid-run', () => {
  const workDir = makeWorkDir('master-kill');
  afterAll(() => removeWorkDir(workDir));

  it('recovers every task and reservation after a restart on the same work dir', async () => {
    let master = await startMasterProcess(workDir);
    cleanups.push(() => master.stop());
    const port = new URL(master.url).port;
    const agent = await startAgentProcess(workDir, master.url, 'agent');
    cleanups.push(() => agent.stop());
    let scheduler = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { name: 'survivor', roles: ['db'], failover_timeout: 3600 },
    });
    cleanups.push(() => scheduler.close());
    const frameworkId = scheduler.frameworkId;
    const agentId = (
      await eventually(async () => (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents.agents[0], 'the agent')
    ).agent_info.id.value;

    // A dynamic reservation made by the framework inside its ACCEPT, and a task on the reserved cpus.
    const reserved = [
      {
        name: 'cpus',
        type: 'SCALAR',
        scalar: { value: 0.5 },
        reservations: [{ type: 'DYNAMIC', role: 'db', principal: 'survivor', labels: { labels: [{ key: 'resource_id', value: 'r1' }] } }],
      },
      {
        name: 'mem',
        type: 'SCALAR',
        scalar: { value: 128 },
        reservations: [{ type: 'DYNAMIC', role: 'db', principal: 'survivor', labels: { labels: [{ key: 'resource_id', value: 'r1' }] } }],
      },
    ];
    await launchOn(scheduler, 'db-0', 'sleep 120', [{ type: 'RESERVE', reserve: { resources: reserved } }]);
    await scheduler.waitForState('db-0', 'TASK_RUNNING');
    // An operator reservation as well.
    const operatorReserve = await operator(master.url, {
      type: 'RESERVE_RESOURCES',
      reserve_resources: {
        agent_id: { value: agentId },
        resources: [{ name: 'disk', type: 'SCALAR', scalar: { value: 100 }, reservations: [{ type: 'DYNAMIC', role: 'ops' }] }],
      },
    });
    expect(operatorReserve.status).toBe(202);

    await master.stop('SIGKILL');
    await scheduler.close();
    master = await startMasterProcess(workDir, [], Number(port));

    const recoveredAgent = await eventually(
      async () => {
        const agents = (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents?.agents ?? [];
        return agents.find((candidate: Json) => candidate.agent_info.id.value === agentId && candidate.active);
      },
      'the agent to re-register',
      30_000,
    );
    scheduler = await SchedulerClient.subscribe({
      masterUrl: master.url,
      frameworkInfo: { id: { value: frameworkId }, name: 'survivor', roles: ['db'], failover_timeout: 3600 },
    });
    cleanups.push(() => scheduler.close());
    await scheduler.call({ type: 'RECONCILE', reconcile: { tasks: [{ task_id: { value: 'db-0' }, agent_id: { value: agentId } }] } });
    // The agent may resend db-0's last update on re-registering; the answer to RECONCILE is the one with its reason.
    const reconciled = await scheduler.waitFor(
      (event) =>
        event.type === 'UPDATE' && event.update.status.task_id.value === 'db-0' && event.update.status.reason === 'REASON_RECONCILIATION',
      'db-0 reconciled',
      15_000,
    );

    expect(scheduler.frameworkId).toBe(frameworkId);
    expect(reconciled.update.status).toMatchObject({ state: 'TASK_RUNNING', reason: 'REASON_RECONCILIATION' });
    const reservedTotal = (recoveredAgent.total_resources as Json[]).filter((resource) => resource.reservations?.length > 0);
    expect(reservedTotal).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'cpus', scalar: { value: 0.5 }, role: 'db' }),
        expect.objectContaining({ name: 'mem', scalar: { value: 128 }, role: 'db' }),
        expect.objectContaining({ name: 'disk', scalar: { value: 100 }, role: 'ops' }),
      ]),
    );
    const tasks = (await operator(master.url, { type: 'GET_TASKS' })).body.get_tasks.tasks;
    expect(tasks.map((task: Json) => `${task.task_id.value}:${task.state}`)).toEqual(['db-0:TASK_RUNNING']);

    // The recovered task is fully managed: it can be killed through the new master.
    await scheduler.call({ type: 'KILL', kill: { task_id: { value: 'db-0' } } });
    await scheduler.waitForState('db-0', 'TASK_KILLED', 15_000);
  });
});
