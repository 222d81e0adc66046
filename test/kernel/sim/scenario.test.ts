import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ScenarioError,
  type ScenarioInput,
  type ScenarioResult,
  formatScenarioErrors,
  parseScenario,
} from '../../../kernel/src/sim/scenario.js';
import { jsonSyntaxErrorOffset } from '../../../kernel/src/sim/scenarioJsonSyntax.js';
import { parseScenarioText } from '../../../kernel/src/sim/scenarioText.js';
import { builtinScenarios, findBuiltinScenario } from '../../../kernel/src/sim/scenarios/index.js';

/** The smallest valid scenario; tests spread their changes over it. */
function minimal(): Record<string, unknown> {
  return {
    name: 'tiny',
    durationMs: 10000,
    agents: [{ id: 'agent', resources: { cpus: 4, mem: 4096 } }],
    frameworks: [{ id: 'A', role: 'a', kind: 'batch', tasks: { count: 2, resources: { cpus: 1 } } }],
  };
}

function errorsOf(input: unknown): ScenarioError[] {
  const result = parseScenario(input);
  if (result.ok) throw new Error('expected the scenario to be rejected');
  return result.errors;
}

function scenarioOf(result: ScenarioResult) {
  if (!result.ok) throw new Error(`expected a valid scenario:\n${formatScenarioErrors(result.errors)}`);
  return result.scenario;
}

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

describe('reservations', () => {
  function withReservations(reservations: unknown[], ports: unknown = [[31000, 31999]]) {
    return { ...minimal(), agents: [{ id: 'a', resources: { cpus: 4, mem: 4096 }, ports, reservations }] };
  }

  it('accepts reservations that fit inside the agent, and fills in ports and labels', () => {
    const input = withReservations([
      { role: 'a', resources: { cpus: 3 }, ports: [[31000, 31099]] },
      { role: 'eng/web', resources: { cpus: 1, mem: 4096 }, labels: { resource_id: 'r1' } },
    ]);

    expect(scenarioOf(parseScenario(input)).agents[0].reservations).toEqual([
      { role: 'a', resources: { cpus: 3 }, ports: [[31000, 31099]], labels: {} },
      { role: 'eng/web', resources: { cpus: 1, mem: 4096 }, ports: [], labels: { resource_id: 'r1' } },
    ]);
  });

  it('rejects reservations that do not fit, since they are part of the agent, not extra', () => {
    const input = withReservations([
      { role: 'a', resources: { cpus: 3, gpus: 1 } },
      { role: 'b', resources: { cpus: 2, mem: 5000 } },
    ]);

    expect(errorsOf(input)).toEqual([
      {
        path: '$.agents[0].reservations[0].resources.gpus',
        message: 'reserves 1 gpus, but the agent has no "gpus"; reservations are part of the agent\'s resources, not in addition to them',
      },
      {
        path: '$.agents[0].reservations[1].resources.cpus',
        message:
          "brings the reserved cpus to 5, more than the agent's 4; reservations are part of the agent's resources, not in addition to them",
      },
      {
        path: '$.agents[0].reservations[1].resources.mem',
        message: "reserves 5000 mem, more than the agent's 4096; reservations are part of the agent's resources, not in addition to them",
      },
    ]);
  });

  it('rejects reserved ports outside the agent or reserved twice', () => {
    const input = withReservations([
      { role: 'a', resources: {}, ports: [[31000, 31010]] },
      {
        role: 'b',
        resources: {},
        ports: [
          [31005, 31006],
          [30000, 30001],
        ],
      },
    ]);

    expect(errorsOf(input)).toEqual([
      { path: '$.agents[0].reservations[1].ports[0]', message: '[31005, 31006] is already reserved by an earlier reservation' },
      { path: '$.agents[0].reservations[1].ports[1]', message: "[30000, 30001] is not inside the agent's ports" },
    ]);
  });

  it('rejects a reservation to an invalid role', () => {
    expect(errorsOf(withReservations([{ role: 'a//b', resources: { cpus: 1 } }]))).toEqual([
      { path: '$.agents[0].reservations[0].role', message: 'invalid role name "a//b": must not contain "//"' },
    ]);
  });
});

