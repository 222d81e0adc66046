/**
 * Marathon's event stream, `GET /v2/events` (Server-Sent Events): each event
 * is `event: <eventType>` and `data: <JSON>` with `eventType` and
 * `timestamp` in the JSON, as Marathon's event bus names them
 * (`event_stream_attached`, `api_post_event`, `deployment_info`,
 * `deployment_success`, `deployment_failed`, `deployment_step_success`,
 * `status_update_event`, `health_status_changed_event`,
 * `app_terminated_event`, `group_change_success`, ...). `?event_type=X`
 * (repeatable) keeps only those types. A client that stops reading is
 * dropped; clients are capped.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const EVENT_CLIENTS_MAX = 64;
const CLIENT_BUFFERED_BYTES_MAX = 16 * 2 ** 20;
const KEEPALIVE_MS = 15_000;

interface Client {
  response: ServerResponse;
  types: Set<string> | null;
}

export class EventBus {
  readonly #clients = new Set<Client>();
  readonly #timer: NodeJS.Timeout;

  constructor() {
    // An SSE comment now and then keeps idle connections open through proxies.
    this.#timer = setInterval(() => {
      for (const client of this.#clients) client.response.write(':\n\n');
    }, KEEPALIVE_MS);
    this.#timer.unref();
  }

  attach(request: FastifyRequest, reply: FastifyReply): void {
    if (this.#clients.size >= EVENT_CLIENTS_MAX) {
      void reply.code(503).send({ message: `at most ${EVENT_CLIENTS_MAX} event stream clients` });
      return;
    }
    const query = request.query as Record<string, string | string[] | undefined>;
    const wanted = [query.event_type ?? []].flat();
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-store, must-revalidate',
      Connection: 'keep-alive',
    });
    const client: Client = { response, types: wanted.length > 0 ? new Set(wanted) : null };
    this.#clients.add(client);
    response.on('close', () => this.#clients.delete(client));
    this.#send(client, 'event_stream_attached', { remoteAddress: request.ip });
  }

  emit(eventType: string, fields: Record<string, unknown>): void {
    for (const client of this.#clients) this.#send(client, eventType, fields);
  }

  close(): void {
    clearInterval(this.#timer);
    for (const client of this.#clients) client.response.end();
    this.#clients.clear();
  }

  #send(client: Client, eventType: string, fields: Record<string, unknown>): void {
    if (client.types && !client.types.has(eventType)) return;
    if (client.response.writableLength > CLIENT_BUFFERED_BYTES_MAX) {
      client.response.destroy();
      this.#clients.delete(client);
      return;
    }
    const data = { ...fields, eventType, timestamp: new Date().toISOString() };
    client.response.write(`event: ${eventType}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
