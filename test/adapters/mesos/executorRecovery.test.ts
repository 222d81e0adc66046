/**
 * Issue 13: custom executors survive an agent restart, as in Mesos's agent
 * recovery. The Python executor (fixtures/pythonExecutor.py) of a
 * checkpointing framework runs two tasks; the agent is killed with SIGKILL
 * and started again on the same work dir and port; the executor process
 * keeps running, subscribes again, its tasks keep running, and a KILL after
 * the restart still reaches it. An executor that cannot subscribe again in
 * time (stopped with SIGSTOP) is killed, its task fails with
 * REASON_EXECUTOR_REREGISTRATION_TIMEOUT and its framework gets FAILURE.
 * A DEFAULT executor's group survives a master restart: the agent reports the
 * executor, the new master charges and lists it until its task ends.
 */
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Daemon } from '../master/daemons.js';
import { eventually, makeWorkDir, operator, removeWorkDir, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { SchedulerClient } from '../master/schedulerClient.js';
import { getJson } from './cluster.js';

const PYTHON = '/usr/bin/python3';
const skip = existsSync(PYTHON) ? null : `${PYTHON} is missing (apt-get install python3)`;
if (skip) console.warn(`[executorRecovery] SKIPPED: ${skip}`);

type Json = Record<string, any>;

const scalar = (name: string, value: number, offer: Json) => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  allocation_info: offer.allocation_info,
});
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(skip !== null)('custom executors across an agent restart', () => {
  let workDir: string;
  let master: Daemon;
  let agent: Daemon;
  let port: string;
  let scheduler: SchedulerClient;
  let executorDir: string;
  const stopped: number[] = [];

  const restartAgent = async (timeoutSeconds: number) => {
    await agent.stop('SIGKILL');
    agent = await startAgentProcess(workDir, master.url, 'agent-1', [
      '--port',
      port,
      '--executor-reregistration-timeout',
      String(timeoutSeconds),
    ]);
  };
  const executorLog = async (id: string): Promise<string> => {
    const path = encodeURIComponent(`/frameworks/${scheduler.frameworkId}/executors/${id}/runs/latest/executor.log`);
    const read = await getJson(`${agent.url}/files/read?path=${path}&offset=0&length=65536`);
    return read.status === 200 ? (read.body.data as string) : '';
  };
  const launch = async (executorId: string, taskIds: string[]) => {
    const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 0.5, mem: 256 });
    const executor = {
      executor_id: { value: executorId },
      type: 'CUSTOM',
      command: { value: `${PYTHON} ${join(executorDir, 'pythonExecutor.py')}` },
      resources: [scalar('cpus', 0.1, offer), scalar('mem', 64, offer)],
    };
    const task = (id: string) => ({
      name: id,
      task_id: { value: id },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 0.1, offer), scalar('mem', 32, offer)],
      command: { value: 'sleep 300' },
      executor,
    });
    const accepted = await scheduler.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: taskIds.map(task) } }],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    await Promise.all(taskIds.map((id) => scheduler.waitForState(id, 'TASK_RUNNING', 30_000)));
    const log = await eventually(async () => /^PID (\d+)$/m.exec(await executorLog(executorId)), 'the executor to log its pid');
    return Number(log[1]);
  };

  beforeAll(async () => {
    workDir = makeWorkDir('executor-recovery');
    master = await startMasterProcess(workDir);
    agent = await startAgentProcess(workDir, master.url, 'agent-1');
    port = new URL(agent.url).port;
    executorDir = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : workDir, 'allot-executor-'));
    chmodSync(executorDir, 0o755);
    copyFileSync(new URL('./fixtures/pythonExecutor.py', import.meta.url), join(executorDir, 'pythonExecutor.py'));
    scheduler = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { name: 'py-checkpoint', checkpoint: true } });
  }, 90_000);

  afterAll(async () => {
    for (const pid of stopped) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await scheduler?.close();
    await agent?.stop();
    await master?.stop();
    if (executorDir) rmSync(executorDir, { recursive: true, force: true });
    if (workDir && !process.env.ALLOT_KEEP_WORK_DIRS) removeWorkDir(workDir);
  }, 60_000);

  it('keeps the executor and its tasks running, and a KILL after the restart reaches it', async () => {
    const pid = await launch('py-keep', ['keep-1', 'keep-2']);
    const before = await executorLog('py-keep');
    expect(before).toMatch(/^ENV MESOS_CHECKPOINT=1$/m);
    expect(before).toMatch(/^ENV MESOS_RECOVERY_TIMEOUT=15mins$/m);
    expect(before).toMatch(/^ENV MESOS_SUBSCRIPTION_BACKOFF_MAX=\d+(ms|secs)$/m);

    const from = scheduler.events.length;
    await restartAgent(30);
    expect(alive(pid)).toBe(true);
    const after = await eventually(
      async () => ((await executorLog('py-keep')).match(/^SUBSCRIBED /gm)?.length ?? 0) >= 2 && executorLog('py-keep'),
      'the executor to subscribe again to the new agent',
      60_000,
    );
    // The same process: one PID line, still alive; its tasks ended neither on the agent nor for the framework.
    expect(after.match(/^PID /gm)).toHaveLength(1);
    expect(alive(pid)).toBe(true);
    const state = (await getJson(`${agent.url}/state`)).body;
    const running = state.frameworks.flatMap((framework: Json) => framework.executors.flatMap((executor: Json) => executor.tasks));
    expect(running.map((task: Json) => [task.id, task.state]).sort()).toEqual([
      ['keep-1', 'TASK_RUNNING'],
      ['keep-2', 'TASK_RUNNING'],
    ]);
    const ended = scheduler.events
      .slice(from)
      .filter(
        (event) =>
          event.type === 'UPDATE' && event.update.status.task_id.value.startsWith('keep-') && event.update.status.state !== 'TASK_RUNNING',
      );
    expect(ended).toEqual([]);

    const killed = await scheduler.call({ type: 'KILL', kill: { task_id: { value: 'keep-1' }, agent_id: { value: state.id } } });
    expect(killed.status).toBe(202);
    const status = await scheduler.waitForState('keep-1', 'TASK_KILLED', 30_000);
    expect(status.source).toBe('SOURCE_EXECUTOR');
    expect(await executorLog('py-keep')).toMatch(/^KILL keep-1$/m);
    expect(alive(pid)).toBe(true);
  }, 180_000);

  it('kills an executor that does not subscribe again in time, failing its task', async () => {
    const pid = await launch('py-hung', ['hung-1']);
    process.kill(pid, 'SIGSTOP');
    stopped.push(pid);
    const from = scheduler.events.length;
    await restartAgent(2);
    const failed = await scheduler.waitForState('hung-1', 'TASK_FAILED', 60_000);
    expect(failed.reason).toBe('REASON_EXECUTOR_REREGISTRATION_TIMEOUT');
    const failure = await scheduler.waitFor(
      (event) => event.type === 'FAILURE' && event.failure.executor_id?.value === 'py-hung',
      'the FAILURE event of the executor that did not come back',
      30_000,
      from,
    );
    expect(failure.failure.agent_id.value).toBeTruthy();
    await eventually(async () => !alive(pid), 'the hung executor to be killed');
  }, 180_000);

  it('tells the framework about an executor that died while the agent was down (FAILURE), and ends its task', async () => {
    const pid = await launch('py-dead', ['dead-1']);
    const from = scheduler.events.length;
    await agent.stop('SIGKILL');
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL'); // its process group first (the tasks it started), then itself
      } catch {}
    }
    await eventually(async () => !alive(pid), 'the executor to be gone');
    agent = await startAgentProcess(workDir, master.url, 'agent-1', ['--port', port]);

    const failure = await scheduler.waitFor(
      (event) => event.type === 'FAILURE' && event.failure.executor_id?.value === 'py-dead',
      'the FAILURE event of the executor that died while its agent was down',
      60_000,
      from,
    );
    expect(failure.failure.agent_id.value).toBeTruthy();
    const ended = await scheduler.waitFor(
      (event) =>
        event.type === 'UPDATE' &&
        event.update.status.task_id.value === 'dead-1' &&
        ['TASK_FAILED', 'TASK_LOST', 'TASK_GONE'].includes(event.update.status.state),
      'the task of the dead executor to end',
      60_000,
      from,
    );
    expect(ended.update.status.state).not.toBe('TASK_RUNNING');
  }, 180_000);

  it('reports a DEFAULT executor to a restarted master, which charges it again until its task ends', async () => {
    // The first framework steps aside: its outstanding offers would leave this one none.
    await scheduler.call({ type: 'SUPPRESS' });
    const held = scheduler.events.filter((event) => event.type === 'OFFERS').flatMap((event) => event.offers.offers.map((o: Json) => o.id));
    await scheduler.call({ type: 'DECLINE', decline: { offer_ids: held, filters: { refuse_seconds: 3600 } } });
    const info = { name: 'default-failover', failover_timeout: 3600 };
    const first = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: info });
    const offer = await first.freshOffer(undefined, undefined, { cpus: 0.5, mem: 256 });
    const executor = {
      executor_id: { value: 'dflt' },
      type: 'DEFAULT',
      resources: [scalar('cpus', 0.25, offer), scalar('mem', 32, offer)],
    };
    const member = {
      name: 'df-1',
      task_id: { value: 'df-1' },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 0.125, offer), scalar('mem', 32, offer)],
      command: { value: 'sleep 300' },
    };
    const accepted = await first.call({
      type: 'ACCEPT',
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH_GROUP', launch_group: { executor, task_group: { tasks: [member] } } }],
        filters: { refuse_seconds: 0 },
      },
    });
    expect(accepted.status).toBe(202);
    await first.waitForState('df-1', 'TASK_RUNNING', 30_000);
    await first.close();

    const masterPort = Number(new URL(master.url).port);
    await master.stop('SIGKILL');
    master = await startMasterProcess(workDir, [], masterPort);
    const again = await SchedulerClient.subscribe({ masterUrl: master.url, frameworkInfo: { ...info, id: { value: first.frameworkId } } });
    const listed = async () =>
      ((await operator(master.url, { type: 'GET_EXECUTORS' })).body.get_executors.executors as Json[]).some(
        (entry) => entry.executor_info.executor_id.value === 'dflt',
      );
    // The agent re-registers with the group's task and its DEFAULT executor: charged and listed again.
    await eventually(listed, 'the DEFAULT executor to be known to the restarted master', 60_000);

    const killed = await again.call({ type: 'KILL', kill: { task_id: { value: 'df-1' }, agent_id: offer.agent_id } });
    expect(killed.status).toBe(202);
    await again.waitForState('df-1', 'TASK_KILLED', 30_000);
    await again.waitFor((event) => event.type === 'FAILURE' && event.failure.executor_id?.value === 'dflt', 'the FAILURE event', 30_000);
    expect(await listed()).toBe(false);
    await again.close();
  }, 180_000);
});
