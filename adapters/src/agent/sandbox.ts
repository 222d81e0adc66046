/**
 * Task sandboxes: `<workDir>/sandboxes/<frameworkId>/<taskId>/`, holding the
 * task's `stdout`, `stderr` and whatever it writes, owned by the user the task
 * runs as. Also the disk usage walk the disk limit is checked with, and user
 * lookup (Node has no getpwnam). Ids become path components, so they are
 * restricted to a safe alphabet.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export const STDOUT_FILE = 'stdout';
/** The task's temporary directory: TMPDIR points there, and it is the task's /tmp where that can be made private. */
export const SANDBOX_TMP_DIR = 'tmp';
export const STDERR_FILE = 'stderr';
/** Written by the launcher wrapper after the command ends: its exit status, as `$?`. */
export const EXIT_STATUS_FILE = 'exit_status';
const DISK_WALK_ENTRIES_MAX = 200_000;

export interface TaskUser {
  name: string;
  uid: number;
  gid: number;
}

/** Why an id cannot name a directory, or null when it can. */
export function idProblem(id: string): string | null {
  if (id.length === 0) return 'must not be empty';
  if (id.length > 200) return 'must be at most 200 characters';
  if (id === '.' || id === '..') return `must not be "${id}"`;
  if (!/^[A-Za-z0-9._:@+=-]+$/.test(id)) return 'may only contain letters, digits and . _ : @ + = -';
  return null;
}

export function sandboxPath(workDir: string, frameworkId: string, taskId: string): string {
  return join(workDir, 'sandboxes', frameworkId, taskId);
}

/**
 * Creates a fresh sandbox with empty stdout and stderr, owned by `user`. A
 * sandbox left by an earlier task with the same id is kept, renamed with the
 * time, so its logs survive.
 */
export function createSandbox(directory: string, user: TaskUser | null, nowMs: number): void {
  if (existsSync(directory)) renameSync(directory, `${directory}.${nowMs}`);
  // Parents stay traversable (0755) so an unprivileged task can reach its own sandbox by absolute path.
  mkdirSync(join(directory, '..'), { recursive: true, mode: 0o755 });
  mkdirSync(directory, { mode: 0o755 });
  for (const name of [STDOUT_FILE, STDERR_FILE]) closeSync(openSync(join(directory, name), 'w', 0o644));
  // A /tmp: sticky and writable by all, as programs expect of it.
  mkdirSync(join(directory, SANDBOX_TMP_DIR));
  chmodSync(join(directory, SANDBOX_TMP_DIR), 0o1777);
  if (user) chownTree(directory, user);
}

function chownTree(path: string, user: TaskUser): void {
  chownSync(path, user.uid, user.gid);
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path)) chownTree(join(path, entry), user);
}

/**
 * Bytes the directory occupies on disk (allocated blocks, so sparse files
 * count what they use), symlinks not followed. Stops counting after a bounded
 * number of entries; the total is then a lower bound.
 */
export function directoryUsageBytes(directory: string): number {
  let total = 0;
  let entries = 0;
  const stack = [directory];
  while (stack.length > 0 && entries < DISK_WALK_ENTRIES_MAX) {
    const path = stack.pop()!;
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(path);
    } catch {
      continue; // Removed while we walked.
    }
    entries++;
    total += stat.blocks * 512;
    if (!stat.isDirectory()) continue;
    try {
      for (const entry of readdirSync(path)) stack.push(join(path, entry));
    } catch {
      // Unreadable or gone: count what we can.
    }
  }
  return total;
}

/** Looks a user up in /etc/passwd, then through NSS (`getent`); null when unknown. */
export function lookupUser(name: string): TaskUser | null {
  const fromLine = (line: string): TaskUser | null => {
    const fields = line.trim().split(':');
    if (fields.length < 4 || fields[0] !== name) return null;
    const uid = Number(fields[2]);
    const gid = Number(fields[3]);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : null;
  };
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const user = fromLine(line);
      if (user) return user;
    }
  } catch {
    // No /etc/passwd: ask NSS.
  }
  try {
    return fromLine(execFileSync('getent', ['passwd', name], { encoding: 'utf8', timeout: 5000 }));
  } catch {
    return null;
  }
}

/** The first directory on the way to `path` that other users cannot search (no o+x), or null. */
export function untraversableDirectory(path: string): string | null {
  const chain: string[] = [];
  for (let directory = path; ; directory = dirname(directory)) {
    chain.unshift(directory);
    if (dirname(directory) === directory) break;
  }
  for (const directory of chain) {
    try {
      if ((statSync(directory).mode & 0o001) === 0) return directory;
    } catch {
      return directory;
    }
  }
  return null;
}
