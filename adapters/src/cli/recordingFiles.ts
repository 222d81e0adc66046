/**
 * The files of a recording on disk: FILE, then FILE.1, FILE.2, ... while they
 * exist (`allot master --record FILE` writes them in that order).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ParsedRecording } from '@allot/kernel';
import { parseRecording } from '@allot/kernel';
import { UsageError } from './exitCodes.js';

export function readRecordingFiles(path: string): ParsedRecording {
  if (!existsSync(path)) throw new UsageError(`${path}: no such recording file`);
  const segments = [];
  for (let i = 0; ; i++) {
    const name = i === 0 ? path : `${path}.${i}`;
    if (!existsSync(name)) break;
    segments.push({ name, text: readFileSync(name, 'utf8') });
  }
  const parsed = parseRecording(segments);
  if (!parsed.ok) throw new UsageError(parsed.error);
  return parsed.recording;
}
