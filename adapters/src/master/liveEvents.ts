/**
 * `GET /api/v1/events`: the live stream the playground attaches to, as
 * Server-Sent Events. `hello` once (master id, epoch, resource names,
 * allocation interval), then `kernel` for every kernel event in order (with a
 * sequence number; offers' resources described by name), and `snapshot` (the
 * cluster view) at connect and every `snapshotMs`. A client that stops
 * reading is dropped; the number of clients is capped.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Command, KernelEvent, ResourceLayout, StepResult } from '@allot/kernel';
import { describeResourceSet } from '@allot/kernel';
import { clusterView } from './clusterView.js';
import type { MasterContext } from './masterContext.js';

export const LIVE_CLIENTS_MAX = 64;
const CLIENT_BUFFERED_BYTES_MAX = 16 * 2 ** 20;

export class LiveEvents {
  readonly #clients = new Set<ServerResponse>();
  readonly #context: MasterContext;
  #seq = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(context: MasterContext, snapshotMs: number) {
    this.#context = context;
    this.#timer = setInterval(() => this.#snapshotAll(), snapshotMs);
    this.#timer.unref();
  }

  register(app: FastifyInstance): void {
    app.get('/api/v1/events', (request, reply) => {
      // The snapshots carry the whole cluster state: whoever may not GET_STATE may not watch it either.
      const denied = this.#context.authorizer?.read(request, 'GET_STATE');
      if (denied && !denied.ok) return reply.code(denied.status).type('text/plain; charset=utf-8').send(denied.reason);
      if (this.#clients.size >= LIVE_CLIENTS_MAX)
        return reply.code(503).type('text/plain').send(`at most ${LIVE_CLIENTS_MAX} live event clients`);
      if (this.#context.host.recovering)
        return reply.code(503).type('text/plain').send('the master is recovering its state; retry shortly');
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache',
        Connection: 'keep-alive',
        'Access-Control-Allow-Origin': '*',
      });
      this.#clients.add(raw);
      raw.on('close', () => this.#clients.delete(raw));
      const { host } = this.#context;
      this.#write(raw, 'hello', {
        masterId: host.registry.masterId,
        epoch: host.master.epoch,
        resourceNames: host.master.layout.names,
        allocationIntervalMs: host.master.allocationIntervalMs,
        seq: this.#seq,
      });
      this.#write(raw, 'snapshot', clusterView(host));
      request.log.debug('live event client attached');
    });
  }

  /** Step listener: every kernel event goes out at once, in order. */
  publish(_command: Command, result: StepResult): void {
    if (this.#clients.size === 0) {
      this.#seq += result.events.length;
      return;
    }
    for (const event of result.events) {
      const data = { seq: ++this.#seq, ...liveEventJson(event, this.#context.host.master.layout) };
      for (const client of this.#clients) this.#write(client, 'kernel', data);
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #snapshotAll(): void {
    if (this.#clients.size === 0 || this.#context.host.recovering) return;
    const view = clusterView(this.#context.host);
    for (const client of this.#clients) this.#write(client, 'snapshot', view);
  }

  #write(client: ServerResponse, event: string, data: unknown): void {
    if (client.destroyed || client.writableEnded) {
      this.#clients.delete(client);
      return;
    }
    client.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (client.writableLength > CLIENT_BUFFERED_BYTES_MAX) {
      this.#clients.delete(client);
      client.destroy();
    }
  }
}

/** A kernel event as the stream sends it (`allot replay --events` writes the same). */
export function liveEventJson(event: KernelEvent, layout: ResourceLayout): Record<string, unknown> {
  if (event.type !== 'offer.made') return event as unknown as Record<string, unknown>;
  const { offer } = event;
  return {
    type: event.type,
    atMs: event.atMs,
    offer: {
      id: offer.id,
      frameworkId: offer.frameworkId,
      role: offer.role,
      agentId: offer.agentId,
      hostname: offer.hostname,
      resources: describeResourceSet(offer.resources, layout),
    },
  };
}
