/**
 * Writes a simulation trace as NDJSON: one JSON object per line, one line per
 * kernel event. The simulation runs synchronously and never yields to the event
 * loop, so a write stream would hold the whole trace in memory until the end;
 * instead lines are gathered into chunks and written with writeSync.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from './exitCodes.js';

const CHUNK_CHARS_MAX = 1 << 16;

export class TraceWriter {
  readonly path: string;
  #fd: number | undefined;
  #chunk: string[] = [];
  #chunkChars = 0;
  linesWritten = 0;

  /** Opens (and truncates) the file now, so that a bad path fails before the simulation runs. */
  constructor(path: string) {
    this.path = path;
    try {
      this.#fd = openSync(path, 'w');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new UsageError(`cannot write trace file ${path}: ${message}`);
    }
  }

  write(record: unknown): void {
    if (this.#fd === undefined) throw new Error('TraceWriter.write after close');
    const line = JSON.stringify(record) + '\n';
    this.#chunk.push(line);
    this.#chunkChars += line.length;
    this.linesWritten++;
    if (this.#chunkChars >= CHUNK_CHARS_MAX) this.#flush();
  }

  close(): void {
    if (this.#fd === undefined) return;
    this.#flush();
    closeSync(this.#fd);
    this.#fd = undefined;
  }

  #flush(): void {
    if (this.#chunk.length === 0 || this.#fd === undefined) return;
    writeSync(this.#fd, this.#chunk.join(''));
    this.#chunk = [];
    this.#chunkChars = 0;
  }
}