describe('roles', () => {
  it.each([
    ['', 'must not be empty'],
    ['.', 'path components must not be "." or ".."'],
    ['..', 'path components must not be "." or ".."'],
    ['-web', 'path components must not start with "-"'],
    ['web app', 'must not contain whitespace or control characters'],
    ['web\tapp', 'must not contain whitespace or control characters'],
    ['/eng', 'must not start or end with "/"'],
    ['eng/', 'must not start or end with "/"'],
    ['eng//web', 'must not contain "//"'],
    ['eng/../web', 'path components must not be "." or ".."'],
    ['*', '"*" is the unreserved pseudo-role'],
  ])('rejects the role name %j', (name, problem) => {
    const input = { ...minimal(), roles: [{ name }] };

    expect(errorsOf(input)).toEqual([{ path: '$.roles[0].name', message: `invalid role name ${JSON.stringify(name)}: ${problem}` }]);
  });

  it('accepts hierarchical names, and framework roles that are not listed', () => {
    const input = { ...minimal(), roles: [{ name: 'eng/web', weight: 2 }, { name: 'ops.team_1' }] };

    const scenario = scenarioOf(parseScenario(input));

    expect(scenario.roles).toEqual([
      { name: 'eng/web', weight: 2 },
      { name: 'ops.team_1', weight: 1 },
    ]);
    expect(scenario.frameworks[0].role).toBe('a');
  });

  it('rejects quota on a nested role and a guarantee above the limit', () => {
    const input = {
      ...minimal(),
      roles: [
        { name: 'eng/web', quota: { guarantee: { cpus: 1 } } },
        { name: 'ops', weight: 0, quota: { guarantee: { cpus: 8, mem: 100 }, limit: { cpus: 4 }, burst: {} } },
      ],
    };

    expect(errorsOf(input)).toEqual([
      { path: '$.roles[0].quota', message: 'quota is only allowed on top-level roles; "eng/web" is nested (set quota on "eng")' },
      { path: '$.roles[1].weight', message: 'expected a finite number > 0, got 0' },
      { path: '$.roles[1].quota.burst', message: 'unknown field "burst"; expected one of "guarantee", "limit"' },
      { path: '$.roles[1].quota.guarantee.cpus', message: 'guarantee 8 is above the limit 4 for "cpus"' },
    ]);
  });
});

describe('faults', () => {
  function withFaults(faults: unknown[]) {
    return { ...minimal(), agents: [{ id: 'node', count: 2, resources: { cpus: 4 } }], faults };
  }

  it('accepts every fault type and expands agent.add', () => {
    const faults = [
      { atMs: 1000, type: 'agent.crash', agent: 'node-1' },
      { atMs: 2000, type: 'agent.restart', agent: 'node-1' },
      { atMs: 3000, type: 'network.partition', agents: ['node-1', 'node-2'] },
      { atMs: 4000, type: 'network.heal', agents: ['node-2'] },
      { atMs: 5000, type: 'task.fail', framework: 'A' },
      { atMs: 5000, type: 'task.fail', framework: 'A', task: 'A-1' },
      { atMs: 6000, type: 'master.failover' },
      { atMs: 7000, type: 'framework.suppress', framework: 'A', roles: ['a'] },
      { atMs: 7500, type: 'framework.revive', framework: 'A' },
      { atMs: 8000, type: 'role.update', role: 'a', weight: 2, quota: { limit: { cpus: 1 } } },
      { atMs: 9000, type: 'agent.add', agent: { id: 'late', count: 2, resources: { cpus: 1 } } },
      { atMs: 9000, type: 'agent.crash', agent: 'late-2' },
    ];

    const scenario = scenarioOf(parseScenario(withFaults(faults)));

    expect(scenario.faults.slice(0, 10)).toEqual(faults.slice(0, 10));
    expect(scenario.faults.slice(10)).toEqual([
      {
        atMs: 9000,
        type: 'agent.add',
        agent: { id: 'late-1', hostname: 'late-1', resources: { cpus: 1 }, ports: [], attributes: {}, reservations: [] },
      },
      {
        atMs: 9000,
        type: 'agent.add',
        agent: { id: 'late-2', hostname: 'late-2', resources: { cpus: 1 }, ports: [], attributes: {}, reservations: [] },
      },
      { atMs: 9000, type: 'agent.crash', agent: 'late-2' },
    ]);
  });

  it('rejects references to unknown agents and frameworks', () => {
    const input = withFaults([
      { atMs: 1000, type: 'agent.crash', agent: 'node-3' },
      { atMs: 1000, type: 'network.partition', agents: ['node-1', 'nod-2'] },
      { atMs: 1000, type: 'task.fail', framework: 'Z' },
    ]);

    expect(errorsOf(input)).toEqual([
      { path: '$.faults[0].agent', message: 'unknown agent "node-3"; expected one of "node-1", "node-2"' },
      { path: '$.faults[1].agents[1]', message: 'unknown agent "nod-2"; expected one of "node-1", "node-2"' },
      { path: '$.faults[2].framework', message: 'unknown framework "Z"; expected one of "A"' },
    ]);
  });

  it('counts agents added by an earlier agent.add fault only from then on', () => {
    const input = withFaults([
      { atMs: 5000, type: 'agent.crash', agent: 'late' },
      { atMs: 3000, type: 'agent.add', agent: { id: 'late', resources: { cpus: 1 } } },
      { atMs: 3000, type: 'agent.restart', agent: 'late' },
      { atMs: 2000, type: 'agent.crash', agent: 'late' },
    ]);

    expect(errorsOf(input)).toEqual([{ path: '$.faults[3].agent', message: 'agent "late" is only added at 3000 ms by $.faults[1]' }]);
  });

  it('rejects unknown fault types, listing the known ones', () => {
    expect(errorsOf(withFaults([{ atMs: 1, type: 'agent.explode', agent: 'node-1' }]))).toEqual([
      {
        path: '$.faults[0].type',
        message:
          'unknown fault type "agent.explode"; expected one of "agent.crash", "agent.restart", "agent.drain", "agent.gone", "network.partition", "network.heal", "task.fail", "master.failover", "framework.revive", "framework.suppress", "role.update", "agent.add", "plan.interrupt", "plan.continue", "plan.restart", "plan.forceComplete", "pod.replace", "pod.restart", "service.update", "service.uninstall", "plan.start", "plan.stop", "scheduler.restart", "maintenance.schedule", "maintenance.start", "maintenance.stop"',
      },
    ]);
  });

  it('rejects times outside the scenario, fields of other fault types and bad role updates', () => {
    const input = withFaults([
      { atMs: 10001, type: 'master.failover' },
      { atMs: -1, type: 'agent.crash', agent: 'node-1', agents: ['node-2'] },
      { atMs: 1, type: 'role.update', role: 'eng/web', quota: { guarantee: { cpus: 1 } } },
      { atMs: 1, type: 'role.update', role: 'a' },
      { atMs: 1, type: 'framework.revive', framework: 'A', roles: ['b'] },
      { atMs: 1, type: 'network.heal', agents: [] },
      { atMs: 1, type: 'agent.add', agent: { id: 'node-1', resources: {} } },
    ]);

    expect(errorsOf(input)).toEqual([
      { path: '$.faults[0].atMs', message: 'expected a time in ms from 0 to 10000 (durationMs), got 10001' },
      { path: '$.faults[1].agents', message: 'unknown field "agents"; expected one of "atMs", "type", "agent"' },
      { path: '$.faults[1].atMs', message: 'expected a time in ms from 0 to 10000 (durationMs), got -1' },
      { path: '$.faults[2].quota', message: 'quota is only allowed on top-level roles; "eng/web" is nested (set quota on "eng")' },
      { path: '$.faults[3]', message: 'a role.update needs "weight", "quota" or both' },
      { path: '$.faults[5].agents', message: 'expected a non-empty array, got []' },
      { path: '$.faults[6].agent.id', message: 'duplicate agent id "node-1" (also made by $.agents[0])' },
      { path: '$.faults[4].roles[0]', message: 'framework "A" is not subscribed to role "b"; its role is "a"' },
    ]);
  });

  it('does not report a reference to an agent whose own entry is already reported', () => {
    const input = {
      ...minimal(),
      agents: [{ id: 'bad', count: 2, resources: { cpus: -1 } }],
      faults: [{ atMs: 1, type: 'agent.crash', agent: 'bad-2' }],
    };

    expect(errorsOf(input)).toEqual([{ path: '$.agents[0].resources.cpus', message: 'expected a finite number >= 0, got -1' }]);
  });
});

