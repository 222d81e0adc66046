/**
 * "Connect to a master": reads a running `allot master` instead of the
 * simulator. The live event stream (`GET /api/v1/events`, SSE) gives the
 * cluster snapshot every second and every kernel event; the operator API's
 * GET_STATE (`POST /api/v1`) gives the task list, and `GET /explain/matrix`
 * the framework × agent matrix, both polled every 2 s. Every snapshot adds a
 * point to the shares over time, and the offers made since the previous one
 * to the offers per snapshot. All of it is open to any origin for reads
 * (adapters/src/master/readOnlyCors.ts, explainApi.ts).
 */
import type { ForkResult } from '@allot/kernel';
import { forkScenario } from '@allot/kernel';

export interface LiveAgent {
  id: string;
  hostname: string;
  status: string;
  /** The live stream's resource descriptions (kernel describeResourceSet): scalars, ports, reserved parts. */
  total: { scalars: Record<string, number> } | null;
  free: { scalars: Record<string, number> } | null;
  allocated: Record<string, number>;
  tasks: number;
}

export interface LiveSnapshot {
  nowMs: number;
  agents: LiveAgent[];
  frameworks: { id: string; name: string; connected: boolean; share: number; tasks: Record<string, number> }[];
  cluster: { agents: number; agentsActive: number; utilization: Record<string, number> };
  taskStates: Record<string, number>;
}

export interface LiveTask {
  id: string;
  name: string;
  frameworkId: string;
  agentId: string;
  state: string;
}

export interface LiveEvent {
  seq: number;
  type: string;
  text: string;
}

/** One cell of GET /explain/matrix: a framework on an agent, the outcome first. */
export interface MatrixCell {
  framework_id: string;
  agent_id: string;
  outcome: string;
  reasons: { code: string; message: string; role?: string }[];
}

export interface LiveMatrix {
  now_ms: number;
  cycle: number | null;
  frameworks: string[];
  agents: string[];
  summary: Record<string, Record<string, number>>;
  cells: MatrixCell[];
}

/** Shares at one snapshot: framework id to dominant share. */
export interface SharePoint {
  nowMs: number;
  shares: Record<string, number>;
}

const EVENTS_KEPT = 300;
const POINTS_KEPT = 120;

/** The master's address, as typed: trims, adds http:// and drops a trailing slash. */
export function normaliseMasterUrl(text: string): string {
  const trimmed = text.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
}

/** One line for a kernel event as the live stream (and a replay) gives it. */
export function describeLiveEvent(event: Record<string, any>): string {
  const parts: string[] = [];
  for (const key of ['agentId', 'frameworkId', 'taskId'])
    if (typeof event[key] === 'string') parts.push(`${key.replace('Id', '')} ${event[key]}`);
  if (event.offer) parts.push(`offer ${event.offer.id} to ${event.offer.frameworkId} on ${event.offer.hostname}`);
  if (event.status?.state) parts.push(`${event.status.taskId ?? ''} ${event.status.state}`.trim());
  return parts.join(' · ');
}

