/**
 * Unpacking fetched archives, as the Mesos fetcher does with `extract`: tar
 * archives (plain, gzip, bzip2, xz) and zip files are unpacked into the
 * directory that holds them, a lone `.gz` file is decompressed beside
 * itself; the archive stays. The tools run as the task's user, so an
 * archive cannot write where that user could not. Needs `tar` (and the
 * compressor), `unzip` for zip files and `gzip`; a missing tool is a failed
 * fetch that names it.
 */
import { spawn } from 'node:child_process';
import { basename, dirname } from 'node:path';
import type { TaskUser } from './sandbox.js';

const TAR = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz)$/i;
const ZIP = /\.zip$/i;
const GZIP = /\.gz$/i;

export function isArchive(path: string): boolean {
  return TAR.test(path) || ZIP.test(path) || GZIP.test(path);
}

/**
 * Paths are relative to the archive's directory, the tool's working directory: the agent enters it before
 * dropping to the task's user, who may not be able to traverse the agent's work dir by absolute path.
 */
export function extractArchive(path: string, user: TaskUser | null, signal: AbortSignal): Promise<void> {
  const directory = dirname(path);
  const file = `./${basename(path)}`;
  if (TAR.test(path)) return run('tar', ['-xf', file], directory, user, signal);
  if (ZIP.test(path)) return run('unzip', ['-o', '-q', file], directory, user, signal);
  // A .gz that is not a tar archive: the file itself, decompressed beside it (-k keeps the archive).
  return run('gzip', ['-d', '-k', '-f', file], directory, user, signal);
}

function run(command: string, args: string[], cwd: string, user: TaskUser | null, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'ignore', 'pipe'],
      signal,
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(0, 2000);
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? `cannot extract: ${command} is not installed on this agent` : error.message)),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} failed (exit ${code}): ${stderr.trim() || 'no message'}`));
    });
  });
}
