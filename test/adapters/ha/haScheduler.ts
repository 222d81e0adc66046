/**
 * A batch scheduler that survives master failovers, as a real Mesos
 * framework does: it subscribes at any master (following 307 to the leader),
 * re-subscribes with its framework id when the stream ends, reconciles every
 * unfinished attempt after each re-subscription, and relaunches a logical
 * task under a new attempt id only when an attempt is reported
 * LOST/DROPPED/GONE/FAILED/ERROR. Each attempt's command appends its id to
 * `<runsDir>/<logical>`, so a test can prove nothing ran twice.
 */
import { RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';

type Json = Record<string, any>;

const TERMINAL = new Set([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
  'TASK_UNKNOWN',
]);
const RELAUNCH = new Set(['TASK_FAILED', 'TASK_LOST', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_UNKNOWN']);

export interface Attempt {
  id: string;
  logical: string;
  agentId: string;
  state: string;
  /** Wall-clock time of the launch or of the latest update. */
  changedAtMs: number;
  /** Every state reported for the attempt, in order (duplicates from resends included). */
  states: string[];
}

export interface HaSchedulerOptions {
  masterUrls: string[];
  role: string;
  runsDir: string;
  tasks: number;
  /** Logical tasks that run `sleep 600` instead (long-running services that must survive every failover). */
  services: number;
  inFlightMax: number;
  taskSeconds: number;
}

export class HaScheduler {
  frameworkId: string | null = null;
  leaderUrl: string | null = null;
  readonly attempts = new Map<string, Attempt>();
  /** Wall-clock times of SUBSCRIBED and of OFFERS events, for failover measurements. */
  readonly subscribedAtMs: number[] = [];
  readonly offersAtMs: number[] = [];
  readonly relaunches: Array<{ attempt: string; state: string }> = [];
  readonly #options: HaSchedulerOptions;
  readonly #pending: string[] = [];
  readonly #finished = new Set<string>();
  readonly #attemptCount = new Map<string, number>();
  #streamId = '';
  #stopped = false;
  #abort: AbortController | null = null;
  #loop: Promise<void> | null = null;
  #launching = true;
  #reconcileTimer: NodeJS.Timeout | null = null;

  constructor(options: HaSchedulerOptions) {
    this.#options = options;
    for (let index = 0; index < options.services; index += 1) this.#pending.push(`S${index}`);
    for (let index = 0; index < options.tasks; index += 1) this.#pending.push(`L${index}`);
  }

  start(): void {
    this.#loop ??= this.#run();
    // Answers can be missing after a failover (an agent still re-registering): ask again about anything quiet for a while.
    this.#reconcileTimer ??= setInterval(() => {
      const quiet = this.unfinished().filter((attempt) => attempt.state !== 'TASK_RUNNING' && Date.now() - attempt.changedAtMs > 3000);
      if (quiet.length > 0) void this.reconcile(quiet);
    }, 2000);
  }

  get finishedCount(): number {
    return this.#finished.size;
  }

  get done(): boolean {
    return this.#finished.size === this.#options.tasks;
  }

  /** Attempts not known to be terminal. */
  unfinished(): Attempt[] {
    return [...this.attempts.values()].filter((attempt) => !TERMINAL.has(attempt.state));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconcileTimer) clearInterval(this.#reconcileTimer);
    this.#abort?.abort();
    await this.#loop;
  }

  stopLaunching(): void {
    this.#launching = false;
  }

  /** One call on the current subscription; fetch follows a 307 from a follower. */
  async call(call: Json): Promise<number> {
    if (!this.leaderUrl || !this.frameworkId) return 0;
    try {
      const response = await fetch(`${this.leaderUrl}/api/v1/scheduler`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Mesos-Stream-Id': this.#streamId },
        body: JSON.stringify({ framework_id: { value: this.frameworkId }, ...call }),
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  reconcile(attempts: Attempt[]): Promise<number> {
    return this.call({
      type: 'RECONCILE',
      reconcile: { tasks: attempts.map((attempt) => ({ task_id: { value: attempt.id }, agent_id: { value: attempt.agentId } })) },
    });
  }

  async #run(): Promise<void> {
    let next = 0;
    while (!this.#stopped) {
      const url = this.#options.masterUrls[next++ % this.#options.masterUrls.length];
      await this.#subscribeOnce(url);
      if (!this.#stopped) await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async #subscribeOnce(url: string): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    let watchdog: NodeJS.Timeout | null = null;
    const arm = () => {
      if (watchdog) clearTimeout(watchdog);
      // Ten missed 1 s heartbeats: a leader that dies resets the connection at once, so the watchdog is only for a
      // stream that went quiet, and a short one re-subscribed needlessly whenever a busy machine delayed heartbeats.
      watchdog = setTimeout(() => abort.abort(), 10_000);
    };
    try {
      const info = {
        user: 'root',
        name: 'ha-batch',
        roles: [this.#options.role],
        capabilities: [{ type: 'MULTI_ROLE' }],
        failover_timeout: 3600,
        ...(this.frameworkId ? { id: { value: this.frameworkId } } : {}),
      };
      const body = {
        type: 'SUBSCRIBE',
        ...(this.frameworkId ? { framework_id: { value: this.frameworkId } } : {}),
        subscribe: { framework_info: info },
      };
      arm();
      const response = await fetch(`${url}/api/v1/scheduler`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      if (response.status !== 200 || !response.body) {
        await response.arrayBuffer().catch(() => undefined);
        return;
      }
      this.leaderUrl = new URL(response.url).origin;
      this.#streamId = response.headers.get('mesos-stream-id') ?? '';
      const decoder = new RecordIoDecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        arm();
        for (const record of decoder.push(chunk)) this.#receive(JSON.parse(record) as Json);
      }
    } catch {
      // Connection refused, reset or aborted by the watchdog: subscribe again, maybe elsewhere.
    } finally {
      if (watchdog) clearTimeout(watchdog);
      abort.abort();
    }
  }

  #receive(event: Json): void {
    switch (event.type) {
      case 'SUBSCRIBED':
        this.frameworkId = event.subscribed.framework_id.value;
        this.subscribedAtMs.push(Date.now());
        // After a failover, ask about everything not known to be finished (Mesos's advice).
        if (this.unfinished().length > 0) void this.reconcile(this.unfinished());
        return;
      case 'OFFERS':
        this.offersAtMs.push(Date.now());
        void this.#launch(event.offers.offers as Json[]);
        return;
      case 'UPDATE':
        this.#update(event.update.status);
        return;
      default:
        return;
    }
  }

  async #launch(offers: Json[]): Promise<void> {
    for (const offer of offers) {
      let cpus = scalar(offer, 'cpus');
      let mem = scalar(offer, 'mem');
      const operations: Json[] = [];
      const launched: Attempt[] = [];
      while (
        this.#launching &&
        this.#pending.length > 0 &&
        this.unfinished().length + launched.length < this.#options.inFlightMax &&
        cpus >= 0.1 &&
        mem >= 16
      ) {
        const logical = this.#pending.shift()!;
        const count = (this.#attemptCount.get(logical) ?? 0) + 1;
        this.#attemptCount.set(logical, count);
        const id = `${logical}.a${count}`;
        const seconds = logical.startsWith('S') ? 600 : this.#options.taskSeconds;
        const command = `echo ${id} >> ${this.#options.runsDir}/${logical}; sleep ${seconds}`;
        operations.push({
          type: 'LAUNCH',
          launch: {
            task_infos: [
              {
                name: id,
                task_id: { value: id },
                agent_id: offer.agent_id,
                resources: [
                  { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 }, allocation_info: offer.allocation_info },
                  { name: 'mem', type: 'SCALAR', scalar: { value: 16 }, allocation_info: offer.allocation_info },
                ],
                command: { value: command },
              },
            ],
          },
        });
        launched.push({ id, logical, agentId: offer.agent_id.value, state: 'SENT', changedAtMs: Date.now(), states: [] });
        cpus -= 0.1;
        mem -= 16;
      }
      for (const attempt of launched) this.attempts.set(attempt.id, attempt);
      const call =
        operations.length > 0
          ? { type: 'ACCEPT', accept: { offer_ids: [offer.id], operations, filters: { refuse_seconds: 0.2 } } }
          : { type: 'DECLINE', decline: { offer_ids: [offer.id], filters: { refuse_seconds: 0.2 } } };
      const status = await this.call(call);
      // An ACCEPT whose answer was lost may or may not have happened: reconciliation tells.
      if (status !== 202 && launched.length > 0) void this.reconcile(launched);
    }
  }

  #update(status: Json): void {
    const id: string = status.task_id.value;
    if (status.uuid)
      void this.call({ type: 'ACKNOWLEDGE', acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
    const attempt = this.attempts.get(id);
    if (!attempt) return;
    attempt.states.push(status.state);
    attempt.changedAtMs = Date.now();
    if (TERMINAL.has(attempt.state)) return; // A terminal attempt stays terminal (a late duplicate changes nothing).
    attempt.state = status.state;
    if (status.state === 'TASK_FINISHED') this.#finished.add(attempt.logical);
    else if (RELAUNCH.has(status.state)) {
      this.relaunches.push({ attempt: id, state: status.state });
      this.#pending.unshift(attempt.logical);
    }
  }
}

function scalar(offer: Json, name: string): number {
  return (offer.resources as Json[])
    .filter((resource) => resource.name === name && (resource.reservations ?? []).length === 0)
    .reduce((sum, resource) => sum + resource.scalar.value, 0);
}
