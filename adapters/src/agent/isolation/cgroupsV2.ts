/**
 * cgroups v2 isolation: per container a cgroup `<parent>/<containerId>` in
 * the unified hierarchy, with the cpu, memory and pids controllers enabled in
 * every ancestor's `cgroup.subtree_control`. Writes `cpu.weight` (converted
 * from v1 shares), `cpu.max` when the CFS quota is on, `memory.max`,
 * `memory.low`, `memory.swap.max` 0 where present, and `pids.max`. An OOM kill
 * is the `oom_kill` counter of `memory.events`; the peak is `memory.peak`
 * where the kernel has it (5.19+), else the limit (an OOM kill means usage
 * reached it).
 */
import { join } from 'node:path';
import type { CgroupFs } from './cgroupFs.js';
import { killAndRemoveCgroup, livePids, readNumber, realCgroupFs } from './cgroupFs.js';
import type { ContainerLimits, ContainerUsage, Isolator, Limitation } from './isolator.js';
import {
  assertContainerId,
  bytesFromMb,
  CFS_PERIOD_US,
  cfsQuotaUs,
  cpuShares,
  cpuWeightFromShares,
  memoryLimitation,
  parseKeyValueLines,
} from './isolator.js';

export const V2_CONTROLLERS = ['cpu', 'memory', 'pids'] as const;

export interface CgroupsV2Options {
  /** The cgroup2 mount; default /sys/fs/cgroup. */
  root?: string;
  /** The agent's cgroup, relative to the root, may be nested ("system.slice/allot"); default "allot". */
  parent?: string;
  cfsQuota?: boolean;
  fs?: CgroupFs;
}

export class CgroupsV2Isolator implements Isolator {
  readonly kind = 'cgroups-v2';
  readonly warning = null;
  readonly #root: string;
  readonly #parent: string;
  readonly #cfsQuota: boolean;
  readonly #fs: CgroupFs;
  readonly #limits = new Map<string, ContainerLimits>();
  #controllersEnabled = false;

  constructor(options: CgroupsV2Options = {}) {
    this.#root = options.root ?? '/sys/fs/cgroup';
    this.#parent = options.parent ?? 'allot';
    this.#cfsQuota = options.cfsQuota ?? false;
    this.#fs = options.fs ?? realCgroupFs;
  }

  path(containerId: string): string {
    assertContainerId(containerId);
    return join(this.#root, this.#parent, containerId);
  }

  async prepare(containerId: string, limits: ContainerLimits): Promise<void> {
    this.#limits.set(containerId, limits);
    try {
      await this.#enableControllers();
      const directory = this.path(containerId);
      await this.#fs.mkdir(directory);
      await this.#fs.write(join(directory, 'cpu.weight'), String(cpuWeightFromShares(cpuShares(limits.cpus))));
      await this.#fs.write(
        join(directory, 'cpu.max'),
        this.#cfsQuota && limits.cpus > 0 ? `${cfsQuotaUs(limits.cpus)} ${CFS_PERIOD_US}` : `max ${CFS_PERIOD_US}`,
      );
      if (limits.memMb !== null) {
        const bytes = String(bytesFromMb(limits.memMb));
        await this.#fs.write(join(directory, 'memory.max'), bytes);
        await this.#fs.write(join(directory, 'memory.low'), bytes);
        if (await this.#fs.exists(join(directory, 'memory.swap.max'))) await this.#fs.write(join(directory, 'memory.swap.max'), '0');
      }
      await this.#fs.write(join(directory, 'pids.max'), limits.pidsMax === null ? 'max' : String(limits.pidsMax));
    } catch (error) {
      await this.cleanup(containerId);
      throw error;
    }
  }

  async attach(containerId: string, pid: number): Promise<void> {
    await this.#fs.write(join(this.path(containerId), 'cgroup.procs'), String(pid));
  }

  async recover(containerId: string, limits: ContainerLimits, _pid: number): Promise<void> {
    this.#limits.set(containerId, limits);
    if (!(await this.#fs.exists(this.path(containerId)))) throw new Error(`cgroup ${this.path(containerId)} is missing`);
  }

  async usage(containerId: string): Promise<ContainerUsage> {
    const directory = this.path(containerId);
    const cpuStat = parseKeyValueLines((await this.#fs.read(join(directory, 'cpu.stat'))) ?? '');
    const usageUs = cpuStat.get('usage_usec');
    return {
      memBytes: await readNumber(this.#fs, join(directory, 'memory.current')),
      memPeakBytes: await readNumber(this.#fs, join(directory, 'memory.peak')),
      cpuSeconds: usageUs === undefined ? null : usageUs / 1e6,
      processes: await readNumber(this.#fs, join(directory, 'pids.current')),
    };
  }

  async detectLimitation(containerId: string): Promise<Limitation | null> {
    const limits = this.#limits.get(containerId);
    if (!limits || limits.memMb === null) return null;
    const directory = this.path(containerId);
    const events = parseKeyValueLines((await this.#fs.read(join(directory, 'memory.events'))) ?? '');
    if ((events.get('oom_kill') ?? 0) === 0) return null;
    const peakBytes = (await readNumber(this.#fs, join(directory, 'memory.peak'))) ?? bytesFromMb(limits.memMb);
    return memoryLimitation(limits.memMb, peakBytes);
  }

  async cleanup(containerId: string): Promise<void> {
    this.#limits.delete(containerId);
    const directory = this.path(containerId);
    // cgroup.kill (5.14+) kills the whole subtree atomically; the pid-by-pid rounds below finish the job either way.
    if (await this.#fs.exists(join(directory, 'cgroup.kill'))) {
      try {
        await this.#fs.write(join(directory, 'cgroup.kill'), '1');
      } catch {
        // Fall back to killing pid by pid.
      }
    }
    await killAndRemoveCgroup(this.#fs, directory);
  }

  async containers(): Promise<string[]> {
    return (await this.#fs.children(join(this.#root, this.#parent))).sort();
  }

  async pids(containerId: string): Promise<number[]> {
    return livePids(this.#fs, join(this.path(containerId), 'cgroup.procs'));
  }

  /** Enables cpu, memory and pids (those the root offers) from the root down to the agent's parent cgroup. */
  async #enableControllers(): Promise<void> {
    if (this.#controllersEnabled) return;
    const available = new Set(((await this.#fs.read(join(this.#root, 'cgroup.controllers'))) ?? '').trim().split(/\s+/));
    const wanted = V2_CONTROLLERS.filter((controller) => available.has(controller));
    const missing = V2_CONTROLLERS.filter((controller) => !available.has(controller));
    if (missing.length > 0) throw new Error(`cgroup v2 controllers not available at ${this.#root}: ${missing.join(', ')}`);
    let directory = this.#root;
    for (const component of this.#parent.split('/').filter((part) => part.length > 0)) {
      await this.#fs.write(join(directory, 'cgroup.subtree_control'), wanted.map((controller) => `+${controller}`).join(' '));
      directory = join(directory, component);
      await this.#fs.mkdir(directory);
    }
    await this.#fs.write(join(directory, 'cgroup.subtree_control'), wanted.map((controller) => `+${controller}`).join(' '));
    this.#controllersEnabled = true;
  }
}