describe('parseScenarioText', () => {
  it('parses valid JSON text, with or without a byte order mark', () => {
    const text = JSON.stringify(minimal(), null, 2);

    expect(scenarioOf(parseScenarioText(text)).name).toBe('tiny');
    expect(scenarioOf(parseScenarioText(`\uFEFF${text}`)).name).toBe('tiny');
  });

  it.each([
    ['{\n  "name": "x",\n}', 'invalid JSON at line 3, column 1: '],
    ['{\n  "name": "x"\n  "durationMs": 1\n}', 'invalid JSON at line 3, column 3: '],
    ['{"a":}', 'invalid JSON at line 1, column 6: '],
    ['{\n  "a": tru\n}', 'invalid JSON at line 2, column 11: '],
    ['{"a": [1, 2', 'invalid JSON at line 1, column 12: '],
    ['', 'invalid JSON at line 1, column 1: '],
    ['{} x', 'invalid JSON at line 1, column 4: '],
  ])('reports %j with its line and column', (text, prefix) => {
    const result = parseScenarioText(text);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].path).toBe('$');
    expect(result.errors[0].message.startsWith(prefix)).toBe(true);
    expect(result.errors[0].message).not.toMatch(/position|is not valid JSON/);
  });

  it('goes on to validation once the JSON parses', () => {
    expect(parseScenarioText('{"name": "x", "durationMs": "1s", "agents": [{ "id": "a", "resources": { "cpus": 1 } }]}')).toEqual({
      ok: false,
      errors: [{ path: '$.durationMs', message: 'expected a finite number > 0, got "1s"' }],
    });
  });

  it('finds syntax errors exactly where JSON.parse does (law: the scanner agrees with the engine)', () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '-', '0', '.', 'e', '\\', 'x', ' '))
      .map(([json, at, insert]) => {
        const cut = json.length === 0 ? 0 : at % (json.length + 1);
        return json.slice(0, cut) + insert + json.slice(cut + (at % 2));
      });
    fc.assert(
      fc.property(mutated, (text) => {
        let engineOffset: number | null = null;
        try {
          JSON.parse(text);
        } catch (error) {
          const position = /at position (\d+)/.exec((error as Error).message);
          engineOffset = position === null ? -1 : Number(position[1]);
        }
        const offset = jsonSyntaxErrorOffset(text);
        if (engineOffset === null) return offset === null;
        return offset !== null && (engineOffset === -1 || offset === engineOffset);
      }),
    );
  });
});
