/**
 * The machine a benchmark ran on, recorded next to every result: figures from
 * different machines (or from a busy one) are not comparable, so the load
 * average at start and end is kept as a noise indicator.
 */
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  model: string;
  node: string;
  platform: string;
  totalMemGb: number;
  /** One-minute load average when the benchmark started; above ~1 on 2 cores means someone else was busy. */
  loadAverage1mAtStart: number;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    totalMemGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage1mAtStart: loadAverage1m(),
  };
}

export function loadAverage1m(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}

export function totalMemMb(): number {
  return os.totalmem() / 2 ** 20;
}
