/**
 * Issue 13, points 4, 5 and 7 on the agent: Mesos's /state (and
 * /slave(1)/state), the files endpoints over task sandboxes (offset, length,
 * path and symlink escapes), the v1 agent API, and `allot task log|ls`
 * finding a finished task's sandbox through the master.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchedulerClient } from '../master/schedulerClient.js';
import type { MesosCluster } from './cluster.js';
import { getJson, runTask, startCluster } from './cluster.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/mesosFieldNames.json', import.meta.url), 'utf8'));
const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));

async function agentCall(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/api/v1`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

describe('the agent speaks Mesos to existing tools', () => {
  let cluster: MesosCluster;
  let scheduler: SchedulerClient;
  let directory: string;

  beforeAll(async () => {
    cluster = await startCluster('agent-endpoints');
    scheduler = await SchedulerClient.subscribe({ masterUrl: cluster.master.url, frameworkInfo: { name: 'files' } });
    // A sandbox with a file, a symlink out of it (/etc) and one into a sibling directory.
    await runTask(
      scheduler,
      'hello',
      'echo hello from the task; echo oops >&2; mkdir sub; printf 0123456789 > sub/digits; ln -s /etc escape; ln -s .. up',
      'TASK_FINISHED',
    );
    await runTask(scheduler, 'sleeper', 'sleep 120', 'TASK_RUNNING');
    const state = (await getJson(`${cluster.agent.url}/state`)).body;
    const executors = state.completed_frameworks
      .concat(state.frameworks)
      .flatMap((framework: any) => [...framework.executors, ...framework.completed_executors]);
    directory = executors.find((executor: any) => executor.id === 'hello').directory;
  }, 90_000);

  afterAll(async () => {
    await scheduler?.close();
    await cluster?.stop();
  }, 60_000);

  it('serves /state and /slave(1)/state in the documented shape', async () => {
    for (const path of ['/state', '/slave(1)/state', '/state.json']) {
      const state = (await getJson(`${cluster.agent.url}${path}`)).body;
      for (const field of fixture.agent_state) expect(state, `${path} ${field}`).toHaveProperty([field]);
      expect(Object.keys(state.resources).sort()).toEqual(Object.keys(fixture.agent_resources_example).concat('gpus').sort());
      expect(state.resources.ports).toBe('[31000-31100]');
    }
    const state = (await getJson(`${cluster.agent.url}/state`)).body;
    const framework = state.frameworks.find((entry: any) => entry.id === scheduler.frameworkId);
    expect(framework.name).toBe('files');
    const executor = framework.executors.find((entry: any) => entry.id === 'sleeper');
    expect(executor.tasks.map((task: any) => [task.id, task.state])).toEqual([['sleeper', 'TASK_RUNNING']]);
    for (const field of fixture.task) expect(executor.tasks[0], field).toHaveProperty([field]);
    expect(executor.container).toMatch(/^[0-9a-f-]{36}$/);
    const finished = framework.completed_executors.find((entry: any) => entry.id === 'hello');
    expect(finished.completed_tasks[0].state).toBe('TASK_FINISHED');
    expect((await getJson(`${cluster.agent.url}/flags`)).body.flags.master).toBe(cluster.master.url);
    const version = (await getJson(`${cluster.agent.url}/version`)).body;
    for (const field of fixture.version) expect(version).toHaveProperty([field]);
    const metrics = (await getJson(`${cluster.agent.url}/metrics/snapshot`)).body;
    for (const name of fixture.agent_metrics) expect(typeof metrics[name], name).toBe('number');
    expect(metrics['slave/tasks_running']).toBe(1);
  });

  it('browses, reads with offset and length, and downloads sandbox files', async () => {
    const url = cluster.agent.url;
    const listing = (await getJson(`${url}/files/browse?path=${encodeURIComponent(directory)}`)).body;
    const names = listing.map((entry: any) => entry.path.split('/').pop());
    expect(names).toEqual(expect.arrayContaining(['stdout', 'stderr', 'sub', 'escape', 'up']));
    const stdoutEntry = listing.find((entry: any) => entry.path === `${directory}/stdout`);
    for (const field of fixture.files_browse_entry) expect(stdoutEntry, field).toHaveProperty([field]);
    expect(stdoutEntry.mode).toMatch(/^-rw/);
    expect(listing.find((entry: any) => entry.path.endsWith('/escape')).mode).toMatch(/^l/);

    const file = encodeURIComponent(`${directory}/sub/digits`);
    const read = (await getJson(`${url}/files/read?path=${file}&offset=2&length=3`)).body;
    expect(read).toEqual({ data: '234', offset: 2 });
    for (const field of fixture.files_read) expect(read).toHaveProperty([field]);
    expect((await getJson(`${url}/files/read.json?path=${file}&offset=-1`)).body).toEqual({ data: '', offset: 10 });
    expect((await getJson(`${url}/files/read?path=${file}&offset=999999999999`)).body).toEqual({ data: '', offset: 999999999999 });
    const virtual = encodeURIComponent(`/frameworks/${scheduler.frameworkId}/executors/hello/runs/latest/stdout`);
    expect((await getJson(`${url}/files/read?path=${virtual}&offset=0`)).body.data).toBe('hello from the task\n');
    const download = await fetch(`${url}/files/download?path=${file}`);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=digits');
    expect(await download.text()).toBe('0123456789');
  });

  it('refuses escapes, directories and bad queries', async () => {
    const url = cluster.agent.url;
    const at = (path: string) => encodeURIComponent(path);
    expect((await getJson(`${url}/files/read?path=${at(`${directory}/escape/passwd`)}&offset=0`)).status).toBe(403);
    expect((await getJson(`${url}/files/browse?path=${at(`${directory}/up`)}`)).status).toBe(403);
    expect((await getJson(`${url}/files/read?path=${at(`${directory}/../../../../../../etc/passwd`)}&offset=0`)).status).toBe(404);
    expect((await getJson(`${url}/files/read?path=${at('/etc/passwd')}&offset=0`)).status).toBe(404);
    expect((await getJson(`${url}/files/download?path=${at(directory)}`)).status).toBe(400);
    expect((await getJson(`${url}/files/read?path=${at(`${directory}/stdout`)}&offset=abc`)).status).toBe(400);
    expect((await getJson(`${url}/files/read?path=${at(`${directory}/stdout`)}&offset=-5`)).status).toBe(400);
    expect((await getJson(`${url}/files/browse`)).status).toBe(400);
  });

  it('answers the v1 agent API', async () => {
    const url = cluster.agent.url;
    expect((await agentCall(url, { type: 'GET_HEALTH' })).body).toEqual({ type: 'GET_HEALTH', get_health: { healthy: true } });
    const state = (await agentCall(url, { type: 'GET_STATE' })).body.get_state;
    expect(state.get_tasks.launched_tasks.map((task: any) => task.task_id.value)).toEqual(['sleeper']);
    const containers = (await agentCall(url, { type: 'GET_CONTAINERS' })).body.get_containers.containers;
    for (const field of fixture.operator.GET_CONTAINERS.container) expect(containers[0], field).toHaveProperty([field]);
    const files = (await agentCall(url, { type: 'LIST_FILES', list_files: { path: directory } })).body.list_files.file_infos;
    for (const field of fixture.operator.LIST_FILES.file_info) expect(files[0], field).toHaveProperty([field]);
    const read = (await agentCall(url, { type: 'READ_FILE', read_file: { path: `${directory}/sub/digits`, offset: 8 } })).body.read_file;
    expect(read).toEqual({ size: 10, data: Buffer.from('89').toString('base64') });
    expect((await agentCall(url, { type: 'LAUNCH_NESTED_CONTAINER' })).status).toBe(400);
    expect((await agentCall(url, { type: 'READ_FILE', read_file: { path: `${directory}/escape/passwd`, offset: 0 } })).status).toBe(403);
  });

  it("`allot task log` prints a finished task's stdout, and `allot task ls` its sandbox", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [LAUNCHER, 'task', ...args, '--master', cluster.master.url], { encoding: 'utf8', timeout: 30_000 });
    const log = run('log', 'hello');
    expect(log.stderr).toBe('');
    expect(log.stdout).toBe('hello from the task\n');
    expect(run('log', 'hello', '--stderr').stdout).toBe('oops\n');
    const ls = run('ls', 'hello');
    expect(ls.stdout).toMatch(/^-rw\S+\s+\S+\s+20 .* stdout$/m);
    expect(run('ls', 'hello', 'sub').stdout).toMatch(/ digits$/m);
    const missing = run('log', 'no-such-task');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no task no-such-task/);
  });

  it('`allot task log --follow` keeps printing what a running task writes', async () => {
    await runTask(scheduler, 'ticker', 'for i in 1 2 3 4 5 6; do echo tick $i; sleep 0.3; done; sleep 60', 'TASK_RUNNING');
    const follower = spawn(process.execPath, [LAUNCHER, 'task', 'log', 'ticker', '--follow', '--master', cluster.master.url]);
    let output = '';
    follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 30_000;
      while (!output.includes('tick 6') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n');
    } finally {
      follower.kill('SIGTERM');
    }
  }, 60_000);
});
