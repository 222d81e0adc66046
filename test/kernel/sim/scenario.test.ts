import { describe, expect, it } from 'vitest';
import { type ScenarioInput, parseScenario } from '../../../kernel/src/sim/scenario.js';
import { builtinScenarios, findBuiltinScenario } from '../../../kernel/src/sim/scenarios/index.js';
import { errorsOf, minimal, scenarioOf } from './scenarioInputs.js';

describe('built-in scenarios', () => {
  it.each(builtinScenarios.map((scenario) => [scenario.name, scenario]))('%s validates', (_name, input) => {
    const result = parseScenario(input);

    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(builtinScenarios.map((scenario) => [scenario.name, scenario]))(
    '%s is plain JSON with a one-sentence description',
    (_name, input) => {
      const roundTripped = JSON.parse(JSON.stringify(input)) as ScenarioInput;

      expect(roundTripped).toEqual(input);
      expect(input.description).toMatch(/^[A-Z][\s\S]*\.$/);
      expect(input.description?.slice(0, -1)).not.toMatch(/\.\s/);
    },
  );

  it('have unique names, found by findBuiltinScenario', () => {
    const names = builtinScenarios.map((scenario) => scenario.name);

    // The first built-ins, in order; framework kinds add theirs after these.
    expect(names.slice(0, 9)).toEqual([
      'drf-paper',
      'weighted-roles',
      'quota-guarantee',
      'decline-filters',
      'hierarchical-roles',
      'agent-crash',
      'partition-heal',
      'master-failover',
      'persistent-volume',
    ]);
    expect(new Set(names).size).toBe(names.length);
    expect(findBuiltinScenario('chaos:7')?.name).toBe('chaos:7');
    expect(findBuiltinScenario('drf-paper')).toBe(builtinScenarios[0]);
    expect(findBuiltinScenario('nope')).toBeUndefined();
  });

  it('drf-paper is the NSDI 2011 example', () => {
    const scenario = scenarioOf(parseScenario(findBuiltinScenario('drf-paper')));

    expect(scenario.durationMs).toBe(60000);
    expect(scenario.agents).toEqual([
      { id: 'agent', hostname: 'agent', resources: { cpus: 9, mem: 18432 }, ports: [], attributes: {}, reservations: [] },
    ]);
    expect(
      scenario.frameworks.map((f) => [
        f.id,
        f.role,
        f.tasks.count,
        f.tasks.resources,
        f.tasks.durationMs,
        f.maxTasksPerOffer,
        f.refuseSeconds,
      ]),
    ).toEqual([
      ['A', 'a', 100, { cpus: 1, mem: 4096 }, null, 1, 5],
      ['B', 'b', 100, { cpus: 3, mem: 1024 }, null, 1, 5],
    ]);
  });
});

describe('defaults', () => {
  it('fills in every default of a minimal file', () => {
    const scenario = scenarioOf(parseScenario(minimal()));

    expect(scenario).toEqual({
      name: 'tiny',
      description: '',
      seed: 1,
      durationMs: 10000,
      allocationIntervalMs: 1000,
      allocator: {
        roleSorter: 'drf',
        frameworkSorter: 'drf',
        fairSharingExcludedResourceNames: [],
        minAllocatable: [{ cpus: 0.01 }, { mem: 32 }],
        offerTimeoutMs: null,
      },
      roles: [],
      agents: [{ id: 'agent', hostname: 'agent', resources: { cpus: 4, mem: 4096 }, ports: [], attributes: {}, reservations: [] }],
      frameworks: [
        {
          id: 'A',
          name: 'A',
          role: 'a',
          kind: 'batch',
          tasks: { count: 2, resources: { cpus: 1 }, ports: 0, durationMs: null },
          maxTasksPerOffer: 1,
          refuseSeconds: 5,
          capabilities: [],
          partitionAware: false,
          relaunch: false,
          startAtMs: 0,
        },
      ],
      faults: [],
    });
  });

  it('keeps what the file says over the defaults', () => {
    const input = {
      ...minimal(),
      seed: 42,
      allocationIntervalMs: 250,
      allocator: { roleSorter: 'random', offerTimeoutMs: 30000, fairSharingExcludedResourceNames: ['gpus'] },
      roles: [{ name: 'a', weight: 3, quota: { limit: { cpus: 2 } } }],
    };

    const scenario = scenarioOf(parseScenario(input));

    expect(scenario.seed).toBe(42);
    expect(scenario.allocationIntervalMs).toBe(250);
    expect(scenario.allocator).toEqual({
      roleSorter: 'random',
      frameworkSorter: 'drf',
      fairSharingExcludedResourceNames: ['gpus'],
      minAllocatable: [{ cpus: 0.01 }, { mem: 32 }],
      offerTimeoutMs: 30000,
    });
    expect(scenario.roles).toEqual([{ name: 'a', weight: 3, quota: { limit: { cpus: 2 } } }]);
  });

  it('does not share the default allocator objects between scenarios', () => {
    const first = scenarioOf(parseScenario(minimal()));
    first.allocator.minAllocatable.push({ disk: 1 });

    const second = scenarioOf(parseScenario(minimal()));

    expect(second.allocator.minAllocatable).toEqual([{ cpus: 0.01 }, { mem: 32 }]);
  });

  it('adds the PARTITION_AWARE capability when partitionAware is set, and reads it back from capabilities', () => {
    const input = {
      ...minimal(),
      frameworks: [
        { id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } }, partitionAware: true },
        {
          id: 'B',
          role: 'b',
          kind: 'batch',
          tasks: { count: 1, resources: { cpus: 1 } },
          capabilities: ['PARTITION_AWARE', 'GPU_RESOURCES'],
        },
      ],
    };

    const [a, b] = scenarioOf(parseScenario(input)).frameworks;

    expect([a.capabilities, a.partitionAware]).toEqual([['PARTITION_AWARE'], true]);
    expect([b.capabilities, b.partitionAware]).toEqual([['PARTITION_AWARE', 'GPU_RESOURCES'], true]);
  });
});

