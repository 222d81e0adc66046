/**
 * Plain node:http for the load benchmarks' schedulers: JSON calls over a
 * keep-alive pool, and long-lived RecordIO subscriptions that follow an HA
 * follower's 307 to the leader. Nothing here throws for a network failure:
 * calls answer status 0, streams end.
 */
import http from 'node:http';
import { RecordIoDecoder } from '../../adapters/src/master/recordIo.js';

export interface JsonAnswer {
  status: number;
  body: string;
}

export interface StreamCallbacks {
  onOpen(streamId: string, origin: string): void;
  onEvent(event: Record<string, any>): void;
  onEnd(status: number, body: string): void;
}

export class JsonHttp {
  readonly #pool: http.Agent;

  constructor(sockets = 64) {
    this.#pool = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  call(origin: string, path: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<JsonAnswer> {
    return new Promise((resolve) => {
      const request = http.request(new URL(path, origin), {
        method: 'POST',
        agent: this.#pool,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        timeout: timeoutMs,
      });
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => resolve({ status: 0, body: error.message }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => resolve({ status: 0, body: error.message }));
      });
      request.end(JSON.stringify(body));
    });
  }

  /** GET as text (health, metrics). */
  get(origin: string, path: string, timeoutMs = 10_000): Promise<JsonAnswer> {
    return new Promise((resolve) => {
      const request = http.request(new URL(path, origin), { method: 'GET', agent: this.#pool, timeout: timeoutMs });
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => resolve({ status: 0, body: error.message }));
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => resolve({ status: 0, body: error.message }));
      });
      request.end();
    });
  }

  /** A subscription (its own socket); returns a function that closes it. */
  stream(origin: string, path: string, body: unknown, callbacks: StreamCallbacks, hops = 0): () => void {
    let request: http.ClientRequest | null = null;
    let ended = false;
    let inner: (() => void) | null = null;
    const end = (status: number, text: string) => {
      if (ended) return;
      ended = true;
      callbacks.onEnd(status, text);
    };
    request = http.request(new URL(path, origin), {
      method: 'POST',
      agent: false,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    request.on('error', (error) => end(0, error.message));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if ((status === 307 || status === 308) && response.headers.location && hops < 5) {
        response.resume();
        ended = true;
        inner = this.stream(new URL(response.headers.location).origin, path, body, callbacks, hops + 1);
        return;
      }
      if (status !== 200) {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => end(status, Buffer.concat(chunks).toString('utf8')));
        return;
      }
      callbacks.onOpen(String(response.headers['mesos-stream-id'] ?? ''), origin);
      const decoder = new RecordIoDecoder();
      response.on('data', (chunk: Buffer) => {
        for (const record of decoder.push(chunk)) callbacks.onEvent(JSON.parse(record));
      });
      response.on('end', () => end(200, ''));
      response.on('close', () => end(200, ''));
      response.on('error', (error) => end(0, error.message));
    });
    request.end(JSON.stringify(body));
    return () => {
      if (inner) inner();
      request?.destroy();
      end(0, 'closed');
    };
  }

  close(): void {
    this.#pool.destroy();
  }
}
