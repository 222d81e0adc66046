/**
 * An SDK service forked with its scheduler's state store (forkServices.ts and
 * the `snapshot` field of a stateful framework): a service deployed in one
 * simulation stands for the live one; its store and tasks, as `allot fork`
 * reads them, give a fork in which the restored scheduler owns the running
 * tasks at time 0 (no launch), its deploy plan is COMPLETE, and a drained
 * agent's pod is replaced by the recovery plan once its failure timeout has
 * passed (with the reasons it waits before). Bad snapshots are refused
 * naming the field.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent, ScenarioInput } from '../../../kernel/src/index.js';
import { forkScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';
import type { ServiceScheduler } from '../../../kernel/src/sdk/serviceScheduler.js';
import { scenario as serviceScenario, start } from '../sdk/serviceHarness.js';

type Json = Record<string, any>;

/** A deployed service, and what a fork reads of it: the master's state and the service's store. */
function live() {
  const { simulation, scheduler } = start(serviceScenario([], {}, { failureTimeoutMs: 60_000 }, 600_000));
  simulation.runUntil(120_000);
  expect(scheduler.plans().find((plan) => plan.name === 'deploy')?.status).toBe('COMPLETE');
  const tasks = [...simulation.master.frameworks.get('db')!.tasks.values()];
  const state = {
    get_agents: {
      agents: [...simulation.agents.keys()].map((id) => ({
        agent_info: { id: { value: id }, hostname: id },
        total_resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
          { name: 'mem', type: 'SCALAR', scalar: { value: 8192 } },
          { name: 'disk', type: 'SCALAR', scalar: { value: 20480 } },
        ],
      })),
    },
    get_frameworks: { frameworks: [{ framework_info: { id: { value: 'db' }, name: 'cassandra', roles: ['db'] } }] },
    get_tasks: {
      tasks: tasks.map((task) => ({
        task_id: { value: task.id },
        framework_id: { value: 'db' },
        agent_id: { value: task.agentId },
        state: task.state,
        resources: [
          { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
          { name: 'mem', type: 'SCALAR', scalar: { value: 2048 } },
        ],
      })),
    },
  };
  const answer = { frameworkId: 'db', atMs: simulation.nowMs, snapshot: scheduler.snapshot() };
  return { state, answer, scheduler };
}

function fork(answer: Json, state: Json): ScenarioInput {
  return forkScenario({ state, roles: { roles: [] }, masterUrl: 'http://master', services: [{ url: 'http://svc', answer }] }).scenario;
}

function run(input: ScenarioInput, untilMs: number) {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (event) => events.push(event) });
  simulation.runUntil(untilMs);
  return { simulation, scheduler: simulation.frameworks.get('db') as ServiceScheduler, events };
}

const launchedAt = (events: KernelEvent[]) => events.flatMap((e) => (e.type === 'task.launched' ? [e.agentId] : []));

describe('an SDK service forked with its state store', () => {
  it('is a stateful framework with the service spec, owning its running tasks with its deploy plan COMPLETE', () => {
    const { state, answer } = live();
    const input = fork(answer, state);
    const framework = input.frameworks![0] as Json;
    expect(framework).toMatchObject({ id: 'db', role: 'db', kind: 'stateful', service: { name: 'cassandra' } });
    expect(framework.tasks).toBeUndefined();
    expect(framework.service.pods[0].constraints).toBeUndefined();
    const { scheduler, events, simulation } = run(input, 60_000);
    expect(launchedAt(events)).toEqual([]);
    expect(scheduler.plans().find((plan) => plan.name === 'deploy')?.status).toBe('COMPLETE');
    expect([...simulation.master.frameworks.get('db')!.tasks.values()].map((task) => task.state)).toEqual([
      'TASK_RUNNING',
      'TASK_RUNNING',
      'TASK_RUNNING',
    ]);
  });

  it('replaces the pod of a drained agent through the recovery plan', () => {
    const { state, answer } = live();
    const input = fork(answer, state);
    const instance = (answer.snapshot.instances as Json[]).find((entry) => entry.name === 'node-0')!;
    input.faults = [{ atMs: 1000, type: 'agent.drain', agent: instance.agentId }];
    // Relaunched in place first (its reservations are there), replaced elsewhere once the failure timeout has passed.
    const waiting = run(input, 30_000)
      .scheduler.plans()
      .find((plan) => plan.name === 'recovery');
    expect(waiting?.phases[0].steps[0].reasons).toContain(
      `agent-2: placement: node-0's reservations and volumes are on ${instance.agentId}, not agent-2`,
    );
    const { scheduler, events } = run(input, 300_000);
    const launched = launchedAt(events);
    expect(launched).toHaveLength(1);
    expect(launched[0]).not.toBe(instance.agentId);
    const recovery = scheduler.plans().find((plan) => plan.name === 'recovery');
    expect(recovery?.phases.flatMap((phase) => phase.steps.map((step) => step.name))).toEqual([expect.stringMatching(/^node-0/)]);
    expect(recovery?.status).toBe('COMPLETE');
    expect(scheduler.instances.get('node-0')?.agentId).toBe(launched[0]);
  });

  it('refuses a snapshot that is not a state store, naming the field', () => {
    const { state, answer } = live();
    const input = fork(answer, state) as Json;
    const snapshot = input.frameworks[0].snapshot;
    snapshot.targetConfigId = 7;
    snapshot.instances[0].podType = 'nope';
    snapshot.plans[0].phases[0].steps[0].status = 'DONE';
    const parsed = parseScenario(input);
    expect(parsed.ok).toBe(false);
    const messages = parsed.ok ? [] : parsed.errors.map((error) => `${error.path}: ${error.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '$.frameworks[0].snapshot.targetConfigId: no config 7 in "configs"',
        '$.frameworks[0].snapshot.instances[0].podType: no pod "nope" in any of the snapshot\'s configs',
        expect.stringMatching(/^\$\.frameworks\[0\]\.snapshot\.plans\[0\]\.phases\[0\]\.steps\[0\]\.status: expected one of/),
      ]),
    );
    input.frameworks[0].snapshot = { configs: 'x' };
    const bad = parseScenario(input);
    expect(bad.ok ? [] : bad.errors.map((error) => error.path)).toEqual(
      expect.arrayContaining(['$.frameworks[0].snapshot.configs', '$.frameworks[0].snapshot.targetConfigId']),
    );
  });

  it('leaves out a service whose framework the master does not have, and says so', () => {
    const { state, answer } = live();
    const result = forkScenario({
      state,
      roles: { roles: [] },
      masterUrl: 'http://master',
      services: [{ url: 'http://svc', answer: { ...answer, frameworkId: 'other' } }],
    });
    expect(result.scenario.frameworks![0]).toMatchObject({ kind: 'batch' });
    expect(result.notes).toContain('service http://svc: its framework other is not registered with the master; left out');
  });
});
