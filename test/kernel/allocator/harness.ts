/**
 * A small harness for master tests: a Master with a seed, helpers to add
 * agents and frameworks, tick, and read offers by framework.
 */
import type { Command, KernelEvent, Offer, ReservationInfo, ResourceSet, StepResult, Task, TaskState } from '../../../kernel/src/index.js';
import { reservedPart } from '../../../kernel/src/index.js';
import { createPrng, Master } from '../../../kernel/src/index.js';
import type { MasterOptions } from '../../../kernel/src/master/master.js';
import type { FrameworkCall } from '../../../kernel/src/schedulers/frameworkModel.js';

export class Harness {
  readonly master: Master;
  nowMs = 0;
  readonly events: KernelEvent[] = [];

  constructor(options: Partial<MasterOptions> = {}) {
    this.master = new Master({ prng: createPrng(1), decisionCycles: 3, ...options });
  }

  step(command: FrameworkCall): StepResult {
    const result = this.master.step({ ...command, nowMs: this.nowMs } as Command);
    this.events.push(...result.events);
    return result;
  }

  agent(id: string, resources: Record<string, number>, extra: Record<string, unknown> = {}): this {
    const result = this.step({ type: 'agent.add', agent: { id, resources, ...extra } } as FrameworkCall);
    if (!result.ok) throw new Error(result.rejection!.message);
    return this;
  }

  framework(id: string, roles: string[], extra: Record<string, unknown> = {}): this {
    const result = this.step({ type: 'framework.subscribe', framework: { id, roles, ...extra } });
    if (!result.ok) throw new Error(result.rejection!.message);
    return this;
  }

  /** Advances the clock and ticks; returns the offers made, keyed by framework. */
  tick(advanceMs = 0): Map<string, Offer[]> {
    this.nowMs += advanceMs;
    const result = this.step({ type: 'tick' });
    const offers = new Map<string, Offer[]>();
    for (const event of result.events) {
      if (event.type !== 'offer.made') continue;
      const list = offers.get(event.offer.frameworkId) ?? [];
      list.push(event.offer);
      offers.set(event.offer.frameworkId, list);
    }
    return offers;
  }

  decline(offer: Offer, refuseSeconds?: number): StepResult {
    return this.step({
      type: 'offer.decline',
      frameworkId: offer.frameworkId,
      offerIds: [offer.id],
      ...(refuseSeconds !== undefined ? { refuseSeconds } : {}),
    });
  }

  /** Launches one task with the given quantities (unreserved) from an offer. */
  launch(offer: Offer, taskId: string, quantities: Record<string, number>, refuseSeconds?: number): StepResult {
    const resources = { scalars: this.master.layout.vector(quantities), ports: [], reserved: [] };
    return this.step({
      type: 'offer.accept',
      frameworkId: offer.frameworkId,
      offerIds: [offer.id],
      operations: [{ type: 'LAUNCH', tasks: [{ taskId, resources }] }],
      ...(refuseSeconds !== undefined ? { refuseSeconds } : {}),
    });
  }

  /** A reserved part for `role` (dynamic unless said), optionally with a volume. */
  reserved(
    role: string,
    quantities: Record<string, number>,
    options: { labels?: Record<string, string>; volume?: string; stack?: ReservationInfo[] } = {},
  ): ResourceSet {
    const reservation: ReservationInfo = { role, type: 'DYNAMIC', ...(options.labels ? { labels: options.labels } : {}) };
    const stack = [...(options.stack ?? []), reservation];
    const volume = options.volume ? { persistenceId: options.volume, containerPath: 'data', mode: 'RW' as const } : undefined;
    return {
      scalars: this.master.layout.zero(),
      ports: [],
      reserved: [reservedPart(stack, this.master.layout.vector(quantities), [], volume)],
    };
  }

  unreserved(quantities: Record<string, number>): ResourceSet {
    return { scalars: this.master.layout.vector(quantities), ports: [], reserved: [] };
  }

  status(agentId: string, frameworkId: string, taskId: string, state: TaskState, uuid?: string): StepResult {
    return this.step({ type: 'task.status', agentId, frameworkId, taskId, state, ...(uuid ? { uuid } : {}) });
  }

  task(frameworkId: string, taskId: string): Task {
    return this.master.frameworks.get(frameworkId)!.tasks.get(taskId)!;
  }

  quantities(offer: Offer): Record<string, number> {
    return this.master.layout.quantities(offer.resources.scalars);
  }

  share(frameworkId: string, role: string): number {
    return this.master.frameworks.get(frameworkId)!.clients.get(role)!.node.share;
  }
}
