/**
 * A tiny Mesos v1 scheduler speaking plain HTTP/JSON, as a framework library
 * would: SUBSCRIBE opens a RecordIO stream whose events are collected (and
 * can be awaited); calls go out with the stream id; UPDATEs with a uuid can
 * be acknowledged automatically.
 */
import { RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';

type Json = Record<string, any>;

export interface SchedulerClientOptions {
  masterUrl: string;
  frameworkInfo?: Json;
  autoAcknowledge?: boolean;
}

export class SchedulerClient {
  readonly events: Json[] = [];
  frameworkId = '';
  streamId = '';
  readonly #options: SchedulerClientOptions;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<() => void>();
  #closed = false;
  #reading: Promise<void> | null = null;

  constructor(options: SchedulerClientOptions) {
    this.#options = options;
  }

  static async subscribe(options: SchedulerClientOptions): Promise<SchedulerClient> {
    const client = new SchedulerClient(options);
    await client.#open();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async #open(): Promise<void> {
    const info: Json = {
      user: 'root',
      name: 'test-framework',
      roles: ['test'],
      capabilities: [{ type: 'MULTI_ROLE' }],
      ...this.#options.frameworkInfo,
    };
    const body = { type: 'SUBSCRIBE', ...(info.id ? { framework_id: info.id } : {}), subscribe: { framework_info: info } };
    const response = await fetch(`${this.#options.masterUrl}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal: this.#abort.signal,
    });
    if (response.status !== 200) throw new Error(`SUBSCRIBE answered ${response.status}: ${await response.text()}`);
    this.streamId = response.headers.get('mesos-stream-id') ?? '';
    const decoder = new RecordIoDecoder();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await this.#readUntil(reader, decoder, () => this.events.length > 0);
    if (!first || this.events[0].type !== 'SUBSCRIBED') throw new Error(`expected SUBSCRIBED first, got ${JSON.stringify(this.events[0])}`);
    this.frameworkId = this.events[0].subscribed.framework_id.value;
    this.#reading = this.#readUntil(reader, decoder, () => false).then(() => undefined);
  }

  async #readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, decoder: RecordIoDecoder, done: () => boolean): Promise<boolean> {
    try {
      while (!done()) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        for (const record of decoder.push(value)) this.#receive(JSON.parse(record));
      }
      return done();
    } catch {
      return false;
    } finally {
      if (!done()) {
        this.#closed = true;
        for (const wake of this.#waiters) wake();
      }
    }
  }

  #receive(event: Json): void {
    this.events.push(event);
    if (event.type === 'UPDATE' && event.update.status.uuid && this.#options.autoAcknowledge !== false) {
      const status = event.update.status;
      void this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } }).catch(
        () => undefined,
      );
    }
    for (const wake of this.#waiters) wake();
  }

  /** Sends a call with this framework's id and stream id; resolves with the status and body. */
  async call(call: Json): Promise<{ status: number; body: string }> {
    const response = await fetch(`${this.#options.masterUrl}/api/v1/scheduler`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.streamId },
      body: JSON.stringify({ framework_id: { value: this.frameworkId }, ...call }),
    });
    return { status: response.status, body: await response.text() };
  }

  /** The first event (from `from` on) matching `predicate`, waiting up to `timeoutMs`. */
  async waitFor(predicate: (event: Json) => boolean, what: string, timeoutMs = 20_000, from = 0): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found) return found;
      if (this.#closed) throw new Error(`stream closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting for ${what}; events: ${this.events.map((event) => event.type + (event.update ? `:${event.update.status.task_id.value}:${event.update.status.state}` : '')).join(', ')}`,
        );
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.#waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 500));
        this.#waiters.add(wake);
      });
    }
  }

  waitForOffer(what = 'an offer', timeoutMs?: number, from = 0): Promise<Json> {
    return this.waitFor((event) => event.type === 'OFFERS' && event.offers.offers.length > 0, what, timeoutMs, from).then(
      (event) => event.offers.offers[0],
    );
  }

  /**
   * Declines every offer seen so far (no filter) and waits for the next one that has `needs`
   * (scalars such as cpus and mem): a whole agent, not a fragment. A fragment can still come
   * first (an offer of a task's released resources, sent before the decline arrived): it is
   * declined in turn, so that a launch never gets TASK_ERROR for want of resources.
   */
  async freshOffer(what = 'a fresh offer', timeoutMs?: number, needs: Record<string, number> = {}): Promise<Json> {
    let from = this.events.length;
    const offerIds = this.events
      .filter((event) => event.type === 'OFFERS')
      .flatMap((event) => event.offers.offers.map((offer: Json) => offer.id));
    if (offerIds.length > 0) await this.call({ type: 'DECLINE', decline: { offer_ids: offerIds, filters: { refuse_seconds: 0 } } });
    for (;;) {
      const event = await this.waitFor(
        (candidate) => candidate.type === 'OFFERS' && candidate.offers.offers.length > 0,
        what,
        timeoutMs,
        from,
      );
      from = this.events.indexOf(event) + 1;
      const offers: Json[] = event.offers.offers;
      const whole = offers.find((offer) => Object.entries(needs).every(([name, amount]) => scalarIn(offer, name) >= amount));
      const rest = offers.filter((offer) => offer !== whole).map((offer) => offer.id);
      if (rest.length > 0) await this.call({ type: 'DECLINE', decline: { offer_ids: rest, filters: { refuse_seconds: 0 } } });
      if (whole) return whole;
    }
  }

  waitForState(taskId: string, state: string, timeoutMs?: number): Promise<Json> {
    return this.waitFor(
      (event) => event.type === 'UPDATE' && event.update.status.task_id.value === taskId && event.update.status.state === state,
      `${taskId} ${state}`,
      timeoutMs,
    ).then((event) => event.update.status);
  }

  states(taskId: string): string[] {
    return this.events
      .filter((event) => event.type === 'UPDATE' && event.update.status.task_id.value === taskId)
      .map((event) => event.update.status.state);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    await this.#reading?.catch(() => undefined);
  }
}

/** A LAUNCH operation for a shell command task on an offer's agent. */
export function launch(offer: Json, taskId: string, command: string, resources: { cpus: number; mem: number }, extra: Json = {}): Json {
  return {
    type: 'LAUNCH',
    launch: {
      task_infos: [
        {
          name: taskId,
          task_id: { value: taskId },
          agent_id: offer.agent_id,
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: { value: resources.cpus }, allocation_info: offer.allocation_info },
            { name: 'mem', type: 'SCALAR', scalar: { value: resources.mem }, allocation_info: offer.allocation_info },
          ],
          command: { value: command },
          ...extra,
        },
      ],
    },
  };
}

/** The total of a scalar resource (all roles) in an offer. */
function scalarIn(offer: Json, name: string): number {
  return (offer.resources as Json[])
    .filter((resource) => resource.name === name)
    .reduce((sum, resource) => sum + (resource.scalar?.value ?? 0), 0);
}
