/**
 * Picks the isolator for this host. `auto`: cgroups v2 when the unified
 * hierarchy is mounted at the root (`cgroup.controllers` present) and
 * writable, else v1 when the cpu, memory and pids hierarchies are writable,
 * else posix with a warning. `cgroups` refuses to fall back: the daemon asked
 * for enforcement and must not start without it.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { CgroupFs } from './cgroupFs.js';
import { CgroupsV1Isolator, V1_CONTROLLERS } from './cgroupsV1.js';
import { CgroupsV2Isolator } from './cgroupsV2.js';
import type { Isolator } from './isolator.js';
import { PosixIsolator } from './posixIsolator.js';

export type IsolationMode = 'auto' | 'cgroups' | 'cgroups-v1' | 'cgroups-v2' | 'posix';

export interface IsolatorOptions {
  mode?: IsolationMode;
  /** Where cgroups are mounted; default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /** The agent's own cgroup under the root (per hierarchy in v1); default "allot". */
  cgroupParent?: string;
  cfsQuota?: boolean;
  fs?: CgroupFs;
}

export type IsolatorResult = { ok: true; isolator: Isolator } | { ok: false; code: 'cgroups_unavailable'; message: string };

export type CgroupVersion = 'v1' | 'v2' | null;

/** Which cgroup version this host lets us use, and why not when neither. */
export async function detectCgroupVersion(root = '/sys/fs/cgroup'): Promise<{ version: CgroupVersion; why: string }> {
  if (await isWritable(join(root, 'cgroup.subtree_control'))) {
    if (await exists(join(root, 'cgroup.controllers'))) return { version: 'v2', why: `cgroup2 mounted and writable at ${root}` };
  }
  const unwritable: string[] = [];
  for (const controller of V1_CONTROLLERS) if (!(await isWritable(join(root, controller)))) unwritable.push(join(root, controller));
  if (unwritable.length === 0) return { version: 'v1', why: `cgroup v1 hierarchies writable under ${root}` };
  const who = process.getuid?.() === 0 ? 'running as root' : 'not running as root';
  return { version: null, why: `no writable cgroup v2 at ${root} and not writable: ${unwritable.join(', ')} (${who})` };
}

export async function createIsolator(options: IsolatorOptions = {}): Promise<IsolatorResult> {
  const mode = options.mode ?? 'auto';
  const root = options.cgroupRoot ?? '/sys/fs/cgroup';
  const shared = { root, parent: options.cgroupParent, cfsQuota: options.cfsQuota, fs: options.fs };
  if (mode === 'posix') return { ok: true, isolator: new PosixIsolator('posix isolation was asked for') };
  if (mode === 'cgroups-v1') return { ok: true, isolator: new CgroupsV1Isolator(shared) };
  if (mode === 'cgroups-v2') return { ok: true, isolator: new CgroupsV2Isolator(shared) };
  const detected = await detectCgroupVersion(root);
  if (detected.version === 'v2') return { ok: true, isolator: new CgroupsV2Isolator(shared) };
  if (detected.version === 'v1') return { ok: true, isolator: new CgroupsV1Isolator(shared) };
  if (mode === 'cgroups') return { ok: false, code: 'cgroups_unavailable', message: `cgroups isolation asked for, but ${detected.why}` };
  return { ok: true, isolator: new PosixIsolator(detected.why) };
}

async function isWritable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
