/**
 * A scripted Mesos master for driver tests: a plain HTTP server on 127.0.0.1
 * whose SUBSCRIBE answers are decided per connection by the test (a stream of
 * RecordIO events, a status code, a redirect), whose answers to other calls
 * can be scripted (202 otherwise), and which records every
 * request (body and Mesos-Stream-Id) so tests can check what the driver sent.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeRecord } from '../../../adapters/src/master/recordIo.js';

type Json = Record<string, any>;

export interface RecordedRequest {
  body: Json;
  streamId: string | undefined;
}

/** What to do with one SUBSCRIBE: answer `status` (with `location`), or open a stream the test drives. */
export type SubscribeAnswer =
  | { status: number; location?: string; body?: string }
  | { stream: (send: (event: Json) => void, end: () => void) => void; streamId?: string };

export class FakeMaster {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #answers: SubscribeAnswer[] = [];
  readonly #callAnswers: Array<{ status: number; body?: string }> = [];
  readonly #open = new Set<ServerResponse>();
  url = '';

  private constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  static async start(): Promise<FakeMaster> {
    const master = new FakeMaster();
    await new Promise<void>((resolve) => master.#server.listen(0, '127.0.0.1', resolve));
    master.url = `http://127.0.0.1:${(master.#server.address() as AddressInfo).port}`;
    return master;
  }

  /** Queues the answer to the next SUBSCRIBE (once the queue is empty, SUBSCRIBE gets 503). */
  answerSubscribe(answer: SubscribeAnswer): void {
    this.#answers.push(answer);
  }

  /** Queues the answer to the next call other than SUBSCRIBE (once the queue is empty, calls get 202). */
  answerCall(answer: { status: number; body?: string }): void {
    this.#callAnswers.push(answer);
  }

  subscribes(): Json[] {
    return this.requests.filter((request) => request.body.type === 'SUBSCRIBE').map((request) => request.body);
  }

  async close(): Promise<void> {
    for (const response of this.#open) response.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += chunk;
    const body = JSON.parse(text) as Json;
    const streamHeader = request.headers['mesos-stream-id'];
    this.requests.push({ body, streamId: Array.isArray(streamHeader) ? streamHeader[0] : streamHeader });
    if (body.type !== 'SUBSCRIBE') {
      const answer = this.#callAnswers.shift() ?? { status: 202 };
      response.writeHead(answer.status).end(answer.body ?? '');
      return;
    }
    const answer = this.#answers.shift() ?? { status: 503, body: 'no answer scripted' };
    if ('status' in answer) {
      response.writeHead(answer.status, answer.location ? { Location: answer.location } : {}).end(answer.body ?? '');
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Mesos-Stream-Id': answer.streamId ?? 'stream-1' });
    this.#open.add(response);
    response.on('close', () => this.#open.delete(response));
    answer.stream(
      (event) => response.write(encodeRecord(event)),
      () => response.end(),
    );
  }
}

export const subscribedEvent = (frameworkId: string, heartbeatSeconds = 15): Json => ({
  type: 'SUBSCRIBED',
  subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: heartbeatSeconds },
});
