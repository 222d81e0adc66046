/**
 * Unit-test kit for the SDK's parts: a service spec from its JSON form, a
 * ServiceState on a manual clock whose context records every call and runs
 * timers when the clock is moved, and offers built by hand.
 */
import type { Offer } from '../../../kernel/src/offers/offer.js';
import { ResourceLayout } from '../../../kernel/src/resources/layout.js';
import type { ReservedPart } from '../../../kernel/src/resources/resourceSet.js';
import type { FieldError } from '../../../kernel/src/schedulers/fieldReaders.js';
import type { FrameworkCall, SchedulerContext } from '../../../kernel/src/schedulers/frameworkModel.js';
import type { ServiceSpec } from '../../../kernel/src/sdk/serviceSpec.js';
import { readServiceSpec } from '../../../kernel/src/sdk/serviceSpecReader.js';
import { ServiceState } from '../../../kernel/src/sdk/serviceState.js';

export const layout = ResourceLayout.create();

export function serviceSpec(input: Record<string, unknown>): ServiceSpec {
  const errors: FieldError[] = [];
  const spec = readServiceSpec({ name: 'svc', ...input }, '$', errors);
  if (errors.length > 0 || !spec) throw new Error(JSON.stringify(errors));
  return spec;
}

/** One pod type `node` of `count` instances, one RUNNING task `server` (cpus 1, mem 256), no volume. */
export function nodeSpec(count = 2, pod: Record<string, unknown> = {}, service: Record<string, unknown> = {}): ServiceSpec {
  return serviceSpec({
    pods: [{ type: 'node', count, tasks: [{ name: 'server', cpus: 1, memMb: 256 }], ...pod }],
    ...service,
  });
}

export interface ManualContext extends SchedulerContext {
  readonly calls: FrameworkCall[];
  /** Moves the clock to `atMs`, running every timer due by then in time order. */
  advance(atMs: number): void;
  /** The calls of one type, in order. */
  callsOf<T extends FrameworkCall['type']>(type: T): Array<Extract<FrameworkCall, { type: T }>>;
}

export function manualContext(): ManualContext {
  let nowMs = 0;
  const timers: Array<{ atMs: number; run: () => void; order: number }> = [];
  let order = 0;
  const calls: FrameworkCall[] = [];
  return {
    get nowMs() {
      return nowMs;
    },
    layout,
    calls,
    send: (call) => calls.push(call),
    schedule: (atMs, run) => timers.push({ atMs: Math.max(atMs, nowMs), run, order: order++ }),
    advance(atMs) {
      for (;;) {
        timers.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
        const next = timers[0];
        if (!next || next.atMs > atMs) break;
        timers.shift();
        nowMs = next.atMs;
        next.run();
      }
      nowMs = atMs;
    },
    callsOf: (type) => calls.filter((call) => call.type === type) as never,
  };
}

export function stateFor(spec: ServiceSpec, context = manualContext()): { state: ServiceState; context: ManualContext } {
  const state = new ServiceState('fw', 'svc-role', spec);
  state.context = context;
  return { state, context };
}

let offerNumber = 0;

export function offer(
  agentId: string,
  quantities: Record<string, number>,
  reserved: ReservedPart[] = [],
  ports: Array<[number, number]> = [],
): Offer {
  return {
    id: `o${++offerNumber}`,
    frameworkId: 'fw',
    role: 'svc-role',
    agentId,
    hostname: `${agentId}.example`,
    attributes: {},
    agentIndex: 0,
    clientIndex: 0,
    resources: { scalars: layout.vector(quantities), ports, reserved },
    createdAtMs: 0,
  };
}
