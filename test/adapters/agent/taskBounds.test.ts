/**
 * What bounds a task on an agent (issue 10, point 8): a task that asks for
 * no memory gets the agent's default limit (never the cgroup's "unlimited"),
 * an agent told to refuse unbounded tasks answers TASK_ERROR, and when the
 * agent runs as root a task's /tmp is private and lies inside its sandbox,
 * so what it writes there counts against its disk quota; a custom
 * executor gets the same /tmp (its tasks run inside it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TASK_MEM_MB, boundedMemory } from '../../../adapters/src/agent/taskMemory.js';
import { privateTmpProblem } from '../../../adapters/src/agent/privateTmp.js';
import type { Harness } from './harness.js';
import { makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

describe('memory of a task that asks for none', () => {
  it('is the default limit, or refused when the agent requires tasks to ask', () => {
    const spec = { taskId: 't', frameworkId: 'f', command: 'true' };
    expect(boundedMemory({ ...spec, resources: { cpus: 1 } }, { defaultMemMb: 256, requireMem: false })).toEqual({
      ok: true,
      memMb: 256,
    });
    expect(boundedMemory({ ...spec, resources: { mem: 64 } }, { defaultMemMb: 256, requireMem: true })).toEqual({ ok: true, memMb: 64 });
    expect(boundedMemory({ ...spec, resources: { mem: 0 } }, { defaultMemMb: null, requireMem: false })).toEqual({ ok: true, memMb: null });
    expect(boundedMemory(spec, { defaultMemMb: 256, requireMem: true })).toEqual({
      ok: false,
      code: 'invalid_task',
      message: 'the task asks for no mem, and this agent runs no task without a memory limit (--require-task-mem)',
    });
    expect(DEFAULT_TASK_MEM_MB).toBeGreaterThan(0);
  });

  it('answers TASK_ERROR when the agent refuses unbounded tasks', async () => {
    const workDir = makeWorkDir('require-mem');
    const harness = await startRuntime(workDir, { taskMemory: { defaultMemMb: 256, requireMem: true } });
    try {
      const result = await harness.runtime.launch({ taskId: 'unbounded', frameworkId: 'fw', command: 'true', resources: { cpus: 0.1 } });
      const error = await harness.waitForState('unbounded', 'TASK_ERROR');

      expect(result).toMatchObject({ ok: false, code: 'invalid_task' });
      expect(error.reason).toBe('REASON_TASK_INVALID');
      expect(error.message).toMatch(/asks for no mem/);
    } finally {
      harness.runtime.close();
      removeWorkDir(workDir);
    }
  });
});

const TMP_SKIP_REASON = privateTmpProblem();
if (TMP_SKIP_REASON) console.warn(`[agent private /tmp] SKIPPED: ${TMP_SKIP_REASON}`);

describe.skipIf(TMP_SKIP_REASON !== null)('a task on a root agent', () => {
  let workDir: string;
  let harness: Harness;

  beforeAll(async () => {
    workDir = makeWorkDir('private-tmp');
    harness = await startRuntime(workDir, { diskCheckIntervalMs: 100 });
  });
  afterAll(() => {
    harness?.runtime.close();
    removeWorkDir(workDir);
  });

  it('writes /tmp inside its sandbox, not the host /tmp, and still runs as the task user', async () => {
    const name = `allot-private-${process.pid}-${Date.now()}`;
    const launched = await harness.runtime.launch({
      taskId: 'tmp',
      frameworkId: 'fw',
      command: `echo secret > /tmp/${name} && id -u && echo "$TMPDIR" && echo visible > "$MESOS_SANDBOX/from-task" && ls "$TMPDIR" >/dev/null`,
    });
    if (!launched.ok) throw new Error(launched.message);
    await harness.waitForState('tmp', 'TASK_FINISHED');

    expect(existsSync(join('/tmp', name))).toBe(false);
    expect(readFileSync(join(launched.sandboxDir, 'tmp', name), 'utf8')).toBe('secret\n');
    const [uid, tmpdir] = readFileSync(join(launched.sandboxDir, 'stdout'), 'utf8').trim().split('\n');
    expect(uid).not.toBe('0');
    expect(tmpdir).toBe(join(launched.sandboxDir, 'tmp'));
    // The sandbox (under /tmp here, as the default work dir is) stays reachable at its own path.
    expect(readFileSync(join(launched.sandboxDir, 'from-task'), 'utf8')).toBe('visible\n');
  });

  it('gives a custom executor (and so the tasks it runs) the same private /tmp and TMPDIR', async () => {
    const name = `allot-executor-${process.pid}-${Date.now()}`;
    const command = `echo from-executor > /tmp/${name} && echo "$TMPDIR" > "$MESOS_SANDBOX/tmpdir" && sleep 30`;
    const launched = await harness.runtime.launchWithExecutor({
      taskId: 'via-executor',
      frameworkId: 'fw',
      command: '',
      resources: { cpus: 0.1 },
      executorId: 'tmp-executor',
      executor: { command, env: {}, info: { executor_id: { value: 'tmp-executor' } } },
      taskInfo: { task_id: { value: 'via-executor' } },
      frameworkInfo: {},
    });
    if (!launched.ok) throw new Error(launched.message);
    try {
      const written = await waitFor(
        () => existsSync(join(launched.sandboxDir, 'tmpdir')) && readFileSync(join(launched.sandboxDir, 'tmpdir'), 'utf8'),
        'the executor to write its TMPDIR',
      );

      expect(written).toBe(`${join(launched.sandboxDir, 'tmp')}\n`);
      expect(readFileSync(join(launched.sandboxDir, 'tmp', name), 'utf8')).toBe('from-executor\n');
      expect(existsSync(join('/tmp', name))).toBe(false);
    } finally {
      harness.runtime.executors.shutdown('fw', 'tmp-executor');
    }
  });

  it('counts what it writes to /tmp against its disk quota', async () => {
    const launched = await harness.runtime.launch({
      taskId: 'fill-tmp',
      frameworkId: 'fw',
      command: 'head -c 5M /dev/zero > /tmp/blob; sleep 30',
      resources: { disk: 1 },
    });
    if (!launched.ok) throw new Error(launched.message);

    const failed = await waitFor(
      () => harness.updates.find((update) => update.taskId === 'fill-tmp' && update.state === 'TASK_FAILED'),
      'the disk limit',
      20_000,
    );

    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
  });
});
