/**
 * A Marathon forked with its model's store (forkMarathons.ts and the
 * `snapshot` field of a `service` framework): an app running in one
 * simulation stands for the live one; its store and tasks, as `allot fork`
 * reads them, give a fork in which the restored model owns the running
 * instances at time 0 (no launch) and replaces a drained agent's instance.
 * Bad snapshots are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import type { KernelEvent, ScenarioInput } from '../../../kernel/src/index.js';
import { forkScenario, parseScenario, Simulation } from '../../../kernel/src/index.js';
import type { MarathonFramework } from '../../../kernel/src/frameworks/service/marathonFramework.js';

type Json = Record<string, any>;

function start(input: unknown) {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors, null, 2));
  const events: KernelEvent[] = [];
  const simulation = new Simulation(parsed.scenario, { invariants: 'step', onEvent: (event) => events.push(event) });
  return { simulation, events, model: () => simulation.frameworks.get('marathon') as MarathonFramework };
}

/** A running app, and what a fork reads of it: the master's state and the model's store. */
function live() {
  const { simulation, model } = start({
    name: 'live',
    durationMs: 600_000,
    agents: [{ id: 'agent', count: 3, resources: { cpus: 2, mem: 2048 } }],
    frameworks: [{ id: 'marathon', role: 'web', kind: 'service', apps: [{ id: 'web', instances: 2, resources: { cpus: 1, mem: 256 } }] }],
  });
  simulation.runUntil(60_000);
  const tasks = [...simulation.master.frameworks.get('marathon')!.tasks.values()];
  expect(tasks.map((task) => task.state)).toEqual(['TASK_RUNNING', 'TASK_RUNNING']);
  const scalar = (name: string, value: number) => ({ name, type: 'SCALAR', scalar: { value } });
  const state = {
    get_agents: {
      agents: [...simulation.agents.keys()].map((id) => ({
        agent_info: { id: { value: id }, hostname: id },
        total_resources: [scalar('cpus', 2), scalar('mem', 2048)],
      })),
    },
    get_frameworks: { frameworks: [{ framework_info: { id: { value: 'marathon' }, name: 'marathon', roles: ['web'] } }] },
    get_tasks: {
      tasks: tasks.map((task) => ({
        task_id: { value: task.id },
        framework_id: { value: 'marathon' },
        agent_id: { value: task.agentId },
        state: task.state,
        resources: [scalar('cpus', 1), scalar('mem', 256)],
      })),
    },
  };
  return { state, answer: { frameworkId: 'marathon', atMs: simulation.nowMs, snapshot: model().snapshot() } };
}

function fork(answer: Json, state: Json): ScenarioInput {
  return forkScenario({ state, roles: { roles: [] }, masterUrl: 'http://master', marathons: [{ url: 'http://marathon', answer }] })
    .scenario;
}

const launched = (events: KernelEvent[]) => events.flatMap((e) => (e.type === 'task.launched' ? [e.agentId] : []));

describe('a Marathon forked with its store', () => {
  it('is a service framework with its apps, owning its running instances', () => {
    const { state, answer } = live();
    const input = fork(answer, state);
    expect(input.frameworks![0]).toMatchObject({ id: 'marathon', kind: 'service', apps: [{ id: 'web', instances: 2 }] });
    const { simulation, events } = start(input);
    simulation.runUntil(60_000);
    expect(launched(events)).toEqual([]);
    expect([...simulation.master.frameworks.get('marathon')!.tasks.values()].map((task) => task.state)).toEqual([
      'TASK_RUNNING',
      'TASK_RUNNING',
    ]);
  });

  it('replaces the instance of a drained agent elsewhere', () => {
    const { state, answer } = live();
    const input = fork(answer, state);
    const drained = answer.snapshot.apps[0].live[0].agentId as string;
    input.faults = [{ atMs: 1000, type: 'agent.drain', agent: drained }];
    const { simulation, events } = start(input);
    simulation.runUntil(120_000);
    const onDrained = (answer.snapshot.apps[0].live as Json[]).filter((instance) => instance.agentId === drained).length;
    expect(launched(events)).toHaveLength(onDrained);
    expect(launched(events)).not.toContain(drained);
    const running = [...simulation.master.frameworks.get('marathon')!.tasks.values()].filter((task) => task.state === 'TASK_RUNNING');
    expect(running).toHaveLength(2);
  });

  it('refuses a snapshot that is not the store of its apps, naming the field', () => {
    const { state, answer } = live();
    const input = fork(answer, state) as Json;
    input.frameworks[0].snapshot.apps[0].live[0].state = 'RUNNING';
    input.frameworks[0].snapshot.apps[0].spec.instances = -1;
    const parsed = parseScenario(input);
    const messages = parsed.ok ? [] : parsed.errors.map((error) => `${error.path}: ${error.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.frameworks\[0\]\.snapshot\.apps\[0\]\.live\[0\]\.state: expected one of/),
        expect.stringMatching(/^\$\.frameworks\[0\]\.snapshot\.apps\[0\]\.spec\.instances: expected an integer >= 0/),
      ]),
    );
    const other = fork(answer, state) as Json;
    other.frameworks[0].apps[0].id = 'api';
    const mismatch = parseScenario(other);
    expect(mismatch.ok ? [] : mismatch.errors.map((error) => `${error.path}: ${error.message}`)).toEqual([
      '$.frameworks[0].snapshot.apps: the snapshot\'s apps must be the framework\'s "apps"; missing api; not in "apps": web',
    ]);
  });
});
