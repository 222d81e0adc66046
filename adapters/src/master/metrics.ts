/**
 * `/metrics` in Prometheus text format (prom-client): counters fed from
 * kernel events as steps happen (allocation cycles, offers by outcome, task
 * launches and updates, status updates), an allocation latency histogram
 * (the wall time of each step that ran a cycle), and gauges read from the
 * cluster view at scrape time (tasks by state, agents, frameworks, per-role
 * dominant shares), and what the state store has taken. One registry per
 * master, so tests can run several.
 */
import type { Command, StepResult } from '@allot/kernel';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { clusterView } from './clusterView.js';
import type { MasterHost } from './masterHost.js';

export class MasterMetrics {
  readonly registry = new Registry();
  readonly #cycles: Counter;
  readonly #offers: Counter<'outcome'>;
  readonly #taskUpdates: Counter<'state'>;
  readonly #launched: Counter;
  readonly #latency: Histogram<'trigger'>;
  readonly #rejections: Counter<'code'>;

  constructor(host: MasterHost) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'allot_master_' });
    this.#cycles = new Counter({ name: 'allot_allocation_cycles_total', help: 'Allocation cycles run', registers });
    this.#offers = new Counter({ name: 'allot_offers_total', help: 'Offers by outcome', labelNames: ['outcome'], registers });
    this.#launched = new Counter({ name: 'allot_tasks_launched_total', help: 'Tasks launched', registers });
    this.#taskUpdates = new Counter({
      name: 'allot_task_updates_total',
      help: 'Task state changes by new state',
      labelNames: ['state'],
      registers,
    });
    this.#rejections = new Counter({
      name: 'allot_kernel_rejections_total',
      help: 'Commands the kernel rejected, by code',
      labelNames: ['code'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'allot_allocation_latency_seconds',
      help: 'Wall time of master steps that ran an allocation cycle',
      labelNames: ['trigger'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    // One view per scrape, not one per gauge: at 100,000 tasks a view costs hundreds of ms of the master's thread.
    let cached: { atMs: number; view: ReturnType<typeof clusterView> } | null = null;
    const view = () => {
      if (cached === null || performance.now() - cached.atMs > 250) cached = { atMs: performance.now(), view: clusterView(host) };
      return cached.view;
    };
    new Gauge({
      name: 'allot_tasks',
      help: 'Tasks the master knows, by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const [state, count] of Object.entries(view().taskStates)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'allot_agents',
      help: 'Agents by status',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        const counts: Record<string, number> = {};
        for (const agent of view().agents) counts[agent.status] = (counts[agent.status] ?? 0) + 1;
        for (const [status, count] of Object.entries(counts)) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'allot_frameworks',
      help: 'Frameworks by connection',
      labelNames: ['connected'],
      registers,
      collect() {
        this.reset();
        const frameworks = view().frameworks;
        this.set({ connected: 'true' }, frameworks.filter((framework) => framework.connected).length);
        this.set({ connected: 'false' }, frameworks.filter((framework) => !framework.connected).length);
      },
    });
    new Gauge({
      name: 'allot_role_dominant_share',
      help: 'Dominant share of the cluster held by each role (offered or allocated), unweighted',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        for (const entry of view().roles) this.set({ role: entry.name }, entry.share);
      },
    });
    new Gauge({
      name: 'allot_role_weighted_share',
      help: 'Dominant share divided by weight: what the DRF sorter compares',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        for (const entry of view().roles) this.set({ role: entry.name }, entry.weightedShare);
      },
    });
    // What the state store has taken since this master started: per-object writes, so flat per task launched.
    const storeCounter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    storeCounter(
      'allot_store_commits_total',
      'State store commits (one per step that changed an agent, framework, reservation or role)',
      () => host.storeStats.commits,
    );
    storeCounter('allot_store_writes_total', 'Keys written or deleted in the state store', () => host.storeStats.keysWritten);
    storeCounter('allot_store_bytes_written_total', 'Bytes of values written to the state store', () => host.storeStats.bytesWritten);
    new Gauge({
      name: 'allot_store_value_bytes_max',
      help: 'The largest value written to the state store since this master started',
      registers,
      collect() {
        this.set(host.storeStats.largestValueBytes);
      },
    });
    new Gauge({
      name: 'allot_offers_outstanding',
      help: 'Offers not yet answered',
      registers,
      collect() {
        this.set(host.master.offers.size);
      },
    });
  }

  observe(_command: Command, result: StepResult, durationSeconds: number): void {
    if (!result.ok && result.rejection) this.#rejections.inc({ code: result.rejection.code });
    for (const event of result.events) {
      switch (event.type) {
        case 'allocation.completed':
          this.#cycles.inc();
          this.#latency.observe({ trigger: event.trigger }, durationSeconds);
          break;
        case 'offer.made':
          this.#offers.inc({ outcome: 'made' });
          break;
        case 'offer.declined':
          this.#offers.inc({ outcome: 'declined' });
          break;
        case 'offer.accepted':
          this.#offers.inc({ outcome: 'accepted' }, event.offerIds.length);
          break;
        case 'offer.rescinded':
          this.#offers.inc({ outcome: 'rescinded' });
          break;
        case 'task.launched':
          this.#launched.inc();
          break;
        case 'task.updated':
          this.#taskUpdates.inc({ state: event.status.state });
          break;
        default:
          break;
      }
    }
  }
}
