/**
 * The fallback when cgroups are unavailable (not root, or no writable
 * hierarchy): nothing is enforced, usage is summed from /proc over the task's
 * process group, and the agent says so when it starts. Cleanup SIGKILLs what
 * is left of the process group; a process that left the group escapes it,
 * which is exactly what cgroups would have prevented.
 */
import type { ContainerLimits, ContainerUsage, Isolator, Limitation } from './isolator.js';
import { assertContainerId } from './isolator.js';
import { processesInGroup, signalProcessGroup } from './procStat.js';

export class PosixIsolator implements Isolator {
  readonly kind = 'posix';
  readonly warning: string;
  readonly #groups = new Map<string, number>();

  constructor(why = 'cgroups are not available') {
    this.warning = `posix isolation: ${why}; cpu, memory and pids limits are NOT enforced, usage is read from /proc`;
  }

  async prepare(containerId: string, _limits: ContainerLimits): Promise<void> {
    assertContainerId(containerId);
  }

  async attach(containerId: string, pid: number): Promise<void> {
    // The launcher leads its own process group, so the group id is its pid.
    this.#groups.set(containerId, pid);
  }

  async recover(containerId: string, _limits: ContainerLimits, pid: number): Promise<void> {
    this.#groups.set(containerId, pid);
  }

  async usage(containerId: string): Promise<ContainerUsage> {
    const group = this.#groups.get(containerId);
    if (group === undefined) return { memBytes: null, memPeakBytes: null, cpuSeconds: null, processes: null };
    const processes = processesInGroup(group);
    return {
      memBytes: processes.reduce((sum, stat) => sum + stat.rssBytes, 0),
      memPeakBytes: null,
      cpuSeconds: processes.reduce((sum, stat) => sum + stat.cpuSeconds, 0),
      processes: processes.length,
    };
  }

  async detectLimitation(_containerId: string): Promise<Limitation | null> {
    return null;
  }

  async cleanup(containerId: string): Promise<void> {
    const group = this.#groups.get(containerId);
    this.#groups.delete(containerId);
    if (group !== undefined) signalProcessGroup(group, 'SIGKILL');
  }

  async containers(): Promise<string[]> {
    return [];
  }
}
