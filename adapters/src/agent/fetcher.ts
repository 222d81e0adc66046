/**
 * The fetcher (Mesos `CommandInfo.uris`): before a task starts, each URI is
 * brought into its sandbox, `file://` (or a bare absolute path) and
 * `http(s)://` alike, named after the URI's last path segment or
 * `output_file`. `executable` makes the file executable; `extract` unpacks
 * an archive next to it (artifactExtract.ts); `cache` keeps one copy per
 * task user and URI in the agent's fetcher cache and copies from there
 * (least recently used entries go once the cache exceeds its size).
 * Local files are read, and archives unpacked, as the task's user, so a
 * task can only fetch what its user may read. The first failure stops the
 * fetch; the runtime reports it as TASK_FAILED with REASON_FETCHER_FAILED.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, chown, copyFile, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extractArchive, isArchive } from './artifactExtract.js';
import type { TaskUser } from './sandbox.js';

export interface FetchUri {
  value: string;
  executable?: boolean;
  /** Default true, as Mesos: an archive is unpacked. */
  extract?: boolean;
  cache?: boolean;
  /** The file's name in the sandbox (a relative path), instead of the URI's last segment. */
  outputFile?: string;
}

export interface FetchContext {
  sandboxDir: string;
  /** `<agent work dir>/fetcher-cache`. */
  cacheDir: string;
  user: TaskUser | null;
  /** Per URI: download, copy and extraction together. */
  timeoutMs: number;
  cacheBytesMax: number;
}

export type FetchResult = { ok: true } | { ok: false; message: string };

export const FETCH_TIMEOUT_MS = 5 * 60_000;
/** Mesos's --fetcher_cache_size default. */
export const FETCHER_CACHE_BYTES_MAX = 2 * 2 ** 30;

export class FetchError extends Error {
  readonly code = 'fetch_failed';
}

export async function fetchUris(uris: readonly FetchUri[], context: FetchContext): Promise<FetchResult> {
  for (const uri of uris) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), context.timeoutMs);
    try {
      await fetchOne(uri, context, controller.signal);
    } catch (error) {
      const why = controller.signal.aborted ? `took longer than ${context.timeoutMs} ms` : (error as Error).message;
      return { ok: false, message: `Failed to fetch ${uri.value}: ${why}` };
    } finally {
      clearTimeout(timer);
    }
  }
  return { ok: true };
}

/** Why a URI cannot be fetched at all (checked before the task is accepted), or null. */
export function fetchUriProblem(uri: FetchUri): string | null {
  const source = sourceOf(uri.value);
  if (typeof source === 'string') return source;
  const name = uri.outputFile ?? basename(source.kind === 'file' ? source.path : decodeURIComponent(source.url.pathname));
  if (!name || name === '/' || name === '.') return `cannot name a file after ${uri.value}; give output_file`;
  const normalized = normalize(name);
  if (isAbsolute(name) || normalized.startsWith('..')) return `output_file "${name}" must be a relative path inside the sandbox`;
  return null;
}

type Source = { kind: 'file'; path: string } | { kind: 'http'; url: URL };

function sourceOf(value: string): Source | string {
  if (value.startsWith('/')) return { kind: 'file', path: value };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URI (file://, http:// or https://, or an absolute path)`;
  }
  if (url.protocol === 'file:') return { kind: 'file', path: decodeURIComponent(url.pathname) };
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url };
  return `the scheme ${url.protocol.slice(0, -1)} of "${value}" is not supported (file, http, https)`;
}

