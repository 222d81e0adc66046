/**
 * cgroups v2 isolation against a fake cgroup2 tree in a temp dir (plain files
 * standing in for the kernel's): what the isolator writes (controllers
 * enabled top-down, cpu.weight from shares, cpu.max, memory.max/low,
 * pids.max, cgroup.procs), what it reads (memory.events, memory.peak,
 * cpu.stat), and that cleanup kills listed processes and removes the cgroup.
 * Also the runtime's OOM path end to end on the fake tree, and isolator
 * auto-detection. Runs without root.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainDirectoryCgroupFs } from '../../../adapters/src/agent/isolation/cgroupFs.js';
import { CgroupsV1Isolator } from '../../../adapters/src/agent/isolation/cgroupsV1.js';
import { CgroupsV2Isolator } from '../../../adapters/src/agent/isolation/cgroupsV2.js';
import { createIsolator } from '../../../adapters/src/agent/isolation/createIsolator.js';
import { cfsQuotaUs, cpuShares, cpuWeightFromShares } from '../../../adapters/src/agent/isolation/isolator.js';
import { isProcessAlive } from '../../../adapters/src/agent/isolation/procStat.js';
import { makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'allot-fake-cgroup-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let trees = 0;
function fakeCgroup2Tree(controllers = 'cpuset cpu io memory hugetlb pids rdma misc'): string {
  const root = join(scratch, `v2-${trees++}`);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'cgroup.controllers'), `${controllers}\n`);
  writeFileSync(join(root, 'cgroup.subtree_control'), '');
  writeFileSync(join(root, 'cgroup.procs'), '');
  return root;
}

const read = (path: string) => readFileSync(path, 'utf8');

describe('cpu conversions', () => {
  it('gives 1024 shares per cpu, at least 2', () => {
    expect([cpuShares(0), cpuShares(0.001), cpuShares(0.5), cpuShares(2), cpuShares(1000)]).toEqual([2, 2, 512, 2048, 262144]);
  });

  it('converts shares to cpu.weight as systemd and Kubernetes do: 1 + ((shares - 2) * 9999) / 262142', () => {
    // 1024 shares (one cpu) is weight 39 in Kubernetes; the ends map to 1 and 10000.
    expect([cpuWeightFromShares(2), cpuWeightFromShares(1024), cpuWeightFromShares(1536), cpuWeightFromShares(262144)]).toEqual([
      1, 39, 59, 10000,
    ]);
  });

  it('sets the CFS quota to cpus x period, at least 1 ms', () => {
    expect([cfsQuotaUs(1.5), cfsQuotaUs(0.25), cfsQuotaUs(0.001)]).toEqual([150_000, 25_000, 1_000]);
  });
});

describe('CgroupsV2Isolator on a fake cgroup2 tree', () => {
  it('enables the controllers from the root down and writes the limits', async () => {
    const root = fakeCgroup2Tree();
    const isolator = new CgroupsV2Isolator({ root, parent: 'allot', cfsQuota: true, fs: plainDirectoryCgroupFs });

    await isolator.prepare('c1', { cpus: 1.5, memMb: 64, pidsMax: 100 });
    await isolator.attach('c1', 4321);

    const cgroup = join(root, 'allot', 'c1');
    expect(read(join(root, 'cgroup.subtree_control'))).toBe('+cpu +memory +pids');
    expect(read(join(root, 'allot', 'cgroup.subtree_control'))).toBe('+cpu +memory +pids');
    expect(read(join(cgroup, 'cpu.weight'))).toBe('59');
    expect(read(join(cgroup, 'cpu.max'))).toBe('150000 100000');
    expect(read(join(cgroup, 'memory.max'))).toBe(String(64 * 2 ** 20));
    expect(read(join(cgroup, 'memory.low'))).toBe(String(64 * 2 ** 20));
    expect(read(join(cgroup, 'pids.max'))).toBe('100');
    expect(read(join(cgroup, 'cgroup.procs'))).toBe('4321');
    expect(await isolator.containers()).toEqual(['c1']);
  });

  it('leaves CPU time uncapped without the CFS quota and writes "max" for unlimited pids', async () => {
    const root = fakeCgroup2Tree();
    const isolator = new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs });

    await isolator.prepare('c2', { cpus: 0, memMb: null, pidsMax: null });

    const cgroup = join(root, 'allot', 'c2');
    expect(read(join(cgroup, 'cpu.max'))).toBe('max 100000');
    expect(read(join(cgroup, 'cpu.weight'))).toBe('1');
    expect(read(join(cgroup, 'pids.max'))).toBe('max');
    expect(existsSync(join(cgroup, 'memory.max'))).toBe(false);
  });

  it('refuses a hierarchy that lacks a controller it needs', async () => {
    const root = fakeCgroup2Tree('cpu io');
    const isolator = new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs });

    await expect(isolator.prepare('c3', { cpus: 1, memMb: 32, pidsMax: 10 })).rejects.toThrow(
      'cgroup v2 controllers not available at ' + root + ': memory, pids',
    );
    expect(existsSync(join(root, 'allot', 'c3'))).toBe(false);
  });

  it('reads usage from memory.current, memory.peak, cpu.stat and pids.current', async () => {
    const root = fakeCgroup2Tree();
    const isolator = new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs });
    await isolator.prepare('c4', { cpus: 1, memMb: 64, pidsMax: 10 });
    const cgroup = join(root, 'allot', 'c4');
    writeFileSync(join(cgroup, 'memory.current'), '1048576\n');
    writeFileSync(join(cgroup, 'memory.peak'), '2097152\n');
    writeFileSync(join(cgroup, 'cpu.stat'), 'usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n');
    writeFileSync(join(cgroup, 'pids.current'), '3\n');

    expect(await isolator.usage('c4')).toEqual({ memBytes: 1048576, memPeakBytes: 2097152, cpuSeconds: 2.5, processes: 3 });
  });

  it('detects an OOM kill from memory.events and names the limit and the peak', async () => {
    const root = fakeCgroup2Tree();
    const isolator = new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs });
    await isolator.prepare('c5', { cpus: 1, memMb: 64, pidsMax: 10 });
    const cgroup = join(root, 'allot', 'c5');
    writeFileSync(join(cgroup, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 0\n');
    expect(await isolator.detectLimitation('c5')).toBeNull();

    writeFileSync(join(cgroup, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n');
    writeFileSync(join(cgroup, 'memory.peak'), String(64 * 2 ** 20));

    expect(await isolator.detectLimitation('c5')).toEqual({
      resource: 'memory',
      reason: 'REASON_CONTAINER_LIMITATION_MEMORY',
      message: 'Memory limit exceeded: requested 64 MB, peak 64.0 MB',
    });
  });

  it('kills the processes listed in cgroup.procs and removes the cgroup on cleanup', async () => {
    const root = fakeCgroup2Tree();
    const isolator = new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs });
    await isolator.prepare('c6', { cpus: 1, memMb: 64, pidsMax: 10 });
    const stray = spawn('sleep', ['30'], { stdio: 'ignore' });
    writeFileSync(join(root, 'allot', 'c6', 'cgroup.procs'), `${stray.pid}\n`);

    await isolator.cleanup('c6');

    expect(existsSync(join(root, 'allot', 'c6'))).toBe(false);
    await waitFor(() => !isProcessAlive(stray.pid!), 'the stray process to die', 2_000);
    expect(await isolator.containers()).toEqual([]);
  });
});

describe('CgroupsV1Isolator on a fake tree', () => {
  it('writes cpu.shares, the CFS quota, memory limits (memsw where present) and pids.max', async () => {
    const root = join(scratch, 'v1');
    for (const controller of ['cpu', 'memory', 'pids']) mkdirSync(join(root, controller), { recursive: true });
    mkdirSync(join(root, 'memory', 'allot', 'c7'), { recursive: true });
    writeFileSync(join(root, 'memory', 'allot', 'c7', 'memory.memsw.limit_in_bytes'), '9223372036854771712');
    const isolator = new CgroupsV1Isolator({ root, cfsQuota: true, fs: plainDirectoryCgroupFs });

    await isolator.prepare('c7', { cpus: 0.25, memMb: 128, pidsMax: 50 });

    expect(read(join(root, 'cpu', 'allot', 'c7', 'cpu.shares'))).toBe('256');
    expect(read(join(root, 'cpu', 'allot', 'c7', 'cpu.cfs_period_us'))).toBe('100000');
    expect(read(join(root, 'cpu', 'allot', 'c7', 'cpu.cfs_quota_us'))).toBe('25000');
    for (const file of ['memory.limit_in_bytes', 'memory.soft_limit_in_bytes', 'memory.memsw.limit_in_bytes'])
      expect(read(join(root, 'memory', 'allot', 'c7', file))).toBe(String(128 * 2 ** 20));
    expect(read(join(root, 'pids', 'allot', 'c7', 'pids.max'))).toBe('50');

    writeFileSync(join(root, 'memory', 'allot', 'c7', 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    writeFileSync(join(root, 'memory', 'allot', 'c7', 'memory.max_usage_in_bytes'), String(128 * 2 ** 20 + 2 ** 19));
    expect((await isolator.detectLimitation('c7'))?.message).toBe('Memory limit exceeded: requested 128 MB, peak 128.5 MB');

    await isolator.cleanup('c7');
    for (const controller of ['cpu', 'memory', 'pids']) expect(existsSync(join(root, controller, 'allot', 'c7'))).toBe(false);
  });
});

describe('isolator auto-detection', () => {
  it('picks v2 for a writable cgroup2 root, v1 for writable controller dirs, posix (with a warning) otherwise', async () => {
    const v1Root = join(scratch, 'detect-v1');
    for (const controller of ['cpu', 'memory', 'pids']) mkdirSync(join(v1Root, controller), { recursive: true });
    const emptyRoot = join(scratch, 'detect-none');
    mkdirSync(emptyRoot);

    const v2 = await createIsolator({ cgroupRoot: fakeCgroup2Tree() });
    const v1 = await createIsolator({ cgroupRoot: v1Root });
    const none = await createIsolator({ cgroupRoot: emptyRoot });
    const required = await createIsolator({ cgroupRoot: emptyRoot, mode: 'cgroups' });

    expect(v2.ok && v2.isolator.kind).toBe('cgroups-v2');
    expect(v1.ok && v1.isolator.kind).toBe('cgroups-v1');
    expect(none.ok && none.isolator.kind).toBe('posix');
    expect(none.ok && none.isolator.warning).toMatch(/^posix isolation: no writable cgroup v2 at .*limits are NOT enforced/);
    expect(required).toMatchObject({ ok: false, code: 'cgroups_unavailable' });
  });
});

describe('AgentRuntime with the v2 isolator on a fake tree', () => {
  it('fails a task with REASON_CONTAINER_LIMITATION_MEMORY when memory.events reports an OOM kill, and removes its cgroup', async () => {
    const root = fakeCgroup2Tree();
    const workDir = makeWorkDir('fake-v2');
    const harness = await startRuntime(workDir, { isolator: new CgroupsV2Isolator({ root, fs: plainDirectoryCgroupFs }) });

    const launched = await harness.runtime.launch({
      taskId: 'oom',
      frameworkId: 'fw',
      command: 'sleep 30',
      resources: { cpus: 1, mem: 64 },
    });
    if (!launched.ok) throw new Error(launched.message);
    await harness.waitForState('oom', 'TASK_RUNNING');
    const cgroup = join(root, 'allot', launched.containerId);
    expect(read(join(cgroup, 'cgroup.procs'))).toBe(String(harness.runtime.tasks()[0].pid));
    writeFileSync(join(cgroup, 'memory.peak'), String(64 * 2 ** 20 + 3 * 2 ** 19));
    writeFileSync(join(cgroup, 'memory.events'), 'oom 1\noom_kill 1\n');

    const failed = await harness.waitForState('oom', 'TASK_FAILED');

    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.message).toBe('Memory limit exceeded: requested 64 MB, peak 65.5 MB');
    expect(existsSync(cgroup)).toBe(false);
    harness.runtime.close();
    removeWorkDir(workDir);
  });
});
