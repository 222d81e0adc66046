/**
 * The file store's durable file operations, on an injectable file system
 * (tests make writes fail the way a full disk does): write every byte (a
 * short write is continued until it fails), fsync, rename, fsync the
 * directory; and the one-time import of the layout before the log.
 */
import type * as nodeFs from 'node:fs';
import { join } from 'node:path';
import type { StoredValue } from './stateStore.js';
import { keyProblem } from './stateStore.js';
import { encodeSnapshot } from './writeAheadLog.js';

/** The node:fs calls the store makes. */
export type StoreFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'fdatasyncSync'
  | 'ftruncateSync'
  | 'fstatSync'
  | 'statSync'
  | 'closeSync'
  | 'renameSync'
  | 'rmSync'
  | 'mkdirSync'
  | 'readFileSync'
  | 'readdirSync'
>;

const OLD_LAYOUT_FILE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.json$/;

/** write(2) may write less than asked (a full disk does exactly that, once): keep going until all is written or it fails. */
export function writeFully(fs: StoreFs, fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = fs.writeSync(fd, bytes, offset, bytes.length - offset);
    if (!(written > 0))
      throw Object.assign(new Error(`write returned ${written} with ${bytes.length - offset} bytes left`), { code: 'EIO' });
    offset += written;
  }
}

export function fsyncDirectory(fs: StoreFs, directory: string): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Temporary file written in full and fsynced, renamed over `path`, then the directory fsynced; on failure, nothing changed. */
export function writeFileDurably(fs: StoreFs, directory: string, name: string, text: string): void {
  const path = join(directory, name);
  const temporary = `${path}.${process.pid}.tmp`;
  let fd: number | null = fs.openSync(temporary, 'w', 0o600);
  try {
    writeFully(fs, fd, Buffer.from(text, 'utf8'));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temporary, path);
  } catch (error) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(fs, directory);
}

/**
 * The layout before the log: one `<key>.json` holding {version, value} per
 * key. Read once into `values`, written as `snapshot.<generation>`, then
 * removed. Returns the highest version (0 when there was nothing to import).
 */
export function importOldLayout(
  fs: StoreFs,
  directory: string,
  names: readonly string[],
  values: Map<string, StoredValue>,
  generation: number,
): number {
  let revision = 0;
  const imported: string[] = [];
  for (const name of names) {
    const match = OLD_LAYOUT_FILE.exec(name);
    if (!match || keyProblem(match[1])) continue;
    const record = JSON.parse(fs.readFileSync(join(directory, name), 'utf8')) as { version?: unknown; value?: unknown };
    if (!Number.isSafeInteger(record.version) || typeof record.value !== 'string') continue;
    values.set(match[1], { value: record.value, version: record.version as number });
    revision = Math.max(revision, record.version as number);
    imported.push(name);
  }
  if (imported.length === 0) return 0;
  const entries = [...values].map(([key, stored]) => [key, stored.value, stored.version] as const);
  writeFileDurably(fs, directory, `snapshot.${generation}`, encodeSnapshot({ revision, entries }));
  for (const name of imported) fs.rmSync(join(directory, name), { force: true });
  fsyncDirectory(fs, directory);
  return revision;
}