export class MasterClient {
  readonly url: string;
  status = $state<'connecting' | 'connected' | 'error'>('connecting');
  error = $state<string | null>(null);
  snapshot = $state.raw<LiveSnapshot | null>(null);
  tasks = $state.raw<LiveTask[]>([]);
  events = $state.raw<LiveEvent[]>([]);
  /** Agents counted by outcome per framework (no cells: cheap at 10,000 agents). */
  matrix = $state.raw<LiveMatrix | null>(null);
  /** The cells of one framework, the one picked in EXPLAIN (null: the first). */
  matrixFramework = $state<string | null>(null);
  matrixCells = $state.raw<LiveMatrix['cells']>([]);
  matrixError = $state<string | null>(null);
  shareHistory = $state.raw<SharePoint[]>([]);
  /** Offers made between consecutive snapshots, oldest first. */
  offersPerSnapshot = $state.raw<{ nowMs: number; offers: number }[]>([]);
  #offersSinceSnapshot = 0;
  #source: EventSource | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(url: string) {
    this.url = normaliseMasterUrl(url);
  }

  connect(): void {
    const source = new EventSource(`${this.url}/api/v1/events`);
    this.#source = source;
    source.addEventListener('hello', () => {
      this.status = 'connected';
      this.error = null;
    });
    source.addEventListener('snapshot', (message) => {
      const snapshot = JSON.parse((message as MessageEvent<string>).data) as LiveSnapshot;
      this.snapshot = snapshot;
      const shares = Object.fromEntries(snapshot.frameworks.map((framework) => [framework.id, framework.share ?? 0]));
      this.shareHistory = [...this.shareHistory, { nowMs: snapshot.nowMs, shares }].slice(-POINTS_KEPT);
      this.offersPerSnapshot = [...this.offersPerSnapshot, { nowMs: snapshot.nowMs, offers: this.#offersSinceSnapshot }].slice(
        -POINTS_KEPT,
      );
      this.#offersSinceSnapshot = 0;
    });
    source.addEventListener('kernel', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as Record<string, any>;
      if (event.type === 'offer.made') this.#offersSinceSnapshot++;
      const next = [{ seq: event.seq, type: event.type, text: describeLiveEvent(event) }, ...this.events];
      this.events = next.length > EVENTS_KEPT ? next.slice(0, EVENTS_KEPT) : next;
    });
    // EventSource reconnects by itself; say so meanwhile.
    source.onerror = () => {
      this.status = 'error';
      this.error = `cannot read ${this.url}/api/v1/events (retrying)`;
    };
    void this.#poll();
    this.#timer = setInterval(() => void this.#poll(), 2000);
  }

  async #poll(): Promise<void> {
    await Promise.all([this.#pollState(), this.#pollMatrix()]);
  }

  async #pollMatrix(): Promise<void> {
    try {
      const summary = await this.#getMatrix('?view=summary');
      if (!summary) return;
      this.matrix = summary;
      const framework =
        this.matrixFramework !== null && summary.frameworks.includes(this.matrixFramework) ? this.matrixFramework : summary.frameworks[0];
      const row = framework === undefined ? null : await this.#getMatrix(`?framework_id=${encodeURIComponent(framework)}`);
      this.matrixCells = row?.cells ?? [];
      this.matrixError = null;
    } catch {
      // Unreachable: the event stream's error says so.
    }
  }

  async #pollState(): Promise<void> {
    try {
      const response = await fetch(`${this.url}/api/v1`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ type: 'GET_STATE' }),
      });
      if (!response.ok) return;
      const body = (await response.json()) as { get_state?: { get_tasks?: Record<string, any[]> } };
      const groups = body.get_state?.get_tasks ?? {};
      const tasks: LiveTask[] = [];
      for (const list of Object.values(groups)) {
        for (const task of list ?? [])
          tasks.push({
            id: task.task_id?.value ?? '',
            name: task.name ?? '',
            frameworkId: task.framework_id?.value ?? '',
            agentId: task.agent_id?.value ?? '',
            state: task.state ?? '',
          });
      }
      this.tasks = tasks;
    } catch {
      // The event stream's error says the master is unreachable; nothing more to add here.
    }
  }

  /** Picks the framework whose agents EXPLAIN lists, and reads them now. */
  pickMatrixFramework(frameworkId: string): void {
    this.matrixFramework = frameworkId;
    void this.#pollMatrix();
  }

  async #getMatrix(query: string): Promise<LiveMatrix | null> {
    const response = await fetch(`${this.url}/explain/matrix${query}`, { headers: { Accept: 'application/json' } });
    if (!response.ok) {
      this.matrixError = `GET /explain/matrix answered ${response.status}: ${(await response.text()).slice(0, 200)}`;
      return null;
    }
    return (await response.json()) as LiveMatrix;
  }

  /**
   * The cluster as a scenario ("Fork into simulator"): GET_STATE, GET_ROLES and GET /fork/history through
   * forkScenario, as `allot fork`; the services shown beside the master (`allot service run` APIs) fork with their
   * scheduler's state (GET /v1/state/snapshot), as `allot fork --service`.
   */
  async fork(serviceUrls: readonly string[] = []): Promise<ForkResult> {
    const [state, roles, history, services] = await Promise.all([
      this.#operator('GET_STATE'),
      this.#operator('GET_ROLES'),
      this.#history(),
      Promise.all(serviceUrls.map((url) => serviceSnapshot(url))),
    ]);
    return forkScenario({ state: state.get_state, roles: roles.get_roles, masterUrl: this.url, history, services });
  }

  /** Task durations and declines as the master observed them; null from a master without the endpoint. */
  async #history(): Promise<Record<string, any> | null> {
    try {
      const response = await fetch(`${this.url}/fork/history`, { headers: { Accept: 'application/json' } });
      return response.ok ? ((await response.json()) as Record<string, any>) : null;
    } catch {
      return null;
    }
  }

  async #operator(type: string): Promise<Record<string, any>> {
    const response = await fetch(`${this.url}/api/v1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ type }),
    });
    if (!response.ok) throw new Error(`${type} answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
    return (await response.json()) as Record<string, any>;
  }

  dispose(): void {
    this.#source?.close();
    if (this.#timer) clearInterval(this.#timer);
  }
}

/** A service's state store, as `allot fork --service` reads it; a service that cannot be read fails the fork, naming it. */
async function serviceSnapshot(url: string): Promise<{ url: string; answer: Record<string, any> }> {
  const base = url.replace(/\/+$/, '');
  let response: Response;
  try {
    response = await fetch(`${base}/v1/state/snapshot`, { headers: { Accept: 'application/json' } });
  } catch (error) {
    throw new Error(`the service at ${base} cannot be read: ${(error as Error).message}`);
  }
  if (!response.ok) throw new Error(`the service at ${base} answered ${response.status} to GET /v1/state/snapshot`);
  return { url: base, answer: (await response.json()) as Record<string, any> };
}
