/**
 * HTTP for a fleet of simulated agents, on node:http rather than fetch: a
 * subscription is one long-lived POST whose RecordIO response is decoded as
 * it arrives (one socket each, no pool), and calls are short POSTs over a
 * small shared keep-alive pool. Followers of an HA group answer 307 with the
 * leader's URL: both follow it, as the real agent's fetch does.
 */
import http from 'node:http';
import https from 'node:https';
import { RecordIoDecoder } from '../master/recordIo.js';

export const REDIRECTS_MAX = 5;

export interface StreamHandlers {
  /** The subscription was taken: HTTP 200, with the stream id and the URL that answered (after redirects). */
  onOpen(streamId: string, servingOrigin: string): void;
  onRecord(record: string): void;
  /** A non-200 answer (after redirects): the subscription was refused. */
  onRefused(status: number, body: string): void;
  /** The stream ended, failed or was aborted; called exactly once, last. */
  onEnd(error: Error | null): void;
}

export interface OpenStream {
  abort(): void;
}

export interface CallResult {
  status: number;
  body: string;
}

export class FleetTransport {
  readonly #headers: Record<string, string>;
  readonly #callsMax: number;
  /** Calls waiting for a socket: our own FIFO (node's agent queue shifts an array, quadratic at ten thousand waiting). */
  readonly #waiting: Array<() => void> = [];
  #waitingHead = 0;
  #inFlight = 0;
  readonly #callAgent: http.Agent;
  readonly #callAgentTls: https.Agent;
  readonly #streamAgent: http.Agent;
  readonly #streamAgentTls: https.Agent;

  constructor(options: { secret: string | null; callSockets?: number }) {
    this.#headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (options.secret !== null) this.#headers.Authorization = `Bearer ${options.secret}`;
    const sockets = options.callSockets ?? 128;
    this.#callsMax = sockets;
    this.#callAgent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.#callAgentTls = new https.Agent({ keepAlive: true, maxSockets: sockets });
    // Streams hold their socket for their whole life: no pooling, no limit.
    this.#streamAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    this.#streamAgentTls = new https.Agent({ keepAlive: false, maxSockets: Infinity });
  }

  /** POSTs `body` to `<origin>/api/v1/agent` and streams the answer's records. */
  openStream(origin: string, body: string, handlers: StreamHandlers): OpenStream {
    let request: http.ClientRequest | null = null;
    let ended = false;
    const end = (error: Error | null) => {
      if (ended) return;
      ended = true;
      handlers.onEnd(error);
    };
    const attempt = (url: URL, hops: number) => {
      const tls = url.protocol === 'https:';
      request = (tls ? https : http).request(url, {
        method: 'POST',
        headers: this.#headers,
        agent: tls ? this.#streamAgentTls : this.#streamAgent,
      });
      request.on('error', (error) => end(error));
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if ((status === 307 || status === 308) && response.headers.location && hops < REDIRECTS_MAX) {
          response.resume();
          attempt(new URL(response.headers.location, url), hops + 1);
          return;
        }
        if (status !== 200) {
          readText(response).then((text) => {
            handlers.onRefused(status, text);
            end(null);
          }, end);
          return;
        }
        response.socket.setKeepAlive(true, 10_000);
        handlers.onOpen(String(response.headers['mesos-stream-id'] ?? ''), url.origin);
        const decoder = new RecordIoDecoder();
        response.on('data', (chunk: Buffer) => {
          if (ended) return;
          try {
            for (const record of decoder.push(chunk)) handlers.onRecord(record);
          } catch (error) {
            request?.destroy();
            end(error as Error);
          }
        });
        response.on('end', () => end(null));
        response.on('close', () => end(null));
        response.on('error', (error) => end(error));
      });
      request.end(body);
    };
    attempt(new URL('/api/v1/agent', origin), 0);
    return {
      abort: () => {
        request?.destroy();
        end(new Error('aborted'));
      },
    };
  }

  /** One call on the agent API (UPDATE), with the stream id; never throws. At most `callSockets` at once, the rest in order. */
  async call(origin: string, streamId: string, body: string, timeoutMs = 10_000): Promise<CallResult> {
    if (this.#inFlight >= this.#callsMax) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#inFlight++;
    try {
      return await this.#send(origin, streamId, body, timeoutMs);
    } finally {
      this.#inFlight--;
      this.#next();
    }
  }

  #next(): void {
    if (this.#waitingHead >= this.#waiting.length) return;
    const wake = this.#waiting[this.#waitingHead++];
    if (this.#waitingHead > 1024 && this.#waitingHead * 2 > this.#waiting.length) {
      this.#waiting.splice(0, this.#waitingHead);
      this.#waitingHead = 0;
    }
    wake();
  }

  #send(origin: string, streamId: string, body: string, timeoutMs: number): Promise<CallResult> {
    return new Promise((resolve) => {
      const url = new URL('/api/v1/agent', origin);
      const tls = url.protocol === 'https:';
      const request = (tls ? https : http).request(url, {
        method: 'POST',
        headers: { ...this.#headers, 'Mesos-Stream-Id': streamId },
        agent: tls ? this.#callAgentTls : this.#callAgent,
        timeout: timeoutMs,
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error) => resolve({ status: 0, body: error.message }));
      request.on('response', (response) => {
        readText(response).then(
          (text) => resolve({ status: response.statusCode ?? 0, body: text }),
          (error: Error) => resolve({ status: 0, body: error.message }),
        );
      });
      request.end(body);
    });
  }

  close(): void {
    this.#callAgent.destroy();
    this.#callAgentTls.destroy();
    this.#streamAgent.destroy();
    this.#streamAgentTls.destroy();
  }
}

function readText(response: http.IncomingMessage, maxBytes = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    response.on('data', (chunk: Buffer) => {
      if (bytes < maxBytes) chunks.push(chunk);
      bytes += chunk.length;
    });
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').slice(0, maxBytes)));
    response.on('error', reject);
  });
}