describe('agent count', () => {
  it('expands count > 1 into id-1 .. id-n with their own hostnames and copies', () => {
    const input = {
      ...minimal(),
      agents: [
        {
          id: 'node',
          count: 3,
          resources: { cpus: 2 },
          ports: [[31000, 31009]],
          attributes: { rack: 'r1' },
          reservations: [{ role: 'a', resources: { cpus: 1 } }],
        },
        { id: 'big', count: 2, hostname: 'big.example', resources: { cpus: 8 } },
        { id: 'solo', count: 1, resources: { cpus: 1 } },
      ],
    };

    const agents = scenarioOf(parseScenario(input)).agents;
    agents[0].resources.cpus = 99;
    agents[0].reservations[0].resources.cpus = 0;

    expect(agents.map((agent) => [agent.id, agent.hostname])).toEqual([
      ['node-1', 'node-1'],
      ['node-2', 'node-2'],
      ['node-3', 'node-3'],
      ['big-1', 'big.example-1'],
      ['big-2', 'big.example-2'],
      ['solo', 'solo'],
    ]);
    expect(agents[1]).toEqual({
      id: 'node-2',
      hostname: 'node-2',
      resources: { cpus: 2 },
      ports: [[31000, 31009]],
      attributes: { rack: 'r1' },
      reservations: [{ role: 'a', resources: { cpus: 1 }, ports: [], labels: {} }],
    });
  });

  it('rejects ids that collide after expansion', () => {
    const input = {
      ...minimal(),
      agents: [
        { id: 'a', count: 2, resources: {} },
        { id: 'a-2', resources: {} },
      ],
    };

    expect(errorsOf(input)).toEqual([{ path: '$.agents[1].id', message: 'duplicate agent id "a-2" (also made by $.agents[0])' }]);
  });

  it('rejects a count that is not a positive integer or is absurdly large', () => {
    const input = {
      ...minimal(),
      agents: [
        { id: 'a', count: 0, resources: {} },
        { id: 'b', count: 1e9, resources: {} },
      ],
    };

    expect(errorsOf(input)).toEqual([
      { path: '$.agents[0].count', message: 'expected an integer from 1 to 100000, got 0' },
      { path: '$.agents[1].count', message: 'expected an integer from 1 to 100000, got 1000000000' },
    ]);
  });
});
