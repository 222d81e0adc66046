/**
 * AgentRuntime with real processes (posix isolation, so it runs anywhere):
 * exit codes to terminal states, stdout capture, the task environment, kills
 * with a grace period, sandbox ownership, disk limits and health checks.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../../adapters/src/agent/isolation/procStat.js';
import { createJsonLogger, createMemoryLogger } from '../../../adapters/src/agent/logger.js';
import { lookupUser } from '../../../adapters/src/agent/sandbox.js';
import type { Harness } from './harness.js';
import { IS_ROOT, makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

if (!IS_ROOT) console.warn('[agent runtime] "runs the task as nobody" SKIPPED: not running as root, so tasks cannot switch user');

let workDir: string;
let harness: Harness;

beforeAll(async () => {
  workDir = makeWorkDir('runtime');
  harness = await startRuntime(workDir, { diskCheckIntervalMs: 100 });
});

afterEach(() => {
  // Leave nothing running between tests, whatever an assertion did.
  for (const task of harness.runtime.tasks()) if (task.state === 'TASK_RUNNING') harness.runtime.kill(task.frameworkId, task.taskId, 0);
});

afterAll(() => {
  harness.runtime.close();
  removeWorkDir(workDir);
});

describe('AgentRuntime: launching', () => {
  it('runs `echo hi` to TASK_FINISHED and captures stdout in the sandbox', async () => {
    const result = await harness.runtime.launch({ taskId: 'echo', frameworkId: 'fw', command: 'echo hi' });

    expect(result.ok).toBe(true);
    await harness.waitForState('echo', 'TASK_FINISHED');
    expect(harness.states('echo')).toEqual(['TASK_RUNNING', 'TASK_FINISHED']);
    const sandboxDir = join(workDir, 'sandboxes', 'fw', 'echo');
    expect(result.ok && result.sandboxDir).toBe(sandboxDir);
    expect(readFileSync(join(sandboxDir, 'stdout'), 'utf8')).toBe('hi\n');
    expect(readFileSync(join(sandboxDir, 'exit_status'), 'utf8').trim()).toBe('0');
  });

  it('reports a non-zero exit as TASK_FAILED "exited with code 3", stderr captured', async () => {
    await harness.runtime.launch({ taskId: 'exit-3', frameworkId: 'fw', command: 'echo oops >&2; exit 3' });

    const failed = await harness.waitForState('exit-3', 'TASK_FAILED');
    expect(failed.message).toBe('exited with code 3');
    expect(failed.reason).toBeUndefined();
    expect(readFileSync(join(workDir, 'sandboxes', 'fw', 'exit-3', 'stderr'), 'utf8')).toBe('oops\n');
  });

  it('gives the task PORT0..n, PORTS and the MESOS_* variables', async () => {
    await harness.runtime.launch({
      taskId: 'env',
      frameworkId: 'fw',
      command:
        'echo "$PORT0 $PORT1 $PORT2 $PORTS $MESOS_TASK_ID $MESOS_FRAMEWORK_ID $MESOS_AGENT_ID $MESOS_SANDBOX $MESOS_DIRECTORY $GREETING"',
      resources: {
        cpus: 0.1,
        mem: 32,
        ports: [
          [31000, 31001],
          [31005, 31005],
        ],
      },
      env: { GREETING: 'hello' },
    });

    await harness.waitForState('env', 'TASK_FINISHED');
    const sandboxDir = join(workDir, 'sandboxes', 'fw', 'env');
    expect(readFileSync(join(sandboxDir, 'stdout'), 'utf8')).toBe(
      `31000 31001 31005 31000,31001,31005 env fw agent-1 ${sandboxDir} ${sandboxDir} hello\n`,
    );
  });

  it('rejects an invalid task with TASK_ERROR / REASON_TASK_INVALID', async () => {
    const result = await harness.runtime.launch({ taskId: '../escape', frameworkId: 'fw', command: 'true' });

    expect(result).toMatchObject({ ok: false, code: 'invalid_task' });
    const error = await harness.waitForState('../escape', 'TASK_ERROR');
    expect(error.reason).toBe('REASON_TASK_INVALID');
    expect(error.message).toContain('task id "../escape"');
  });

  it('refuses a second launch of a live task id', async () => {
    await harness.runtime.launch({ taskId: 'twice', frameworkId: 'fw', command: 'sleep 30' });

    const second = await harness.runtime.launch({ taskId: 'twice', frameworkId: 'fw', command: 'true' });

    expect(second).toMatchObject({ ok: false, code: 'duplicate_task' });
    harness.runtime.kill('fw', 'twice', 0);
    await harness.waitForState('twice', 'TASK_KILLED');
  });

  it('runs the same task id for two frameworks side by side, each in its own sandbox and container', async () => {
    const first = await harness.runtime.launch({ taskId: 'same', frameworkId: 'fw-a', command: 'sleep 30' });
    const second = await harness.runtime.launch({ taskId: 'same', frameworkId: 'fw-b', command: 'echo b' });

    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.sandboxDir).not.toBe(second.sandboxDir);
    expect(first.containerId).not.toBe(second.containerId);
    expect(await harness.runtime.whenTerminal('fw-b', 'same')).toBe('TASK_FINISHED');
    expect(harness.runtime.task('fw-a', 'same')?.state).toBe('TASK_RUNNING');
    expect(harness.runtime.kill('fw-a', 'same', 0)).toEqual({ ok: true });
    expect(await harness.runtime.whenTerminal('fw-a', 'same')).toBe('TASK_KILLED');
    const ends = harness.updates.filter((update) => update.taskId === 'same' && update.state !== 'TASK_RUNNING');
    expect(ends.map((update) => [update.frameworkId, update.state]).sort()).toEqual([
      ['fw-a', 'TASK_KILLED'],
      ['fw-b', 'TASK_FINISHED'],
    ]);
  });

  it.skipIf(!IS_ROOT)('runs the task as nobody in a sandbox owned by nobody (agent is root)', async () => {
    const nobody = lookupUser('nobody')!;
    await harness.runtime.launch({ taskId: 'whoami', frameworkId: 'fw', command: 'id -u; touch mine' });

    await harness.waitForState('whoami', 'TASK_FINISHED');
    const sandboxDir = join(workDir, 'sandboxes', 'fw', 'whoami');
    expect(statSync(sandboxDir).uid).toBe(nobody.uid);
    expect(statSync(join(sandboxDir, 'stdout')).uid).toBe(nobody.uid);
    expect(statSync(join(sandboxDir, 'mine')).uid).toBe(nobody.uid);
    expect(readFileSync(join(sandboxDir, 'stdout'), 'utf8').trim()).toBe(String(nobody.uid));
  });
});

describe('AgentRuntime: killing', () => {
  it('SIGKILLs a task that ignores SIGTERM after the grace period: TASK_KILLING then TASK_KILLED', async () => {
    await harness.runtime.launch({
      taskId: 'stubborn',
      frameworkId: 'fw',
      command: "trap '' TERM; touch trapped; sleep 30",
      frameworkCapabilities: ['TASK_KILLING_STATE'],
    });
    await harness.waitForState('stubborn', 'TASK_RUNNING');
    // SIGTERM before the shell has run `trap` would end it at once: wait until the trap is set.
    await waitFor(() => existsSync(join(workDir, 'sandboxes', 'fw', 'stubborn', 'trapped')), 'the TERM trap to be set');
    const startedMs = Date.now();

    expect(harness.runtime.kill('fw', 'stubborn', 500)).toEqual({ ok: true });
    const killed = await harness.waitForState('stubborn', 'TASK_KILLED');

    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(450);
    expect(harness.states('stubborn')).toEqual(['TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    expect(killed.message).toBe('killed; terminated by signal SIGKILL');
  });

  it('ends a task that honours SIGTERM before the grace period, without TASK_KILLING for frameworks lacking the capability', async () => {
    await harness.runtime.launch({ taskId: 'polite', frameworkId: 'fw', command: 'sleep 30' });
    await harness.waitForState('polite', 'TASK_RUNNING');
    const startedMs = Date.now();

    harness.runtime.kill('fw', 'polite', 60_000);
    const killed = await harness.waitForState('polite', 'TASK_KILLED');

    // Well before the grace period's SIGKILL, however busy the machine.
    expect(Date.now() - startedMs).toBeLessThan(30_000);
    expect(harness.states('polite')).toEqual(['TASK_RUNNING', 'TASK_KILLED']);
    expect(killed.message).toBe('killed; exited with code 143 (signal SIGTERM)');
  });

  it('kills the children of the task too (the whole process group)', async () => {
    await harness.runtime.launch({ taskId: 'family', frameworkId: 'fw', command: 'sleep 31 & echo $! > child.pid; wait' });
    await harness.waitForState('family', 'TASK_RUNNING');
    const pidFile = join(workDir, 'sandboxes', 'fw', 'family', 'child.pid');
    const childPid = Number(await waitFor(() => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim() : null), 'the child pid file'));

    harness.runtime.kill('fw', 'family', 200);
    await harness.waitForState('family', 'TASK_KILLED');

    // Not `kill(pid, 0)`: the orphaned child may linger as a zombie until init reaps it.
    await waitFor(() => !isProcessAlive(childPid), `child ${childPid} to be gone`, 2_000);
  });

  it('answers unknown_task for a task it does not run', () => {
    expect(harness.runtime.kill('fw', 'nope')).toMatchObject({ ok: false, code: 'unknown_task' });
  });
});

describe('AgentRuntime: limits and health', () => {
  it('kills a task whose sandbox outgrows its disk: TASK_FAILED / REASON_CONTAINER_LIMITATION_DISK', async () => {
    await harness.runtime.launch({
      taskId: 'hog',
      frameworkId: 'fw',
      command: 'head -c 3145728 /dev/urandom > big; sleep 30',
      resources: { disk: 1 },
    });

    const failed = await harness.waitForState('hog', 'TASK_FAILED');

    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
    // The check may catch the file while it is still being written: any usage above the quota, up to the full 3 MB.
    const usageMb = Number(/^Disk usage \((\d+(?:\.\d+)?) MB\) exceeds quota \(1 MB\)$/.exec(failed.message ?? '')?.[1]);
    expect(usageMb).toBeGreaterThan(1);
    expect(usageMb).toBeLessThan(3.2);
  });

  it('reports health changes as TASK_RUNNING updates with `healthy`', async () => {
    await harness.runtime.launch({
      taskId: 'healthy',
      frameworkId: 'fw',
      command: 'touch ready; sleep 1; rm ready; sleep 30',
      healthCheck: {
        command: 'test -f ready',
        intervalSeconds: 0.1,
        timeoutSeconds: 2,
        delaySeconds: 0,
        gracePeriodSeconds: 5,
        consecutiveFailures: 0,
      },
    });

    await harness.waitForState('healthy', 'TASK_RUNNING');
    const unhealthy = await waitFor(
      () => harness.updates.find((update) => update.taskId === 'healthy' && update.healthy === false),
      'an unhealthy update',
    );

    expect(unhealthy.state).toBe('TASK_RUNNING');
    const running = harness.updates.filter((update) => update.taskId === 'healthy').map((update) => [update.state, update.healthy]);
    expect(running).toEqual([
      ['TASK_RUNNING', undefined],
      ['TASK_RUNNING', true],
      ['TASK_RUNNING', false],
    ]);
    harness.runtime.kill('fw', 'healthy', 0);
    await harness.waitForState('healthy', 'TASK_KILLED');
  });

  it('kills a task after `consecutiveFailures` failed health checks', async () => {
    await harness.runtime.launch({
      taskId: 'sick',
      frameworkId: 'fw',
      command: 'sleep 30',
      healthCheck: {
        command: 'exit 1',
        intervalSeconds: 0.1,
        timeoutSeconds: 2,
        delaySeconds: 0,
        gracePeriodSeconds: 0,
        consecutiveFailures: 3,
      },
    });

    const killed = await harness.waitForState('sick', 'TASK_KILLED');

    expect(killed.healthy).toBe(false);
    expect(killed.message).toMatch(/^killed after failing health checks/);
  });
});

describe('AgentRuntime: start-up and logs', () => {
  it('says at start that posix isolation enforces no limits, as a warning and in a structured log line', async () => {
    const logger = createMemoryLogger();
    const dir = makeWorkDir('warnings');
    const other = await startRuntime(dir, { logger });

    expect(other.runtime.warnings[0]).toMatch(/^posix isolation: .*limits are NOT enforced/);
    expect(logger.lines.find((line) => line.level === 'warn')?.message).toBe(other.runtime.warnings[0]);
    expect(logger.lines.find((line) => line.message === 'agent runtime started')?.fields).toMatchObject({
      agentId: 'agent-1',
      isolator: 'posix',
      tasks: 0,
    });
    other.runtime.close();
    removeWorkDir(dir);
  });

  it('writes pino-shaped JSON lines through the default logger', () => {
    const chunks: string[] = [];
    const logger = createJsonLogger({ stream: { write: (chunk: string) => chunks.push(chunk) } as never, clock: () => 7, level: 'info' });

    logger.debug({ hidden: true }, 'below the level');
    logger.info({ taskId: 't' }, 'launching task');

    expect(chunks).toEqual(['{"level":30,"time":7,"msg":"launching task","taskId":"t"}\n']);
  });
});
