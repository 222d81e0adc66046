import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScenarioErrors, parseScenario } from '../../../kernel/src/sim/scenario.js';
import { errorsOf, minimal, scenarioOf } from './scenarioInputs.js';

describe('errors: what was expected and what was found, at the exact path', () => {
  it('reports a value of the wrong type', () => {
    const input = minimal();
    input.frameworks = [
      { id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } } },
      { id: 'B', role: 'b', kind: 'batch', tasks: { count: 1, resources: { cpus: 'two' } } },
    ];

    expect(errorsOf(input)).toEqual([
      { path: '$.frameworks[1].tasks.resources.cpus', message: 'expected a finite number >= 0, got "two"' },
    ]);
  });

  it('reports missing required fields', () => {
    expect(errorsOf({ agents: [{ resources: {} }] })).toEqual([
      { path: '$.name', message: 'missing required field; expected a non-empty string' },
      { path: '$.durationMs', message: 'missing required field; expected a finite number > 0' },
      { path: '$.agents[0].id', message: 'missing required field; expected a non-empty string' },
    ]);
  });

  it('refuses a scenario without agents, saying why and what to add', () => {
    const noAgent = {
      path: '$.agents',
      message:
        'a scenario needs at least one agent, listed here or added by an "agent.add" fault: without one no task can run; add e.g. { "id": "agent", "resources": { "cpus": 4, "mem": 8192 } }',
    };

    expect(errorsOf({ ...minimal(), agents: [] })).toEqual([noAgent]);
    expect(errorsOf({ ...minimal(), agents: undefined })).toEqual([noAgent]);
    const lateAgent = { atMs: 5000, type: 'agent.add', agent: { id: 'late', resources: { cpus: 4 } } };
    expect(parseScenario({ ...minimal(), agents: [], faults: [lateAgent] }).ok).toBe(true);
  });

  it('rejects a document that is not an object', () => {
    expect(errorsOf([1, 2])).toEqual([{ path: '$', message: 'expected an object, got [1,2]' }]);
  });

  it('reports unknown fields with the ones expected there, so typos are caught', () => {
    const input = {
      ...minimal(),
      agent: [],
      frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 }, duration: 5 } }],
    };

    expect(errorsOf(input)).toEqual([
      {
        path: '$.agent',
        message:
          'unknown field "agent"; expected one of "name", "description", "seed", "durationMs", "allocationIntervalMs", "allocator", "roles", "agents", "frameworks", "faults"',
      },
      {
        path: '$.frameworks[0].tasks.duration',
        message: 'unknown field "duration"; expected one of "count", "resources", "ports", "durationMs", "persistentVolume"',
      },
    ]);
  });

  it('rejects framework kinds that do not exist, naming the ones that do', () => {
    const input = { ...minimal(), frameworks: [{ id: 'A', role: 'a', kind: 'mapreduce', tasks: { count: 1, resources: { cpus: 1 } } }] };

    const errors = errorsOf(input);
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('$.frameworks[0].kind');
    expect(errors[0].message).toMatch(/^expected one of "batch"(, "[a-z]+")*, got "mapreduce"$/);
  });

  it('rejects bad resource quantities and names, and "ports" as a scalar', () => {
    const input = { ...minimal(), agents: [{ id: 'a', resources: { cpus: -1, mem: Infinity, ports: 10, '9lives': 1, 'disk space': 1 } }] };

    expect(errorsOf(input)).toEqual([
      { path: '$.agents[0].resources.cpus', message: 'expected a finite number >= 0, got -1' },
      { path: '$.agents[0].resources.mem', message: 'expected a finite number >= 0, got Infinity' },
      { path: '$.agents[0].resources.ports', message: '"ports" is a range resource, not a scalar; use the "ports" field for port ranges' },
      {
        path: '$.agents[0].resources["9lives"]',
        message: 'invalid resource name "9lives"; expected a letter followed by letters, digits, "_", "." or "-"',
      },
      {
        path: '$.agents[0].resources["disk space"]',
        message: 'invalid resource name "disk space"; expected a letter followed by letters, digits, "_", "." or "-"',
      },
    ]);
  });

  it('rejects tasks that ask for nothing', () => {
    const input = { ...minimal(), frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 0 } } }] };

    expect(errorsOf(input)).toEqual([
      {
        path: '$.frameworks[0].tasks.resources',
        message: 'expected an object of resource amounts with at least one amount > 0, such as { "cpus": 1 }, got {"cpus":0}',
      },
    ]);
  });

  it('rejects bad port ranges: out of bounds, reversed, overlapping', () => {
    const input = {
      ...minimal(),
      agents: [{ id: 'a', resources: {}, ports: [[31000, 32000], [70000, 70001], [5, 1], [31500, 33000], 8080] }],
    };

    expect(errorsOf(input)).toEqual([
      { path: '$.agents[0].ports[1]', message: 'expected a [begin, end] pair of integers from 0 to 65535, got [70000,70001]' },
      { path: '$.agents[0].ports[2]', message: 'begin 5 is greater than end 1' },
      { path: '$.agents[0].ports[4]', message: 'expected a [begin, end] pair of integers from 0 to 65535, got 8080' },
      { path: '$.agents[0].ports[3]', message: 'overlaps [31000, 32000] at $.agents[0].ports[0]' },
    ]);
  });

  it('rejects framework settings out of range', () => {
    const input = {
      ...minimal(),
      frameworks: [
        {
          id: 'A',
          role: 'a',
          kind: 'batch',
          tasks: { count: 1.5, resources: { cpus: 1 }, durationMs: 0, ports: -1 },
          maxTasksPerOffer: 0,
          refuseSeconds: 'never',
          startAtMs: 20000,
          capabilities: ['GPU'],
        },
      ],
    };

    // The fields every framework has come first, then the kind's own.
    expect(errorsOf(input)).toEqual([
      { path: '$.frameworks[0].refuseSeconds', message: 'expected a finite number, got "never"' },
      {
        path: '$.frameworks[0].capabilities[0]',
        message:
          'expected one of "GPU_RESOURCES", "MULTI_ROLE", "PARTITION_AWARE", "REGION_AWARE", "RESERVATION_REFINEMENT", "REVOCABLE_RESOURCES", "SHARED_RESOURCES", "TASK_KILLING_STATE", got "GPU"',
      },
      { path: '$.frameworks[0].startAtMs', message: 'expected a time in ms from 0 to 10000 (durationMs), got 20000' },
      { path: '$.frameworks[0].tasks.count', message: 'expected an integer >= 0, got 1.5' },
      { path: '$.frameworks[0].tasks.ports', message: 'expected an integer >= 0, got -1' },
      { path: '$.frameworks[0].tasks.durationMs', message: 'expected a finite number > 0 or null, got 0' },
      { path: '$.frameworks[0].maxTasksPerOffer', message: 'expected an integer >= 1, got 0' },
    ]);
  });

  it('accepts any finite refuseSeconds, since the allocator applies Mesos rules to it', () => {
    const input = {
      ...minimal(),
      frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } }, refuseSeconds: -3 }],
    };

    expect(scenarioOf(parseScenario(input)).frameworks[0].refuseSeconds).toBe(-3);
  });

  it('rejects duplicate framework ids and duplicate roles', () => {
    const framework = { id: 'A', role: 'a', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } } };
    const input = { ...minimal(), roles: [{ name: 'a' }, { name: 'a', weight: 2 }], frameworks: [framework, framework] };

    expect(errorsOf(input)).toEqual([
      { path: '$.roles[1].name', message: 'duplicate role "a" (first at $.roles[0])' },
      { path: '$.frameworks[1].id', message: 'duplicate framework id "A" (first at $.frameworks[0])' },
    ]);
  });

  it('rejects contradicting partitionAware and capabilities', () => {
    const input = {
      ...minimal(),
      frameworks: [
        {
          id: 'A',
          role: 'a',
          kind: 'batch',
          tasks: { count: 1, resources: { cpus: 1 } },
          partitionAware: false,
          capabilities: ['PARTITION_AWARE'],
        },
      ],
    };

    expect(errorsOf(input)).toEqual([
      { path: '$.frameworks[0].partitionAware', message: 'false contradicts "PARTITION_AWARE" in capabilities' },
    ]);
  });

  it('collects every error in one pass instead of stopping at the first', () => {
    const input = {
      name: '',
      durationMs: 0,
      seed: 0.5,
      allocator: { roleSorter: 'fifo' },
      agents: [{ id: 'a', resources: { cpus: 'x' } }],
      frameworks: [{ id: 'A', role: '*', kind: 'batch', tasks: { count: 1, resources: { cpus: 1 } } }],
    };

    expect(formatScenarioErrors(errorsOf(input))).toBe(
      [
        '$.name: expected a non-empty string, got ""',
        '$.seed: expected an integer, got 0.5',
        '$.durationMs: expected a finite number > 0, got 0',
        '$.allocator.roleSorter: expected one of "drf", "random", got "fifo"',
        '$.agents[0].resources.cpus: expected a finite number >= 0, got "x"',
        '$.frameworks[0].role: invalid role name "*": "*" is the unreserved pseudo-role',
      ].join('\n'),
    );
  });

  it('never throws, whatever JSON it is given (law: parseScenario is total)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseScenario(value);
        return result.ok || result.errors.length > 0;
      }),
    );
  });
});
