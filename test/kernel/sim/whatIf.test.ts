/**
 * Tasks running at time 0 (a fork's agents) and what-if edits on such a
 * scenario: drained agents' tasks move or get stuck with reasons, lost agents
 * lose them, and bad task entries are refused naming the field.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario, formatScenarioErrors } from '../../../kernel/src/sim/scenario.js';
import type { Scenario } from '../../../kernel/src/sim/scenario.js';
import { Simulation } from '../../../kernel/src/sim/simulation.js';
import { buildReport } from '../../../kernel/src/sim/report.js';
import { busiestAgents, runWhatIf } from '../../../kernel/src/sim/whatIf.js';

function fork(): Record<string, any> {
  return {
    name: 'fork',
    durationMs: 20_000,
    roles: [{ name: 'web', weight: 3 }],
    agents: [
      {
        id: 'a1',
        resources: { cpus: 2, mem: 1024 },
        tasks: [
          { id: 't1', framework: 'svc', resources: { cpus: 0.5, mem: 64 } },
          { id: 't2', framework: 'svc', resources: { cpus: 0.5, mem: 64 } },
        ],
      },
      { id: 'a2', resources: { cpus: 2, mem: 1024 } },
    ],
    frameworks: [
      {
        id: 'svc',
        role: 'web',
        kind: 'batch',
        tasks: { count: 0, resources: { cpus: 0.5, mem: 64 }, durationMs: null },
        relaunch: true,
        keepRunning: true,
        maxTasksPerOffer: 100,
      },
    ],
  };
}

function parsed(input: unknown): Scenario {
  const result = parseScenario(input);
  if (!result.ok) throw new Error(formatScenarioErrors(result.errors));
  return result.scenario;
}

describe('running tasks at time 0', () => {
  it('are running on their agents, owned by their framework, from the start', () => {
    const simulation = new Simulation(parsed(fork()), { invariants: 'tick' });
    simulation.runUntil(0);
    const report = buildReport(simulation);
    expect(report.frameworks[0]).toMatchObject({ id: 'svc', tasks: { TASK_RUNNING: 2 } });
    expect(report.cluster.allocated).toMatchObject({ cpus: 1, mem: 128 });
    expect([...simulation.master.frameworks.get('svc')!.tasks.values()].map((task) => task.agentId)).toEqual(['a1', 'a1']);
  });

  it('refuses tasks that do not fit, of unknown frameworks, or on a counted agent', () => {
    const input = fork();
    input.agents[0].tasks.push({ id: 't3', framework: 'svc', resources: { cpus: 1.5 } });
    input.agents[1].tasks = [{ id: 'x', framework: 'nobody', resources: { cpus: 1 } }];
    input.agents.push({ id: 'many', count: 2, resources: { cpus: 1 }, tasks: [] });
    const result = parseScenario(input);
    expect(result.ok).toBe(false);
    const messages = result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/agents\[0\]\.tasks\[2\]\.resources\.cpus: the agent's running tasks would use 2.5 cpus, more than its 2/),
        expect.stringMatching(/tasks\[0\]\.framework: no framework "nobody"/),
        expect.stringMatching(/agents\[2\]\.tasks: running tasks belong to one agent/),
      ]),
    );
  });
});

describe('runWhatIf', () => {
  it('moves the tasks of a drained agent to the other one', () => {
    const outcome = runWhatIf(parsed(fork()), { drain: ['a1'] });
    expect(outcome.edits).toEqual(['drain a1 at 1000 ms']);
    expect(outcome.frameworks[0]).toMatchObject({
      runningBefore: 2,
      runningUnchanged: 2,
      runningWhatIf: 2,
      movedTo: { a2: 2 },
      stuck: 0,
      lost: 0,
    });
    expect(outcome.whatIf.invariantViolations).toEqual([]);
  });

  it('reports tasks stuck, with the reasons by agent, when every agent drains', () => {
    const outcome = runWhatIf(parsed(fork()), { drain: ['a1', 'a2'] });
    expect(outcome.frameworks[0]).toMatchObject({ runningWhatIf: 0, stuck: 2, stuckReasons: { 'agent draining': 2 } });
  });

  it('loses the busiest agent for good with --remove-agents 1', () => {
    const scenario = parsed(fork());
    expect(busiestAgents(scenario, 1)).toEqual(['a1']);
    const outcome = runWhatIf(scenario, { remove: ['a1'] });
    expect(outcome.frameworks[0]).toMatchObject({ runningWhatIf: 2, movedTo: { a2: 2 } });
  });

  it('refuses edits naming what the scenario does not have', () => {
    expect(() => runWhatIf(parsed(fork()), { drain: ['nope'] })).toThrow(/no agent "nope"/);
    expect(() => runWhatIf(parsed(fork()), { quotaLimits: [{ role: 'db', limit: { cpus: 1 } }] })).toThrow(/no role "db"/);
  });

  it('a quota limit below what runs leaves the framework where the limit allows', () => {
    const outcome = runWhatIf(parsed(fork()), { drain: ['a1'], quotaLimits: [{ role: 'web', limit: { cpus: 0.5 } }] });
    expect(outcome.frameworks[0]).toMatchObject({ runningWhatIf: 1, stuck: 1 });
    // Under its cpus limit the role is still offered a2's memory, which the framework declines: a2 says "filtered".
    expect(outcome.frameworks[0].stuckReasons).toEqual({ 'agent draining': 1, filtered: 1 });
  });
});
