/**
 * One long-lived RecordIO response (a framework's or an agent's
 * subscription). Events sent before the response is opened are buffered, so
 * that the effects of the step that created the subscription follow its
 * first event; events sent during one turn of the event loop go out as one
 * write (a framework hears thousands of updates a second at scale, and every
 * write costs a chunk of HTTP framing and a system call); heartbeats keep
 * idle connections alive; a consumer that stops reading is cut off once
 * `bufferedBytesMax` is queued. Closing is final.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { encodeRecord } from './recordIo.js';

export const STREAM_BUFFERED_BYTES_MAX = 64 * 2 ** 20;

export interface EventStreamOptions {
  heartbeatMs: number;
  heartbeat: () => unknown;
  contentType: string;
  bufferedBytesMax?: number;
}

export class EventStream {
  readonly id = randomUUID();
  #raw: ServerResponse | null = null;
  #pending: Buffer[] = [];
  /** Records sent since the last flush, written together at the end of this turn. */
  #batch: Buffer[] = [];
  #flushScheduled = false;
  #closed = false;
  #heartbeat: NodeJS.Timeout | null = null;
  readonly #closeListeners: Array<() => void> = [];
  readonly #options: EventStreamOptions;

  constructor(options: EventStreamOptions) {
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts the response (200 + headers), writes the first event (when given) and whatever was buffered. */
  open(raw: ServerResponse, first: unknown, headers: Record<string, string> = {}): void {
    if (this.#closed) {
      raw.destroy();
      return;
    }
    this.#raw = raw;
    raw.writeHead(200, { 'Content-Type': this.#options.contentType, 'Cache-Control': 'no-cache', Connection: 'keep-alive', ...headers });
    raw.flushHeaders();
    raw.on('close', () => this.close());
    raw.on('error', () => this.close());
    raw.socket?.setKeepAlive(true, 10_000);
    raw.socket?.setNoDelay(true);
    if (first !== undefined) this.#write(encodeRecord(first));
    for (const record of this.#pending) this.#write(record);
    this.#pending = [];
    this.#heartbeat = setInterval(() => this.send(this.#options.heartbeat()), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  send(event: unknown): boolean {
    if (this.#closed) return false;
    const record = encodeRecord(event);
    if (this.#raw === null) this.#pending.push(record);
    else {
      this.#batch.push(record);
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    }
    return !this.#closed;
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    this.#write(batch.length === 1 ? batch[0] : Buffer.concat(batch));
  }

  onClose(listener: () => void): void {
    if (this.#closed) listener();
    else this.#closeListeners.push(listener);
  }

  /** Ends the stream, optionally with a last event; listeners run once. */
  close(last?: unknown): void {
    if (this.#closed) return;
    this.#flush();
    if (last !== undefined && this.#raw && !this.#closed) this.#write(encodeRecord(last));
    this.#closed = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#pending = [];
    if (this.#raw && !this.#raw.writableEnded) this.#raw.end();
    for (const listener of this.#closeListeners.splice(0)) listener();
  }

  #write(record: Buffer): void {
    const raw = this.#raw!;
    if (raw.destroyed || raw.writableEnded) {
      this.close();
      return;
    }
    raw.write(record);
    if (raw.writableLength > (this.#options.bufferedBytesMax ?? STREAM_BUFFERED_BYTES_MAX)) {
      // The reader fell too far behind: drop it (it resubscribes and reconciles).
      raw.destroy();
      this.close();
    }
  }
}
