/**
 * File operations on a cgroup file system, behind an interface so the
 * isolators run against a fake tree in tests (where a cgroup directory is a
 * plain directory and `rmdir` must remove the files the test created), and
 * the two shared chores: killing every process of a cgroup, then removing it.
 */
import { access, constants, mkdir, readdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { isProcessAlive } from './procStat.js';

export interface CgroupFs {
  mkdir(path: string): Promise<void>;
  /** Writes one value with a single write(2), as cgroup files require. */
  write(path: string, value: string): Promise<void>;
  /** The file's text, or null when it does not exist. */
  read(path: string): Promise<string | null>;
  exists(path: string): Promise<boolean>;
  /** Names of the sub-directories (child cgroups); empty when `path` does not exist. */
  children(path: string): Promise<string[]>;
  /** Removes an empty cgroup; throws EBUSY while it still has processes. */
  rmdir(path: string): Promise<void>;
}

export const realCgroupFs: CgroupFs = {
  async mkdir(path) {
    await mkdir(path, { recursive: true });
  },
  async write(path, value) {
    await writeFile(path, value);
  },
  async read(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  },
  async exists(path) {
    try {
      await access(path, constants.F_OK);
      return true;
    } catch {
      return false;
    }
  },
  async children(path) {
    try {
      return (await readdir(path, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  },
  async rmdir(path) {
    await rmdir(path);
  },
};

/** For fake cgroup trees in plain directories: removing a "cgroup" removes the files a test put in it. */
export const plainDirectoryCgroupFs: CgroupFs = {
  ...realCgroupFs,
  async rmdir(path) {
    await rm(path, { recursive: true });
  },
};

const KILL_ROUNDS_MAX = 50;
const KILL_ROUND_PAUSE_MS = 20;
const RMDIR_ATTEMPTS_MAX = 50;

/** Live pids listed in a cgroup.procs file. */
export async function livePids(fs: CgroupFs, procsPath: string): Promise<number[]> {
  const text = await fs.read(procsPath);
  if (text === null) return [];
  return text
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 1 && pid !== process.pid && isProcessAlive(pid));
}

/**
 * SIGKILLs every process in the cgroup until none is left (a process may fork
 * while we kill, hence rounds), then removes the directory, retrying while the
 * kernel still reports it busy. A cgroup that is already gone is fine.
 */
export async function killAndRemoveCgroup(fs: CgroupFs, directory: string): Promise<void> {
  if (!(await fs.exists(directory))) return;
  for (let round = 0; round < KILL_ROUNDS_MAX; round++) {
    const pids = await livePids(fs, `${directory}/cgroup.procs`);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await sleep(KILL_ROUND_PAUSE_MS);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      await fs.rmdir(directory);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (attempt >= RMDIR_ATTEMPTS_MAX || (code !== 'EBUSY' && code !== 'ENOTEMPTY')) throw error;
      await sleep(KILL_ROUND_PAUSE_MS);
    }
  }
}

export async function readNumber(fs: CgroupFs, path: string): Promise<number | null> {
  const text = await fs.read(path);
  if (text === null) return null;
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
