/**
 * The file store's on-disk formats. The log is a sequence of records, one
 * per commit, each one line: `<crc32 as 8 hex digits> <JSON>\n`, the JSON
 * being `{"r": revision, "w": [[key, value or null], ...]}` (JSON text has
 * no raw newline, so a line is a record). A snapshot is one JSON document of
 * every key at a revision. Reading a log stops at the first record that is
 * incomplete or fails its check: a crash can only tear the end of an
 * append-only, fsynced file, and what it tore was never acknowledged. A bad
 * record with a good one after it is not a torn end but damage, and refuses
 * to load rather than silently dropping acknowledged writes.
 */
import { crc32 } from './crc32.js';

export interface LogRecord {
  readonly revision: number;
  readonly writes: ReadonlyArray<readonly [key: string, value: string | null]>;
}

export interface SnapshotEntries {
  readonly revision: number;
  readonly entries: ReadonlyArray<readonly [key: string, value: string, version: number]>;
}

export interface DecodedLog {
  readonly records: LogRecord[];
  /** Bytes of whole, checked records from the start: the log is truncated here. */
  readonly goodBytes: number;
}

export class LogDamagedError extends Error {
  readonly code = 'log_damaged';
}

const NEWLINE = 0x0a;

export function encodeLogRecord(record: LogRecord): Buffer {
  const json = Buffer.from(JSON.stringify({ r: record.revision, w: record.writes }), 'utf8');
  return Buffer.concat([Buffer.from(`${crc32(json).toString(16).padStart(8, '0')} `, 'ascii'), json, Buffer.from([NEWLINE])]);
}

/** The record in `bytes[start, end)` (a line without its newline), or null when it is not a whole, checked record. */
function decodeLine(bytes: Buffer, start: number, end: number, after: number): LogRecord | null {
  if (end - start < 10 || bytes[start + 8] !== 0x20) return null;
  const crcText = bytes.toString('ascii', start, start + 8);
  if (!/^[0-9a-f]{8}$/.test(crcText)) return null;
  const json = bytes.subarray(start + 9, end);
  if (crc32(json) !== Number.parseInt(crcText, 16)) return null;
  let parsed: { r?: unknown; w?: unknown };
  try {
    parsed = JSON.parse(json.toString('utf8')) as { r?: unknown; w?: unknown };
  } catch {
    return null;
  }
  if (!Number.isSafeInteger(parsed.r) || (parsed.r as number) <= after || !Array.isArray(parsed.w)) return null;
  for (const write of parsed.w as unknown[]) {
    if (!Array.isArray(write) || write.length !== 2 || typeof write[0] !== 'string' || (write[1] !== null && typeof write[1] !== 'string'))
      return null;
  }
  return { revision: parsed.r as number, writes: parsed.w as LogRecord['writes'] };
}

/** Every whole record of a log whose records must come after `revision`; throws LogDamagedError on damage before the end. */
export function decodeLog(bytes: Buffer, revision: number, name: string): DecodedLog {
  const records: LogRecord[] = [];
  let offset = 0;
  let last = revision;
  while (offset < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, offset);
    const record = newline < 0 ? null : decodeLine(bytes, offset, newline, last);
    if (record === null) {
      assertNothingAfter(bytes, newline < 0 ? bytes.length : newline + 1, name, offset);
      return { records, goodBytes: offset };
    }
    records.push(record);
    last = record.revision;
    offset = newline + 1;
  }
  return { records, goodBytes: offset };
}

/** A torn end is garbage to the end; a checked record after the bad one means the middle of the log is damaged. */
function assertNothingAfter(bytes: Buffer, from: number, name: string, badOffset: number): void {
  let offset = from;
  while (offset < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, offset);
    if (newline < 0) return;
    if (decodeLine(bytes, offset, newline, 0) !== null)
      throw new LogDamagedError(
        `${name}: the record at byte ${badOffset} is damaged but a valid record follows at byte ${offset}; refusing to load (restore the state from a backup, or remove the damaged record by hand)`,
      );
    offset = newline + 1;
  }
}

export function encodeSnapshot(snapshot: SnapshotEntries): string {
  return JSON.stringify({ format: 'allot-store-snapshot', version: 1, revision: snapshot.revision, entries: snapshot.entries });
}

export function decodeSnapshot(text: string, name: string): SnapshotEntries {
  const parsed = JSON.parse(text) as { format?: unknown; version?: unknown; revision?: unknown; entries?: unknown };
  if (
    parsed.format !== 'allot-store-snapshot' ||
    parsed.version !== 1 ||
    !Number.isSafeInteger(parsed.revision) ||
    !Array.isArray(parsed.entries)
  )
    throw new LogDamagedError(`${name} is not an allot store snapshot of version 1`);
  return { revision: parsed.revision as number, entries: parsed.entries as SnapshotEntries['entries'] };
}
