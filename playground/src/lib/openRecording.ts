/**
 * Where a recording comes from: files picked or dropped (FILE and its
 * continuations FILE.1, FILE.2, ... together), or a URL (`?recording=URL`,
 * fetched; a URL gives only its one file).
 */
import type { RecordingSegmentText } from '@allot/kernel';
import { readRecording, RecordingClient } from './RecordingClient.svelte.js';

export type Opened = { ok: true; client: RecordingClient } | { ok: false; error: string };

function open(name: string, segments: RecordingSegmentText[]): Opened {
  const read = readRecording(segments);
  if (!read.ok) return { ok: false, error: read.error };
  try {
    return { ok: true, client: new RecordingClient(name, read.recording) };
  } catch (error) {
    return { ok: false, error: `${name}: ${(error as Error).message}` };
  }
}

export async function openRecordingFiles(files: readonly File[]): Promise<Opened> {
  if (files.length === 0) return { ok: false, error: 'no file given' };
  const segments = await Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
  const first = [...files].map((file) => file.name).sort((a, b) => a.length - b.length)[0];
  return open(first, segments);
}

export async function openRecordingUrl(url: string): Promise<Opened> {
  let text: string;
  try {
    const response = await fetch(url);
    if (!response.ok) return { ok: false, error: `GET ${url} answered ${response.status}` };
    text = await response.text();
  } catch (error) {
    return { ok: false, error: `cannot read ${url}: ${(error as Error).message}` };
  }
  return open(url.split('/').pop() || url, [{ name: url, text }]);
}
