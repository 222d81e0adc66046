/**
 * cgroups v1 isolation: per container a cgroup `<parent>/<containerId>` in
 * each of the cpu, memory and pids hierarchies. Writes `cpu.shares` (1024 per
 * cpu, min 2), optionally a CFS quota, `memory.limit_in_bytes` and
 * `memory.soft_limit_in_bytes` (plus the memory+swap limit where swap is
 * accounted, so swapping cannot dodge the limit), and `pids.max`. An OOM kill
 * is read from the `oom_kill` counter in `memory.oom_control`; kernels older
 * than 4.13 lack it, and then `under_oom` or a limit hit (`memory.failcnt`)
 * with the peak at the limit counts.
 */
import { join } from 'node:path';
import type { CgroupFs } from './cgroupFs.js';
import { killAndRemoveCgroup, livePids, readNumber, realCgroupFs } from './cgroupFs.js';
import type { ContainerLimits, ContainerUsage, Isolator, Limitation } from './isolator.js';
import { assertContainerId, bytesFromMb, CFS_PERIOD_US, cfsQuotaUs, cpuShares, memoryLimitation, parseKeyValueLines } from './isolator.js';
import { readProcStat } from './procStat.js';

export const V1_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;
type Controller = (typeof V1_CONTROLLERS)[number];

export interface CgroupsV1Options {
  /** Where the hierarchies are mounted, one directory per controller; default /sys/fs/cgroup. */
  root?: string;
  /** The agent's cgroup under each hierarchy root; default "allot". */
  parent?: string;
  /** Also cap CPU time with a CFS quota (cpus x period); default off, as in Mesos. */
  cfsQuota?: boolean;
  fs?: CgroupFs;
}

export class CgroupsV1Isolator implements Isolator {
  readonly kind = 'cgroups-v1';
  readonly warning = null;
  readonly #root: string;
  readonly #parent: string;
  readonly #cfsQuota: boolean;
  readonly #fs: CgroupFs;
  readonly #limits = new Map<string, ContainerLimits>();

  constructor(options: CgroupsV1Options = {}) {
    this.#root = options.root ?? '/sys/fs/cgroup';
    this.#parent = options.parent ?? 'allot';
    this.#cfsQuota = options.cfsQuota ?? false;
    this.#fs = options.fs ?? realCgroupFs;
  }

  /** The container's cgroup directory in one hierarchy. */
  path(controller: Controller, containerId: string): string {
    assertContainerId(containerId);
    return join(this.#root, controller, this.#parent, containerId);
  }

  async prepare(containerId: string, limits: ContainerLimits): Promise<void> {
    this.#limits.set(containerId, limits);
    try {
      for (const controller of V1_CONTROLLERS) await this.#fs.mkdir(this.path(controller, containerId));
      const cpu = this.path('cpu', containerId);
      await this.#fs.write(join(cpu, 'cpu.shares'), String(cpuShares(limits.cpus)));
      if (this.#cfsQuota && limits.cpus > 0) {
        await this.#fs.write(join(cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
        await this.#fs.write(join(cpu, 'cpu.cfs_quota_us'), String(cfsQuotaUs(limits.cpus)));
      }
      const memory = this.path('memory', containerId);
      if (limits.memMb !== null) {
        const bytes = String(bytesFromMb(limits.memMb));
        // The hard limit first: the kernel refuses a memory+swap limit below it.
        await this.#fs.write(join(memory, 'memory.limit_in_bytes'), bytes);
        await this.#fs.write(join(memory, 'memory.soft_limit_in_bytes'), bytes);
        if (await this.#fs.exists(join(memory, 'memory.memsw.limit_in_bytes')))
          await this.#fs.write(join(memory, 'memory.memsw.limit_in_bytes'), bytes);
      }
      await this.#fs.write(join(this.path('pids', containerId), 'pids.max'), limits.pidsMax === null ? 'max' : String(limits.pidsMax));
    } catch (error) {
      await this.cleanup(containerId);
      throw error;
    }
  }

  async attach(containerId: string, pid: number): Promise<void> {
    for (const controller of V1_CONTROLLERS) await this.#fs.write(join(this.path(controller, containerId), 'cgroup.procs'), String(pid));
  }

  async recover(containerId: string, limits: ContainerLimits, _pid: number): Promise<void> {
    this.#limits.set(containerId, limits);
    for (const controller of V1_CONTROLLERS) {
      if (!(await this.#fs.exists(this.path(controller, containerId))))
        throw new Error(`cgroup ${this.path(controller, containerId)} is missing`);
    }
  }

  async usage(containerId: string): Promise<ContainerUsage> {
    const memory = this.path('memory', containerId);
    const pids = await livePids(this.#fs, join(memory, 'cgroup.procs'));
    // The cpu hierarchy has no usage counter (that is cpuacct); /proc's per-process times stand in.
    let cpuSeconds = 0;
    for (const pid of pids) cpuSeconds += readProcStat(pid)?.cpuSeconds ?? 0;
    return {
      memBytes: await readNumber(this.#fs, join(memory, 'memory.usage_in_bytes')),
      memPeakBytes: await readNumber(this.#fs, join(memory, 'memory.max_usage_in_bytes')),
      cpuSeconds,
      processes: await readNumber(this.#fs, join(this.path('pids', containerId), 'pids.current')),
    };
  }

  async detectLimitation(containerId: string): Promise<Limitation | null> {
    const limits = this.#limits.get(containerId);
    if (!limits || limits.memMb === null) return null;
    const memory = this.path('memory', containerId);
    const oomControl = parseKeyValueLines((await this.#fs.read(join(memory, 'memory.oom_control'))) ?? '');
    const limitBytes = bytesFromMb(limits.memMb);
    const peakBytes = (await readNumber(this.#fs, join(memory, 'memory.max_usage_in_bytes'))) ?? limitBytes;
    let oom: boolean;
    if (oomControl.has('oom_kill')) {
      oom = (oomControl.get('oom_kill') ?? 0) > 0;
    } else {
      const failures = (await readNumber(this.#fs, join(memory, 'memory.failcnt'))) ?? 0;
      oom = oomControl.get('under_oom') === 1 || (failures > 0 && peakBytes >= limitBytes);
    }
    return oom ? memoryLimitation(limits.memMb, peakBytes) : null;
  }

  async cleanup(containerId: string): Promise<void> {
    this.#limits.delete(containerId);
    // Memory first: killing there reaches every process, whichever hierarchy it may have been moved out of.
    for (const controller of ['memory', 'cpu', 'pids'] as const) await killAndRemoveCgroup(this.#fs, this.path(controller, containerId));
  }

  async containers(): Promise<string[]> {
    const ids = new Set<string>();
    for (const controller of V1_CONTROLLERS)
      for (const id of await this.#fs.children(join(this.#root, controller, this.#parent))) ids.add(id);
    return [...ids].sort();
  }

  /** The pids in the container's memory cgroup (for tests and diagnostics). */
  async pids(containerId: string): Promise<number[]> {
    return livePids(this.#fs, join(this.path('memory', containerId), 'cgroup.procs'));
  }
}
