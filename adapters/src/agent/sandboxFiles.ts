/**
 * Reading sandboxes over HTTP (Mesos's `/files/browse`, `/files/read`,
 * `/files/download`, and the agent's LIST_FILES / READ_FILE): a requested
 * path is either a real sandbox path under the work dir, as `directory` in
 * the agent's /state gives it, or Mesos's virtual form
 * `/frameworks/<fw>/executors/<executor>/runs/latest/...`. Every path is
 * normalized and must stay inside one sandbox, symlinks resolved: `..`,
 * a symlink to `/etc` or into another framework's sandbox are refused (403),
 * unknown paths are 404. Reads are capped at 16 pages per call, as in Mesos.
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';

export const READ_LENGTH_MAX = 16 * 4096;
export const BROWSE_ENTRIES_MAX = 10_000;

export type FilesProblem = { ok: false; status: 400 | 403 | 404; message: string };

export interface ResolvedPath {
  ok: true;
  /** The file on disk (symlinks resolved), inside `sandbox`. */
  real: string;
  /** The sandbox the path lies in. */
  sandbox: string;
  /** The path as the client named it, normalized (used to name entries in listings). */
  shown: string;
}

export interface FileInfo {
  path: string;
  mode: number;
  nlink: number;
  uid: string;
  gid: string;
  size: number;
  mtimeSeconds: number;
}

const problem = (status: 400 | 403 | 404, message: string): FilesProblem => ({ ok: false, status, message });

/** Sandbox roots under the work dir: `sandboxes/<fw>/<task>` (command tasks) and `executors/<fw>/<executor>`. */
export function sandboxRoots(workDir: string): { tasks: string; executors: string } {
  return { tasks: join(workDir, 'sandboxes'), executors: join(workDir, 'executors') };
}

const VIRTUAL = /^\/frameworks\/([^/]+)\/executors\/([^/]+)\/runs\/(?:latest|[^/]+)(\/.*)?$/;

/** Maps the requested path to a sandbox and a path inside it, without touching the disk. */
function locate(workDir: string, requested: string): { sandbox: string; inside: string } | FilesProblem {
  if (requested.length === 0) return problem(400, "Expecting 'path=value' in query.");
  if (requested.length > 4096) return problem(400, 'path: at most 4096 characters');
  if (requested.includes('\0')) return problem(400, 'path: must not contain NUL');
  if (!requested.startsWith('/')) return problem(400, 'path: must be absolute');
  const normalized = posix.normalize(requested);
  const roots = sandboxRoots(workDir);
  const virtual = VIRTUAL.exec(normalized);
  if (virtual) {
    const [, frameworkId, executorId, rest] = virtual;
    const executorSandbox = join(roots.executors, frameworkId, executorId);
    const taskSandbox = join(roots.tasks, frameworkId, executorId);
    const sandbox = exists(executorSandbox) ? executorSandbox : taskSandbox;
    return { sandbox, inside: (rest ?? '/').slice(1) };
  }
  for (const root of [roots.tasks, roots.executors]) {
    const below = relative(root, normalized);
    if (below === '' || below.startsWith('..') || isAbsolute(below)) continue;
    const parts = below.split(sep);
    if (parts.length < 2) return problem(403, 'path: only sandboxes can be read, not the directories that hold them');
    return { sandbox: join(root, parts[0], parts[1]), inside: parts.slice(2).join(sep) };
  }
  return problem(404, `No such file or directory: ${requested.slice(0, 200)}`);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function resolveSandboxPath(workDir: string, requested: string): ResolvedPath | FilesProblem {
  const located = locate(workDir, requested);
  if ('ok' in located) return located;
  let sandboxReal: string;
  let real: string;
  try {
    sandboxReal = realpathSync(located.sandbox);
    real = realpathSync(join(located.sandbox, located.inside));
  } catch {
    return problem(404, `No such file or directory: ${requested.slice(0, 200)}`);
  }
  const below = relative(sandboxReal, real);
  if (below.startsWith('..') || isAbsolute(below))
    return problem(403, `path: ${requested.slice(0, 200)} leads outside its sandbox (a symbolic link or "..")`);
  return { ok: true, real, sandbox: sandboxReal, shown: posix.normalize(requested).replace(/\/+$/, '') || '/' };
}

const userNames = new Map<number, string>();
const groupNames = new Map<number, string>();

function nameOf(cache: Map<number, string>, file: string, id: number): string {
  if (cache.size === 0) {
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const [name, , number] = line.split(':');
        if (name && number !== undefined && /^\d+$/.test(number)) cache.set(Number(number), name);
      }
    } catch {
      // No passwd/group file: numbers it is.
    }
    if (cache.size === 0) cache.set(-1, '');
  }
  return cache.get(id) ?? String(id);
}

function fileInfo(path: string, stats: Stats): FileInfo {
  return {
    path,
    mode: stats.mode,
    nlink: stats.nlink,
    uid: nameOf(userNames, '/etc/passwd', stats.uid),
    gid: nameOf(groupNames, '/etc/group', stats.gid),
    size: stats.size,
    mtimeSeconds: Math.floor(stats.mtimeMs / 1000),
  };
}

/** A directory's entries (symlinks shown as links, not followed), or the file itself when the path is a file. */
export function browse(workDir: string, requested: string): { ok: true; entries: FileInfo[] } | FilesProblem {
  const resolved = resolveSandboxPath(workDir, requested);
  if (!resolved.ok) return resolved;
  const stats = statSync(resolved.real);
  if (!stats.isDirectory()) return { ok: true, entries: [fileInfo(resolved.shown, stats)] };
  const names = readdirSync(resolved.real).sort().slice(0, BROWSE_ENTRIES_MAX);
  const entries: FileInfo[] = [];
  for (const name of names) {
    try {
      entries.push(fileInfo(`${resolved.shown === '/' ? '' : resolved.shown}/${name}`, lstatSync(join(resolved.real, name))));
    } catch {
      // Removed while listing.
    }
  }
  return { ok: true, entries };
}

/**
 * Mesos's read: at most `length` bytes (capped at 16 pages) from `offset`;
 * offset -1 asks for the size only (answered in `offset`), an offset at or
 * past the end reads nothing.
 */
export function readChunk(
  workDir: string,
  requested: string,
  offset: number,
  length: number | null,
): { ok: true; data: Buffer; offset: number; size: number } | FilesProblem {
  const resolved = resolveSandboxPath(workDir, requested);
  if (!resolved.ok) return resolved;
  const fd = openSync(resolved.real, 'r');
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) return problem(400, 'Cannot read a directory.');
    const size = stats.size;
    if (offset === -1) return { ok: true, data: Buffer.alloc(0), offset: size, size };
    if (offset >= size || length === 0) return { ok: true, data: Buffer.alloc(0), offset, size };
    const wanted = Math.min(length ?? size - offset, READ_LENGTH_MAX, size - offset);
    const data = Buffer.alloc(wanted);
    const read = readSync(fd, data, 0, wanted, offset);
    return { ok: true, data: data.subarray(0, read), offset, size };
  } finally {
    closeSync(fd);
  }
}

/** A whole file for /files/download: its resolved path (a directory is a 400). */
export function downloadPath(workDir: string, requested: string): { ok: true; real: string; size: number } | FilesProblem {
  const resolved = resolveSandboxPath(workDir, requested);
  if (!resolved.ok) return resolved;
  const stats = statSync(resolved.real);
  if (stats.isDirectory()) return problem(400, 'Cannot download a directory.');
  return { ok: true, real: resolved.real, size: stats.size };
}
