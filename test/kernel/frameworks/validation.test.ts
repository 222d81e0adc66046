/**
 * Each kind's own scenario fields are validated with errors that name the
 * JSON path and what was expected: batch jobs, service apps and elastic flex
 * schedules and YARN workloads.
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../kernel/src/index.js';
import { errorsOf } from './helpers.js';

const scenario = (framework: Record<string, unknown>) => ({
  name: 'invalid',
  durationMs: 60000,
  agents: [{ id: 'agent', resources: { cpus: 4, mem: 8192 } }],
  frameworks: [{ id: 'f', role: 'r', ...framework }],
});

describe('batch jobs validation', () => {
  it('names every wrong field of a job', () => {
    const errors = errorsOf(
      scenario({
        kind: 'batch',
        jobs: [
          { atMs: 90000, tasks: -1, resources: {}, durationMs: 0 },
          { id: 'job-0', tasks: 1, resources: { cpus: 1 }, colour: 'red' },
        ],
      }),
    );
    expect(errors).toEqual([
      '$.frameworks[0].jobs[0].atMs: expected a time in ms from 0 to 60000 (durationMs), got 90000',
      '$.frameworks[0].jobs[0].tasks: expected an integer >= 0, got -1',
      '$.frameworks[0].jobs[0].resources: expected an object of resource amounts with at least one amount > 0, such as { "cpus": 1 }, got {}',
      '$.frameworks[0].jobs[0].durationMs: expected a finite number > 0 or null, got 0',
      '$.frameworks[0].jobs[1].colour: unknown field "colour"; expected one of "id", "atMs", "tasks", "resources", "ports", "durationMs"',
      '$.frameworks[0].jobs[1].id: duplicate job id "job-0"',
      '$.frameworks[0].jobs[1].atMs: missing required field; expected a time in ms from 0 to 60000 (durationMs)',
    ]);
  });

  it('wants tasks or jobs, and no persistent volumes with jobs', () => {
    expect(errorsOf(scenario({ kind: 'batch' }))).toEqual([
      '$.frameworks[0].tasks: missing required field; expected an object with "count" and "resources" (or a "jobs" array)',
    ]);
    expect(errorsOf(scenario({ kind: 'batch', jobs: 'many' }))).toEqual([
      '$.frameworks[0].jobs: expected an array of jobs such as [{ "atMs": 0, "tasks": 10, "resources": { "cpus": 1 }, "durationMs": 5000 }], got "many"',
    ]);
    expect(
      errorsOf(scenario({ kind: 'batch', jobs: [], tasks: { count: 1, resources: { cpus: 1 }, persistentVolume: { sizeMb: 10 } } })),
    ).toEqual(['$.frameworks[0].tasks.persistentVolume: persistent volumes are not supported together with "jobs"']);
  });
});

describe('service validation', () => {
  it('wants apps', () => {
    expect(errorsOf(scenario({ kind: 'service' }))).toEqual([
      '$.frameworks[0].apps: missing required field; expected an array of apps such as [{ "id": "web", "instances": 3, "resources": { "cpus": 1 } }]',
    ]);
  });

  it('names every wrong field of an app', () => {
    const app = {
      id: 'web',
      acceptedResourceRoles: ['*', 'other'],
      instances: 1.5,
      resources: { cpus: 1 },
      constraints: [
        ['hostname', 'UNIQUE'],
        ['rack', 'NEAR', 'a'],
        ['rack', 'MAX_PER'],
      ],
      healthCheck: { intervalMs: 0, maxConsecutiveFailures: 0, timeoutMs: 5 },
      upgradeStrategy: { minimumHealthCapacity: 1.5, maximumOverCapacity: -0.1 },
      backoff: { factor: 0.5 },
      changes: [{ atMs: 1000 }, { atMs: 70000, instances: 2 }],
    };
    expect(
      errorsOf(
        scenario({
          kind: 'service',
          apps: [app, { id: 'web', instances: 1, resources: { cpus: 1 } }],
          maintenance: [{ startMs: 0, durationMs: 0 }],
        }),
      ),
    ).toEqual([
      '$.frameworks[0].apps[0].acceptedResourceRoles[1]: expected "*" or the app\'s role "r", got "other"',
      '$.frameworks[0].apps[0].instances: expected an integer >= 0, got 1.5',
      '$.frameworks[0].apps[0].constraints[1]: unknown operator "NEAR"; expected one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS, IS_NOT',
      '$.frameworks[0].apps[0].constraints[2]: MAX_PER needs a count',
      '$.frameworks[0].apps[0].healthCheck.timeoutMs: unknown field "timeoutMs"; expected one of "gracePeriodMs", "intervalMs", "maxConsecutiveFailures", "startupMs", "unhealthyVersions"',
      '$.frameworks[0].apps[0].healthCheck.intervalMs: expected a finite number > 0, got 0',
      '$.frameworks[0].apps[0].healthCheck.maxConsecutiveFailures: expected an integer >= 1, got 0',
      '$.frameworks[0].apps[0].upgradeStrategy.minimumHealthCapacity: expected a number from 0 to 1, got 1.5',
      '$.frameworks[0].apps[0].upgradeStrategy.maximumOverCapacity: expected a number from 0 to 1, got -0.1',
      '$.frameworks[0].apps[0].backoff.factor: expected a finite number >= 1, got 0.5',
      '$.frameworks[0].apps[0].changes[0]: a change needs "instances", "version" or both',
      '$.frameworks[0].apps[0].changes[1].atMs: expected a time in ms from 0 to 60000 (durationMs), got 70000',
      '$.frameworks[0].apps[1].id: duplicate app id "web" (first at $.frameworks[0].apps[0])',
      '$.frameworks[0].maintenance[0].hostname: missing required field; expected a non-empty string',
      '$.frameworks[0].maintenance[0].durationMs: expected a finite number > 0, got 0',
    ]);
  });

  it('rejects fields of other kinds', () => {
    expect(errorsOf(scenario({ kind: 'service', apps: [], flex: [] }))[0]).toMatch(
      /^\$\.frameworks\[0\]\.flex: unknown field "flex"; expected one of /,
    );
  });
});

describe('elastic validation', () => {
  it('names every wrong flex action, profile and application', () => {
    const errors = errorsOf(
      scenario({
        kind: 'elastic',
        profiles: { huge: { cpus: 16 }, tiny: 'small' },
        nodeManagerOverhead: { cpus: 0, mem: 0 },
        flex: [
          { atMs: 0, action: 'sideways', profile: 'medium', count: 0 },
          { atMs: 0, action: 'up', profile: 'giant', count: 1 },
        ],
        applications: [
          { atMs: 0, containers: 2, resources: { cpus: 0, mem: 0 } },
          { id: 'app-0', atMs: 0, containers: 1, resources: { cpus: 1, mem: 1 }, durationMs: 5 },
        ],
      }),
    );
    expect(errors).toEqual([
      '$.frameworks[0].profiles.huge.mem: missing required field; expected a finite number >= 0',
      '$.frameworks[0].profiles.tiny: expected an object, got "small"',
      '$.frameworks[0].nodeManagerOverhead: expected cpus or mem > 0, got {"cpus":0,"mem":0}',
      '$.frameworks[0].flex[0].action: expected one of "up", "down", got "sideways"',
      '$.frameworks[0].flex[0].count: expected an integer >= 1, got 0',
      '$.frameworks[0].flex[1].profile: unknown profile "giant"; expected one of "zero", "small", "medium", "large", "huge"',
      '$.frameworks[0].applications[0].resources: expected cpus or mem > 0, got {"cpus":0,"mem":0}',
      '$.frameworks[0].applications[0].durationMs: missing required field; expected a finite number > 0',
      '$.frameworks[0].applications[1].id: duplicate application id "app-0"',
    ]);
  });

  it('accepts a scenario with only a flex schedule', () => {
    expect(parseScenario(scenario({ kind: 'elastic', flex: [{ atMs: 0, action: 'up', profile: 'small', count: 1 }] })).ok).toBe(true);
  });
});
