import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../kernel/src/sim/scenario.js';
import { jsonSyntaxErrorOffset } from '../../../kernel/src/sim/scenarioJsonSyntax.js';
import { parseScenarioText } from '../../../kernel/src/sim/scenarioText.js';
import { errorsOf, minimal, scenarioOf } from './scenarioInputs.js';

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
