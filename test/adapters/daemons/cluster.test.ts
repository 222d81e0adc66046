/**
 * A real cluster on 127.0.0.1: `allot master` and an `allot agent` as child
 * processes, and a scheduler speaking plain HTTP/JSON. It subscribes,
 * receives offers in the Mesos shape, launches shell tasks, sees them run and
 * finish (acknowledging each update), kills one, and reconciles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectCgroupVersion } from '../../../adapters/src/agent/isolation/createIsolator.js';
import type { Daemon } from '../master/daemons.js';
import { makeWorkDir, operator, removeWorkDir, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { launch, SchedulerClient } from '../master/schedulerClient.js';

const cgroups = await detectCgroupVersion();
const cgroupSkip = process.getuid?.() !== 0 ? 'not running as root' : cgroups.version === null ? cgroups.why : null;
if (cgroupSkip) console.warn(`[daemons] the memory-limit test is SKIPPED: ${cgroupSkip}`);

describe('a master, an agent and a scheduler over HTTP', () => {
  let workDir: string;
  let master: Daemon;
  let agent: Daemon;
  let scheduler: SchedulerClient;

  beforeAll(async () => {
    workDir = makeWorkDir('cluster');
    master = await startMasterProcess(workDir);
    agent = await startAgentProcess(workDir, master.url, 'agent-1', ['--attributes', 'rack:r1']);
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url });
  }, 60_000);

  afterAll(async () => {
    await scheduler?.close();
    await agent?.stop();
    await master?.stop();
    removeWorkDir(workDir);
  }, 60_000);

  it('offers the agent in the Mesos JSON shape', async () => {
    const offer = await scheduler.waitForOffer();
    const declined = await scheduler.call({ type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0 } } });

    expect(declined.status).toBe(202);
    expect(offer.framework_id.value).toBe(scheduler.frameworkId);
    expect(offer.url.address.ip).toBe('127.0.0.1');
    expect(offer.allocation_info.role).toBe('test');
    const byName = Object.fromEntries(offer.resources.map((resource: any) => [resource.name, resource]));
    expect(byName.cpus.scalar.value).toBe(2);
    expect(byName.mem.scalar.value).toBe(1024);
    expect(byName.ports.ranges.range).toEqual([{ begin: 31000, end: 31100 }]);
    expect(byName.cpus.role).toBe('*');
    expect(offer.attributes).toContainEqual({ name: 'rack', type: 'TEXT', text: { value: 'r1' } });
  });

  it('runs `echo hi` to TASK_FINISHED, with uuids that it acknowledges', async () => {
    const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 0.1, mem: 32 });

    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [launch(offer, 'hello', 'echo hi', { cpus: 0.1, mem: 32 })],
        filters: { refuse_seconds: 0 },
      },
    });
    const finished = await scheduler.waitForState('hello', 'TASK_FINISHED');

    expect(accepted.status).toBe(202);
    expect(scheduler.states('hello')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    expect(finished.uuid).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(finished.agent_id.value).toBe(offer.agent_id.value);
    const tasks = await operator(master.url, { type: 'GET_TASKS' });
    const done = tasks.body.get_tasks.completed_tasks.find((task: any) => task.task_id.value === 'hello');
    expect(done.state).toBe('TASK_FINISHED');
  });

  it('kills a sleeping task: TASK_RUNNING then TASK_KILLED', async () => {
    const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 0.1, mem: 32 });
    await scheduler.call({
      type: 'ACCEPT',
      accept: { offer_ids: [offer.id], operations: [launch(offer, 'sleeper', 'sleep 60', { cpus: 0.1, mem: 32 })] },
    });
    await scheduler.waitForState('sleeper', 'TASK_RUNNING');

    const killed = await scheduler.call({
      type: 'KILL',
      kill: { task_id: { value: 'sleeper' }, kill_policy: { grace_period: { nanoseconds: 200_000_000 } } },
    });
    await scheduler.waitForState('sleeper', 'TASK_KILLED');

    expect(killed.status).toBe(202);
    expect(scheduler.states('sleeper')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
  });

  it.skipIf(cgroupSkip !== null)('fails a task over its memory limit with REASON_CONTAINER_LIMITATION_MEMORY (cgroups)', async () => {
    const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 0.2, mem: 32 });
    // `tail` holds the whole newline-free 200 MB stream in memory.
    await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [launch(offer, 'hog', 'head -c 200M /dev/zero | tail', { cpus: 0.2, mem: 32 })],
        filters: { refuse_seconds: 0 },
      },
    });

    const failed = await scheduler.waitForState('hog', 'TASK_FAILED', 30_000);

    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.message).toMatch(/^Memory limit exceeded: requested 32 MB, peak \d+(\.\d)? MB$/);
  });

  it('answers explicit reconciliation: a finished task, and an unknown one on a registered agent as LOST', async () => {
    const from = scheduler.events.length;
    const offer = (await operator(master.url, { type: 'GET_AGENTS' })).body.get_agents.agents[0];
    const agentId = offer.agent_info.id;

    await scheduler.call({
      type: 'RECONCILE',
      reconcile: {
        tasks: [
          { task_id: { value: 'hello' }, agent_id: agentId },
          { task_id: { value: 'never-launched' }, agent_id: agentId },
        ],
      },
    });
    const hello = await scheduler.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.task_id.value === 'hello',
      'reconciled hello',
      10_000,
      from,
    );
    const unknown = await scheduler.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.task_id.value === 'never-launched',
      'reconciled unknown',
      10_000,
      from,
    );

    expect(hello.update.status).toMatchObject({ state: 'TASK_FINISHED', reason: 'REASON_RECONCILIATION', source: 'SOURCE_MASTER' });
    expect(hello.update.status.uuid).toBeUndefined();
    expect(unknown.update.status.state).toBe('TASK_LOST');
  });

  it("serves /metrics in Prometheus text, /health, and the agent's /state", async () => {
    const metrics = await (await fetch(`${master.url}/metrics`)).text();
    const health = await fetch(`${master.url}/health`);
    const state = await (await fetch(`${agent.url}/state`)).json();

    expect(health.status).toBe(200);
    expect(metrics).toMatch(/^allot_allocation_cycles_total \d+$/m);
    expect(metrics).toMatch(/^allot_tasks\{state="TASK_FINISHED"\} 1$/m);
    expect(metrics).toMatch(/^allot_role_dominant_share\{role="test"\} /m);
    expect(metrics).toMatch(/^allot_allocation_latency_seconds_bucket/m);
    expect(state.isolation).toMatch(/cgroups|posix/);
  });
});
