/**
 * Where a recording comes from: files picked or dropped (FILE and its
 * continuations FILE.1, FILE.2, ... together), or a URL (`?recording=URL`,
 * fetched with its continuations URL.1, URL.2, ...).
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

/** The most continuation files a URL is followed by (the master writes at most 16 by default). */
const CONTINUATIONS_MAX = 64;

/** A URL and its continuations URL.1, URL.2, ... while the server has them (as `allot replay FILE` reads FILE.1, ...). */
export async function openRecordingUrl(url: string): Promise<Opened> {
  const segments: RecordingSegmentText[] = [];
  for (let i = 0; i <= CONTINUATIONS_MAX; i++) {
    const name = i === 0 ? url : `${url}.${i}`;
    let response: Response;
    try {
      response = await fetch(name);
    } catch (error) {
      if (i > 0) break;
      return { ok: false, error: `cannot read ${url}: ${(error as Error).message}` };
    }
    if (!response.ok) {
      if (i > 0) break;
      return { ok: false, error: `GET ${url} answered ${response.status}` };
    }
    segments.push({ name, text: await response.text() });
  }
  return open(url.split('/').pop() || url, segments);
}
