/**
 * What Linux's /proc says about a process: state, group, start time, CPU time
 * and resident memory. Used to watch processes the agent cannot wait for
 * (adopted after a restart) and for usage when there are no cgroups. Assumes
 * the usual USER_HZ of 100 and 4 KiB pages, which holds on every mainstream
 * Linux; on other systems /proc is absent and these return null.
 */
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;
const PROCESS_SCAN_MAX = 100_000;

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), T, ... */
  state: string;
  parentPid: number;
  processGroupId: number;
  /** Own CPU time plus that of reaped children. */
  cpuSeconds: number;
  /** Clock ticks after boot: with the pid, identifies a process across pid reuse. */
  startTicks: number;
  rssBytes: number;
}

/** Parses one /proc/<pid>/stat line; the command name may contain spaces and parentheses. */
export function parseProcStat(pid: number, line: string): ProcStat | null {
  const close = line.lastIndexOf(')');
  if (close < 0) return null;
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 of proc(5), so field n is fields[n - 3].
  const field = (n: number) => Number(fields[n - 3]);
  if (fields.length < 22) return null;
  return {
    pid,
    state: fields[0],
    parentPid: field(4),
    processGroupId: field(5),
    cpuSeconds: (field(14) + field(15) + field(16) + field(17)) / CLOCK_TICKS_PER_SECOND,
    startTicks: field(22),
    rssBytes: field(24) * PAGE_BYTES,
  };
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(pid, readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether `pid` is a live (non-zombie) process, and the same one that started
 * at `startTicks` when that is known (so a reused pid is not mistaken for it).
 */
export function isProcessAlive(pid: number, startTicks: number | null = null): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  if (stat === null) return true; // No /proc: kill(pid, 0) is all there is.
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return startTicks === null || stat.startTicks === startTicks;
}

/** Every process whose process group is `processGroupId` (scans /proc; empty without it). */
export function processesInGroup(processGroupId: number): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  let scanned = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    if (++scanned > PROCESS_SCAN_MAX) break;
    const stat = readProcStat(Number(entry));
    if (stat && stat.processGroupId === processGroupId && stat.state !== 'Z') out.push(stat);
  }
  return out;
}

/** Sends `signal` to a whole process group; false when the group no longer exists. */
export function signalProcessGroup(processGroupId: number, signal: NodeJS.Signals): boolean {
  if (!Number.isInteger(processGroupId) || processGroupId <= 1) throw new Error(`refusing to signal process group ${processGroupId}`);
  try {
    process.kill(-processGroupId, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