async function fetchOne(uri: FetchUri, context: FetchContext, signal: AbortSignal): Promise<void> {
  const problem = fetchUriProblem(uri);
  if (problem) throw new FetchError(problem);
  const source = sourceOf(uri.value) as Source;
  const name = uri.outputFile ?? basename(source.kind === 'file' ? source.path : decodeURIComponent(source.url.pathname));
  const destination = join(context.sandboxDir, normalize(name));
  await mkdir(dirname(destination), { recursive: true });
  if (uri.cache) {
    const cached = await cachedCopy(uri.value, source, context, signal);
    await copyFile(cached, destination);
  } else {
    await download(source, destination, context.user, signal);
  }
  if (context.user) await chown(destination, context.user.uid, context.user.gid);
  if (uri.executable) await chmod(destination, 0o755);
  else if ((uri.extract ?? true) && isArchive(destination)) await extractArchive(destination, context.user, signal);
}

/** Brings the source to `destination`: a download, or a read of the local file as the task's user. */
async function download(source: Source, destination: string, user: TaskUser | null, signal: AbortSignal): Promise<void> {
  if (source.kind === 'http') {
    const response = await fetch(source.url, { redirect: 'follow', signal });
    if (!response.ok || !response.body) throw new FetchError(`HTTP ${response.status} ${response.statusText}`.trim());
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(destination, { mode: 0o644 }), { signal });
    return;
  }
  await readAsUser(source.path, destination, user, signal);
}

function readAsUser(path: string, destination: string, user: TaskUser | null, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/cat', ['--', path], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(0, 2000);
    });
    const abort = (): void => void child.kill('SIGKILL');
    signal.addEventListener('abort', abort, { once: true });
    const written = pipeline(child.stdout, createWriteStream(destination, { mode: 0o644 }));
    child.once('error', reject);
    child.once('close', (code) => {
      signal.removeEventListener('abort', abort);
      written.then(
        () => (code === 0 ? resolve() : reject(new FetchError(stderr.trim().replace(/^\/bin\/cat: /, '') || `cat exited with ${code}`))),
        reject,
      );
    });
  });
}

/** The cached copy of a URI for the task's user, fetched into the cache first when missing. */
async function cachedCopy(value: string, source: Source, context: FetchContext, signal: AbortSignal): Promise<string> {
  await mkdir(context.cacheDir, { recursive: true, mode: 0o700 });
  const key = createHash('sha256')
    .update(`${context.user?.name ?? ''}\0${value}`)
    .digest('hex');
  const entry = join(context.cacheDir, key);
  if (existsSync(entry)) {
    const now = new Date();
    await utimes(entry, now, now);
    return entry;
  }
  const partial = `${entry}.${process.pid}.${Date.now()}.partial`;
  try {
    await download(source, partial, context.user, signal);
    await rename(partial, entry);
  } finally {
    await rm(partial, { force: true });
  }
  await evictCache(context.cacheDir, context.cacheBytesMax, entry);
  return entry;
}

/** Removes the least recently used entries until the cache fits (never `keep`, just fetched). */
async function evictCache(cacheDir: string, bytesMax: number, keep: string): Promise<void> {
  const entries = await Promise.all(
    (await readdir(cacheDir))
      .filter((name) => !name.endsWith('.partial'))
      .map(async (name) => {
        const path = join(cacheDir, name);
        const info = await stat(path);
        return { path, bytes: info.size, usedMs: info.mtimeMs };
      }),
  );
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  for (const entry of entries.sort((a, b) => a.usedMs - b.usedMs)) {
    if (total <= bytesMax) break;
    if (entry.path === keep) continue;
    await rm(entry.path, { force: true });
    total -= entry.bytes;
  }
}

/** The runtime's hook: fetches a task's URIs into its sandbox, or throws a FetchError naming the URI that failed. */
export async function fetchTaskUris(
  uris: readonly FetchUri[] | undefined,
  sandboxDir: string,
  workDir: string,
  user: TaskUser | null,
): Promise<void> {
  if (!uris || uris.length === 0) return;
  const result = await fetchUris(uris, {
    sandboxDir,
    cacheDir: join(workDir, 'fetcher-cache'),
    user,
    timeoutMs: FETCH_TIMEOUT_MS,
    cacheBytesMax: FETCHER_CACHE_BYTES_MAX,
  });
  if (!result.ok) throw new FetchError(result.message);
}
