/** The SDK service scheduler's end-to-end set-up: one Cassandra-like service in the simulator. */
import type { KernelEvent, ScenarioInput } from '../../../kernel/src/index.js';
import { parseScenario, Simulation } from '../../../kernel/src/index.js';
import type { ServiceScheduler } from '../../../kernel/src/sdk/serviceScheduler.js';

export const node = (overrides: Record<string, unknown> = {}) => ({
  type: 'node',
  count: 3,
  placement: [['hostname', 'UNIQUE']],
  volumes: [{ type: 'ROOT', containerPath: 'data', sizeMb: 5000 }],
  tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessDelayMs: 10_000 }],
  ...overrides,
});

export function scenario(
  faults: unknown[] = [],
  pod: Record<string, unknown> = {},
  service: Record<string, unknown> = {},
  durationMs = 200_000,
): ScenarioInput {
  return {
    name: 'sdk',
    durationMs,
    agents: [{ id: 'agent', count: 4, resources: { cpus: 4, mem: 8192, disk: 20480 } }],
    frameworks: [
      { id: 'db', role: 'db', kind: 'stateful', flavor: 'cassandra', service: { name: 'cassandra', pods: [node(pod)], ...service } },
    ],
    faults: faults as ScenarioInput['faults'],
  } as ScenarioInput;
}

export function start(input: ScenarioInput) {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (e) => events.push(e) });
  const scheduler = simulation.frameworks.get('db') as ServiceScheduler;
  const steps = () =>
    Object.fromEntries(
      scheduler
        .plans()
        .find((p) => p.name === 'deploy')!
        .phases.flatMap((phase) => phase.steps.map((s) => [s.name.split(':')[0], s.status])),
    );
  return { simulation, scheduler, events, steps };
}

export const conversions = (events: KernelEvent[], after = -1) =>
  events.flatMap((e) => (e.type === 'resources.converted' && e.atMs > after ? [`${e.operation}@${e.agentId}`] : []));
export const launches = (events: KernelEvent[], after = -1) =>
  events.flatMap((e) => (e.type === 'task.launched' && e.atMs > after ? [e.agentId] : []));
