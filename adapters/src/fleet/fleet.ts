/**
 * A fleet of simulated agents in one process (the KWOK / kubemark of allot):
 * N FleetAgents speaking the real agent protocol to a real master, with one
 * shared interval driving every agent's connection attempts (at most
 * `connectConcurrency` subscriptions being opened at a time, so that a
 * failover does not turn into ten thousand simultaneous requests), silence
 * watchdogs and status update resends. Tasks are timers, not processes.
 */
import { agentResourcesJson } from '../agentDaemon/resourcesJson.js';
import { parseAttributes, parseResources } from '../agent/resources.js';
import type { FleetAgentPhase, FleetContext, FleetCounters } from './fleetAgent.js';
import { FleetAgent } from './fleetAgent.js';
import { FleetTransport } from './fleetTransport.js';

export interface FleetOptions {
  /** One master URL or several comma-separated (HA masters: followers redirect to the leader). */
  masterUrl: string;
  agents: number;
  /** Mesos syntax, the same for every agent. */
  resources?: string;
  attributes?: string;
  /** Tasks report TASK_FINISHED after this long; null (default) = they run until killed. */
  taskDurationMs?: number | null;
  /** Agent ids are `<idPrefix>-<index>`: the same prefix makes a restarted fleet the same agents. */
  idPrefix?: string;
  secret?: string | null;
  /** Subscriptions being opened at once (default 64). */
  connectConcurrency?: number;
  tickMs?: number;
}

export const DEFAULT_FLEET_RESOURCES = 'cpus:8;mem:16384;disk:100000;ports:[31000-32000]';

export interface FleetStats {
  agents: number;
  phases: Record<FleetAgentPhase, number>;
  liveTasks: number;
  pendingUpdates: number;
  counters: FleetCounters;
  rssBytes: number;
  heapUsedBytes: number;
  /** (RSS now − RSS before the agents existed) / agents: what one simulated agent costs. */
  rssBytesPerAgent: number;
  heapBytesPerAgent: number;
}

export type FleetCreateResult = { ok: true; fleet: Fleet } | { ok: false; code: string; message: string };

export class Fleet {
  readonly agents: FleetAgent[] = [];
  readonly counters: FleetCounters = {
    subscriptions: 0,
    resubscriptions: 0,
    disconnects: 0,
    refusals: 0,
    launches: 0,
    kills: 0,
    updatesSent: 0,
    updatesRefused: 0,
    acknowledgements: 0,
  };
  readonly stopReasons = new Map<string, string>();
  readonly #transport: FleetTransport;
  readonly #connectConcurrency: number;
  readonly #tickMs: number;
  readonly #baseline = process.memoryUsage();
  readonly #context: FleetContext;
  #timer: NodeJS.Timeout | null = null;

  static create(options: FleetOptions): FleetCreateResult {
    if (!(Number.isInteger(options.agents) && options.agents >= 1 && options.agents <= 100_000))
      return { ok: false, code: 'invalid_agents', message: `--agents: expected a whole number 1..100000, got ${options.agents}` };
    const origins = options.masterUrl
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url.length > 0);
    for (const url of origins)
      if (!/^https?:\/\/[^/\s,]+\/?$/.test(url))
        return { ok: false, code: 'invalid_master', message: `--master: expected a URL like http://127.0.0.1:5050, got "${url}"` };
    if (origins.length === 0) return { ok: false, code: 'invalid_master', message: '--master: at least one master URL is required' };
    const resources = parseResources(options.resources ?? DEFAULT_FLEET_RESOURCES);
    if (!resources.ok) return { ok: false, code: resources.code, message: `--resources: ${resources.message}` };
    const attributes = parseAttributes(options.attributes ?? '');
    if (!attributes.ok) return { ok: false, code: attributes.code, message: `--attributes: ${attributes.message}` };
    const duration = options.taskDurationMs ?? null;
    if (duration !== null && !(Number.isFinite(duration) && duration >= 0))
      return { ok: false, code: 'invalid_duration', message: `--task-duration: expected a number of ms >= 0, got ${duration}` };
    const prefix = options.idPrefix ?? `fleet-${Math.random().toString(36).slice(2, 8)}`;
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(prefix))
      return {
        ok: false,
        code: 'invalid_prefix',
        message: `--id-prefix: expected 1-100 letters, digits, ".", "_" or "-", got "${prefix}"`,
      };
    const fleet = new Fleet(
      origins.map((url) => new URL(url).origin),
      options,
    );
    const resourcesJson = agentResourcesJson(resources.value);
    for (let index = 0; index < options.agents; index++) {
      const id = `${prefix}-${index}`;
      const config = {
        id,
        hostname: `${id}.fleet`,
        port: 5051,
        resources: resourcesJson,
        attributes: { ...attributes.value },
        taskDurationMs: duration,
      };
      fleet.agents.push(new FleetAgent(config, fleet.#context));
    }
    return { ok: true, fleet };
  }

  private constructor(origins: string[], options: FleetOptions) {
    this.#transport = new FleetTransport({ secret: options.secret ?? null });
    this.#connectConcurrency = options.connectConcurrency ?? 64;
    this.#tickMs = options.tickMs ?? 100;
    // One context shared by every agent: a closure per agent would cost memory ten thousand times.
    this.#context = {
      transport: this.#transport,
      masterOrigins: origins,
      counters: this.counters,
      now: () => Date.now(),
      stopped: (agent, reason) => {
        this.stopReasons.set(agent.config.id, reason);
        agent.stop(reason);
      },
    };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#tickMs);
    this.#tick();
  }

  #tick(): void {
    const now = Date.now();
    let connecting = 0;
    for (const agent of this.agents) if (agent.phase === 'connecting') connecting++;
    for (const agent of this.agents) {
      if (agent.phase === 'waiting' && now >= agent.nextAttemptAtMs && connecting < this.#connectConcurrency) {
        agent.connect();
        connecting++;
      } else agent.tick(now);
    }
  }

  stats(): FleetStats {
    const phases: Record<FleetAgentPhase, number> = { waiting: 0, connecting: 0, subscribed: 0, stopped: 0 };
    let liveTasks = 0;
    let pendingUpdates = 0;
    for (const agent of this.agents) {
      phases[agent.phase]++;
      liveTasks += agent.liveTasks;
      pendingUpdates += agent.pendingUpdates;
    }
    const memory = process.memoryUsage();
    const agents = this.agents.length;
    return {
      agents,
      phases,
      liveTasks,
      pendingUpdates,
      counters: { ...this.counters },
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      rssBytesPerAgent: Math.round((memory.rss - this.#baseline.rss) / agents),
      heapBytesPerAgent: Math.round((memory.heapUsed - this.#baseline.heapUsed) / agents),
    };
  }

  /** Resolves once `count` agents (default all) are subscribed; rejects after `timeoutMs`. */
  async whenSubscribed(count = this.agents.length, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const subscribed = this.agents.reduce((sum, agent) => sum + (agent.phase === 'subscribed' ? 1 : 0), 0);
      if (subscribed >= count) return;
      if (Date.now() > deadline) throw new Error(`only ${subscribed} of ${count} fleet agents subscribed within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const agent of this.agents) agent.stop('the fleet stopped');
    this.#transport.close();
  }
}
