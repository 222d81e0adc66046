/**
 * cgroups v1 for real: needs root and writable cpu, memory and pids
 * hierarchies under /sys/fs/cgroup (skipped otherwise, saying why). A task
 * over its memory limit is OOM-killed and reported TASK_FAILED with
 * REASON_CONTAINER_LIMITATION_MEMORY; pids.max stops a fork loop; cpu.shares
 * and the CFS quota are written; the task's processes are in its cgroups
 * before the command runs; cgroups are gone after the task, and leftovers are
 * removed when a runtime starts. Uses the parent cgroup "allot-test" so it
 * never touches a real agent's cgroups.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CgroupsV1Isolator } from '../../../adapters/src/agent/isolation/cgroupsV1.js';
import { DEFAULT_TASK_MEM_MB } from '../../../adapters/src/agent/taskMemory.js';
import { detectCgroupVersion } from '../../../adapters/src/agent/isolation/createIsolator.js';
import { isProcessAlive } from '../../../adapters/src/agent/isolation/procStat.js';
import type { Harness } from './harness.js';
import { IS_ROOT, makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

const ROOT = '/sys/fs/cgroup';
const PARENT = 'allot-test';
const CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
const detected = await detectCgroupVersion(ROOT);
const skipReason = !IS_ROOT
  ? 'not running as root, so cgroups cannot be created'
  : detected.version !== 'v1'
    ? `cgroup v1 is not usable here (${detected.why}${detected.version === 'v2' ? '; v2 is covered by the fake-tree suite' : ''})`
    : null;
if (skipReason) console.warn(`[agent cgroups v1] real cgroup tests SKIPPED: ${skipReason}`);

const cgroupDir = (controller: string, containerId: string) => join(ROOT, controller, PARENT, containerId);

describe.skipIf(skipReason !== null)('cgroups v1 isolation, for real', () => {
  let workDir: string;
  let harness: Harness;

  beforeAll(async () => {
    workDir = makeWorkDir('cgroups-v1');
    harness = await startRuntime(workDir, {
      isolator: new CgroupsV1Isolator({ root: ROOT, parent: PARENT, cfsQuota: true }),
      monitorIntervalMs: 100,
    });
  });

  afterAll(() => {
    harness.runtime.close();
    removeWorkDir(workDir);
    // The agent keeps its (empty) parent cgroup; the test's own parent goes.
    for (const controller of CONTROLLERS) {
      try {
        rmdirSync(join(ROOT, controller, PARENT));
      } catch {
        // Busy or gone: nothing to tidy.
      }
    }
  });

  it('fails a task that allocates far past its 32 MB limit with REASON_CONTAINER_LIMITATION_MEMORY, and removes its cgroups', async () => {
    // `tail` keeps the whole newline-free 200 MB stream in memory.
    const launched = await harness.runtime.launch({
      taskId: 'oom',
      frameworkId: 'fw',
      command: 'head -c 200M /dev/zero | tail',
      resources: { cpus: 0.5, mem: 32 },
    });
    if (!launched.ok) throw new Error(launched.message);

    const failed = await harness.waitForState('oom', 'TASK_FAILED', 20_000);

    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.message).toMatch(/^Memory limit exceeded: requested 32 MB, peak 3\d\.\d MB$/);
    for (const controller of CONTROLLERS) expect(existsSync(cgroupDir(controller, launched.containerId))).toBe(false);
  });

  it('writes cpu.shares, the CFS quota and the memory limit, and runs the task inside its cgroups', async () => {
    const launched = await harness.runtime.launch({
      taskId: 'cpu',
      frameworkId: 'fw',
      command: 'cat /proc/self/cgroup; sleep 30',
      resources: { cpus: 0.5, mem: 64 },
    });
    if (!launched.ok) throw new Error(launched.message);
    await harness.waitForState('cpu', 'TASK_RUNNING');
    const id = launched.containerId;

    expect(readFileSync(join(cgroupDir('cpu', id), 'cpu.shares'), 'utf8').trim()).toBe('512');
    expect(readFileSync(join(cgroupDir('cpu', id), 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
    expect(readFileSync(join(cgroupDir('cpu', id), 'cpu.cfs_period_us'), 'utf8').trim()).toBe('100000');
    expect(readFileSync(join(cgroupDir('memory', id), 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 2 ** 20));
    const stdout = await waitFor(() => readFileSync(join(launched.sandboxDir, 'stdout'), 'utf8') || null, 'the task to print its cgroups');
    for (const controller of CONTROLLERS) expect(stdout).toMatch(new RegExp(`^\\d+:${controller}:/${PARENT}/${id}$`, 'm'));
    const usage = await harness.runtime.usage('fw', 'cpu');
    expect(usage?.processes).toBeGreaterThanOrEqual(2);
    expect(usage?.memBytes).toBeGreaterThan(0);

    harness.runtime.kill('fw', 'cpu', 0);
    await harness.waitForState('cpu', 'TASK_KILLED');
    for (const controller of CONTROLLERS) expect(existsSync(cgroupDir(controller, id))).toBe(false);
  });

  it('gives a task that asks for no memory the default limit, not an unlimited cgroup', async () => {
    const launched = await harness.runtime.launch({ taskId: 'no-mem', frameworkId: 'fw', command: 'sleep 30', resources: { cpus: 0.1 } });
    if (!launched.ok) throw new Error(launched.message);
    await harness.waitForState('no-mem', 'TASK_RUNNING');

    const limit = readFileSync(join(cgroupDir('memory', launched.containerId), 'memory.limit_in_bytes'), 'utf8').trim();
    harness.runtime.kill('fw', 'no-mem', 0);
    await harness.waitForState('no-mem', 'TASK_KILLED');

    expect(limit).toBe(String(DEFAULT_TASK_MEM_MB * 2 ** 20));
  });

  it("gives a custom executor's container the default limit when its first task asks for no memory", async () => {
    const launched = await harness.runtime.launchWithExecutor({
      taskId: 'no-mem-executor-task',
      frameworkId: 'fw',
      command: '',
      resources: { cpus: 0.1 },
      executorId: 'no-mem-executor',
      executor: { command: 'sleep 30', env: {}, info: { executor_id: { value: 'no-mem-executor' } } },
      taskInfo: { task_id: { value: 'no-mem-executor-task' } },
      frameworkInfo: {},
    });
    if (!launched.ok) throw new Error(launched.message);
    const limit = readFileSync(join(cgroupDir('memory', launched.containerId), 'memory.limit_in_bytes'), 'utf8').trim();
    harness.runtime.executors.shutdown('fw', 'no-mem-executor');
    await harness.waitForState('no-mem-executor-task', 'TASK_KILLED');

    expect(limit).toBe(String(DEFAULT_TASK_MEM_MB * 2 ** 20));
  });

  it('enforces pids.max: a loop forking past the limit cannot', async () => {
    const launched = await harness.runtime.launch({
      taskId: 'forks',
      frameworkId: 'fw',
      command: 'i=0; while [ $i -lt 20 ]; do sleep 5 & i=$((i+1)); done; wait',
      pidsMax: 8,
    });
    if (!launched.ok) throw new Error(launched.message);

    const failed = await harness.waitForState('forks', 'TASK_FAILED');

    expect(failed.message).toBe('exited with code 2');
    expect(readFileSync(join(launched.sandboxDir, 'stderr'), 'utf8')).toMatch(/fork/i);
    for (const controller of CONTROLLERS) expect(existsSync(cgroupDir(controller, launched.containerId))).toBe(false);
  });

  it('removes cgroups (and their processes) left over by an earlier agent when a runtime starts', async () => {
    const stray = spawn('sleep', ['30'], { stdio: 'ignore' });
    for (const controller of CONTROLLERS) {
      mkdirSync(cgroupDir(controller, 'leftover-1'), { recursive: true });
      writeFileSync(join(cgroupDir(controller, 'leftover-1'), 'cgroup.procs'), String(stray.pid));
    }

    const other = await startRuntime(makeWorkDir('cgroups-v1-leftovers'), {
      isolator: new CgroupsV1Isolator({ root: ROOT, parent: PARENT }),
    });

    for (const controller of CONTROLLERS) expect(existsSync(cgroupDir(controller, 'leftover-1'))).toBe(false);
    await waitFor(() => !isProcessAlive(stray.pid!), 'the leftover process to be killed', 2_000);
    other.runtime.close();
    removeWorkDir(other.runtime.workDir);
  });
});
