/**
 * The hostile-request suite for the Mesos-compatibility endpoints of issue
 * 13, against a real master and agent: generated requests to the classic
 * endpoints (bad limits, offsets, orders, jsonp), the prefixed paths, the
 * added operator calls and unknown call types, the agent's files endpoints
 * (path traversal, symlink escapes, NUL bytes, oversized offsets and
 * lengths), the v1 agent API and the v1 executor API. Every answer is a 2xx
 * or 4xx, never a 5xx; no answer ever carries a file from outside a sandbox;
 * afterwards both daemons are healthy and a task still runs.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MesosCluster } from '../mesos/cluster.js';
import { getJson, runTask, startCluster } from '../mesos/cluster.js';
import { SchedulerClient } from './schedulerClient.js';

interface Probe {
  label: string;
  method: 'GET' | 'POST';
  url: string;
  body?: string;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const SEED = Number(process.env.ALLOT_HOSTILE_SEED ?? 13);

const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom('-1', '-5', '0', '1e9', '99999999999999999999', 'NaN', '0x10', ' 1', '1.5', '', '%00', '\u0000', 'asc', 'desc'),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
);

const traversal = fc.constantFrom(
  '/etc/passwd',
  '../../../../etc/passwd',
  '/frameworks/x/executors/y/runs/latest/../../../../../../etc/passwd',
  '/frameworks/../../etc/passwd',
  '//etc//passwd',
  '/proc/self/environ',
  '/\u0000/etc/passwd',
  `/${'a/'.repeat(3000)}`,
  '',
  'relative/path',
  '/frameworks',
);

describe('hostile requests to the Mesos-compatibility endpoints', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;
  let directory: string;

  beforeAll(async () => {
    cluster = await startCluster('hostile-mesos');
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url });
    await runTask(scheduler, 'victim', 'echo secret-free > data; ln -s /etc escape; ln -s .. up', 'TASK_FINISHED');
    const state = (await getJson(`${cluster.agent.url}/state`)).body;
    directory = [...state.frameworks, ...state.completed_frameworks]
      .flatMap((framework: any) => [...framework.executors, ...framework.completed_executors])
      .find((executor: any) => executor.id === 'victim').directory;
  }, 90_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
  }, 60_000);

  function probes(): Probe[] {
    const master = cluster.master.url;
    const agent = cluster.agent.url;
    const out: Probe[] = [];
    const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const samples = <T>(arbitrary: fc.Arbitrary<T>, count: number, offset: number) =>
      fc.sample(arbitrary, { numRuns: count, seed: SEED + offset });
    for (const [index, [limit, offset, order]] of samples(fc.tuple(nasty, nasty, nasty), 40, 1).entries())
      out.push({
        label: `tasks ${index}`,
        method: 'GET',
        url: `${master}/master/tasks?${q({ limit, offset, order, task_id: limit, framework_id: offset })}`,
      });
    for (const [index, callback] of samples(nasty, 20, 2).entries())
      for (const path of ['/master/state', '/version', '/master/frameworks'])
        out.push({
          label: `jsonp ${index}`,
          method: 'GET',
          url: `${master}${path}?${q({ jsonp: callback, framework_id: callback, slave_id: callback })}`,
        });
    for (const path of [
      '/master/state-summary',
      '/master/slaves',
      '/master/roles',
      '/flags',
      '/metrics/snapshot',
      '/master/redirect',
      '/redirect/x',
    ])
      out.push({ label: path, method: 'GET', url: `${master}${path}` });
    const types = samples(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom(
          'GET_FLAGS',
          'GET_MASTER',
          'GET_EXECUTORS',
          'GET_WEIGHTS',
          'GET_QUOTA',
          'GET_OPERATIONS',
          'LIST_FILES',
          'READ_FILE',
          'GET_MAINTENANCE_SCHEDULE',
          'START_MAINTENANCE',
          'LAUNCH_NESTED_CONTAINER',
          'UNKNOWN',
        ),
      ),
      40,
      3,
    );
    for (const [index, type] of types.entries())
      for (const path of ['/api/v1', '/api/v1/operator', '/master/api/v1'])
        out.push({
          label: `operator ${index} ${path}`,
          method: 'POST',
          url: `${master}${path}`,
          body: JSON.stringify({ type, list_files: { path: type }, read_file: { path: type, offset: -1, length: 1e300 } }),
        });
    for (const body of [
      '{',
      '[]',
      'null',
      '{"type":"READ_FILE","read_file":{"path":"/etc/passwd","offset":99999999999999999999}}',
      '{"type":"SUBSCRIBE"}',
    ])
      out.push({ label: `scheduler body ${body}`, method: 'POST', url: `${master}/master/api/v1/scheduler`, body });
    const paths = [
      ...samples(traversal, 20, 4),
      `${directory}/escape/passwd`,
      `${directory}/up/victim/data`,
      `${directory}/../../../../../../etc/passwd`,
      directory,
    ];
    for (const [index, path] of paths.entries()) {
      for (const endpoint of ['browse', 'read', 'download', 'browse.json', 'read.json'])
        out.push({ label: `files ${endpoint} ${index}`, method: 'GET', url: `${agent}/files/${endpoint}?${q({ path, offset: '0' })}` });
      out.push({
        label: `LIST_FILES ${index}`,
        method: 'POST',
        url: `${agent}/api/v1`,
        body: JSON.stringify({ type: 'LIST_FILES', list_files: { path } }),
      });
      out.push({
        label: `READ_FILE ${index}`,
        method: 'POST',
        url: `${agent}/api/v1`,
        body: JSON.stringify({ type: 'READ_FILE', read_file: { path, offset: 0, length: 10 } }),
      });
    }
    for (const [index, [offset, length]] of samples(fc.tuple(nasty, nasty), 30, 5).entries())
      out.push({
        label: `read offsets ${index}`,
        method: 'GET',
        url: `${agent}/files/read?${q({ path: `${directory}/data`, offset, length })}`,
      });
    for (const [index, [offset, length]] of samples(
      fc.tuple(fc.oneof(fc.integer(), fc.double(), fc.string()), fc.oneof(fc.integer(), fc.double(), fc.string())),
      20,
      6,
    ).entries())
      out.push({
        label: `READ_FILE offsets ${index}`,
        method: 'POST',
        url: `${agent}/api/v1`,
        body: JSON.stringify({ type: 'READ_FILE', read_file: { path: `${directory}/data`, offset, length } }),
      });
    for (const [index, type] of samples(
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('SUBSCRIBE', 'UPDATE', 'MESSAGE', 'LAUNCH', 'KILL')),
      30,
      7,
    ).entries()) {
      out.push({ label: `agent api ${index}`, method: 'POST', url: `${agent}/api/v1`, body: JSON.stringify({ type }) });
      out.push({
        label: `executor api ${index}`,
        method: 'POST',
        url: `${agent}/api/v1/executor`,
        body: JSON.stringify({
          type,
          framework_id: { value: scheduler.frameworkId },
          executor_id: { value: type || 'victim' },
          update: { status: { task_id: { value: 'victim' }, state: 'TASK_FINISHED', uuid: type } },
          message: { data: type },
        }),
      });
    }
    return out;
  }

  it('answers every one with a 2xx or 4xx and leaks nothing', async () => {
    const all = probes();
    expect(all.length).toBeGreaterThan(300);
    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    for (let start = 0; start < all.length; start += 8) {
      await Promise.all(
        all.slice(start, start + 8).map(async (probe) => {
          const response = await fetch(probe.url, {
            method: probe.method,
            ...(probe.body !== undefined ? { headers: JSON_HEADERS, body: probe.body } : {}),
            redirect: 'manual',
            signal: AbortSignal.timeout(15_000),
          });
          const text = await response.text();
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          if (response.status >= 500) failures.push(`${probe.label}: ${response.status} ${text.slice(0, 120)}`);
          if (/root:[^:]*:0:0:/.test(text)) failures.push(`${probe.label}: leaked /etc/passwd`);
        }),
      );
    }
    expect(failures).toEqual([]);
    // Escapes were refused as such (403) and unknown paths as unknown (404).
    expect(statuses[403]).toBeGreaterThan(0);
    expect(statuses[404]).toBeGreaterThan(0);
    expect((await fetch(`${cluster.master.url}/health`)).status).toBe(200);
    expect((await fetch(`${cluster.agent.url}/health`)).status).toBe(200);
    await runTask(scheduler, 'after', 'true', 'TASK_FINISHED');
  }, 120_000);
});
