/**
 * Crash-safe file replacement for checkpoints and the master's file store:
 * write a temporary file in the same directory (every byte: a write that
 * stops short, as on a full disk, is continued until it fails), fsync it,
 * rename it over the target, fsync the directory. After a crash a reader
 * sees either the old content or the new, never a mix; a failed replacement
 * throws and leaves the old file and no temporary one. Synchronous on
 * purpose: a checkpoint must be on disk before the runtime acts on it
 * (e.g. before a status update is sent). The file system is injectable so
 * that tests can make writes fail the way a full disk does.
 */
import { randomBytes } from 'node:crypto';
import * as nodeFs from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The node:fs calls the atomic writes make. */
export type AtomicFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync' | 'mkdirSync' | 'readFileSync'
>;

export function writeFileAtomic(path: string, data: string, mode = 0o600, fs: AtomicFs = nodeFs): void {
  const directory = dirname(path);
  fs.mkdirSync(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(temporary, 'w', mode);
  try {
    writeFully(fs, fd, Buffer.from(data, 'utf8'));
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(temporary, path);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fsyncDirectory(directory, fs);
}

/** write(2) may write less than asked (a full disk does exactly that, once); keep going until all is written or it fails. */
function writeFully(fs: AtomicFs, fd: number, bytes: Buffer): void {
  let offset = 0;
  while (offset < bytes.length) {
    const written = fs.writeSync(fd, bytes, offset, bytes.length - offset);
    if (!(written > 0))
      throw Object.assign(new Error(`write returned ${written} with ${bytes.length - offset} bytes left`), { code: 'EIO' });
    offset += written;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/** The parsed file, or null when it does not exist. Corrupt JSON throws: a checkpoint the runtime wrote itself must parse. */
export function readJsonIfExists<T>(path: string): T | null {
  let text: string;
  try {
    text = nodeFs.readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return JSON.parse(text) as T;
}

/** Removes a file and makes the removal durable. */
export function removeFileDurably(path: string, fs: AtomicFs = nodeFs): void {
  fs.rmSync(path, { force: true });
  try {
    fsyncDirectory(dirname(path), fs);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function fsyncDirectory(directory: string, fs: AtomicFs): void {
  const fd = fs.openSync(directory, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
