/**
 * Checkpoint and recovery: a new runtime on the same work dir re-adopts tasks
 * whose process still runs (and reports them when they end), reports tasks
 * that ended while no agent was running from the `exit_status` file the
 * launcher wrapper wrote, and resends status updates that were never
 * acknowledged, with their original uuids.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskInfo } from '../../../adapters/src/agent/agentRuntime.js';
import { isProcessAlive } from '../../../adapters/src/agent/isolation/procStat.js';
import { makeWorkDir, removeWorkDir, startRuntime, waitFor } from './harness.js';

const workDirs: string[] = [];
afterAll(() => workDirs.forEach(removeWorkDir));

function workDir(name: string): string {
  const dir = makeWorkDir(name);
  workDirs.push(dir);
  return dir;
}

describe('AgentRuntime: checkpoint and recovery', () => {
  it('re-attaches a running task after the runtime object is dropped, and reports TASK_FINISHED when it exits', async () => {
    const dir = workDir('recover-inprocess');
    const first = await startRuntime(dir);
    await first.runtime.launch({ taskId: 'sleeper', frameworkId: 'fw', command: 'sleep 1.5' });
    await first.waitForState('sleeper', 'TASK_RUNNING');
    await waitFor(() => first.runtime.pendingUpdates('fw', 'sleeper').length === 0, 'RUNNING to be acknowledged');
    const pid = first.runtime.tasks()[0].pid!;
    first.runtime.close();

    const second = await startRuntime(dir);

    expect(second.runtime.tasks()).toMatchObject([{ taskId: 'sleeper', state: 'TASK_RUNNING', pid }]);
    const finished = await second.waitForState('sleeper', 'TASK_FINISHED');
    expect(finished.message).toBe('exited with code 0');
    expect(second.states('sleeper')).toEqual(['TASK_FINISHED']);
    expect(first.states('sleeper')).toEqual(['TASK_RUNNING']);
    second.runtime.close();
  });

  it('resends unacknowledged updates after a restart with their original uuids', async () => {
    const dir = workDir('recover-updates');
    const first = await startRuntime(dir, { autoAcknowledge: false });
    await first.runtime.launch({ taskId: 'quick', frameworkId: 'fw', command: 'exit 5' });
    await first.runtime.whenTerminal('fw', 'quick');
    const [running, failed] = first.runtime.pendingUpdates('fw', 'quick');
    first.runtime.close();

    const second = await startRuntime(dir);
    await second.waitForState('quick', 'TASK_FAILED');

    expect(second.updates.map((update) => update.uuid)).toEqual([running.uuid, failed.uuid]);
    expect(failed.message).toBe('exited with code 5');
    await waitFor(() => second.runtime.tasks().length === 0, 'the task to be forgotten after its terminal acknowledgement');
    second.runtime.close();
  });

  it('recovers from a crashed agent process: a task that ended meanwhile and one still running', async () => {
    const dir = workDir('recover-crash');
    const fixture = fileURLToPath(new URL('./fixtures/launchAndExit.ts', import.meta.url));
    const specs = [
      { taskId: 'gone', frameworkId: 'fw', command: 'sleep 1; exit 7' },
      { taskId: 'alive', frameworkId: 'fw', command: 'sleep 2.5' },
    ];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=allot-source', '--import', 'tsx', fixture, dir, JSON.stringify(specs)],
      {
        cwd: join(fileURLToPath(import.meta.url), '../../../..'),
      },
    );
    const launched = JSON.parse(stdout) as TaskInfo[];
    const gonePid = launched.find((task) => task.taskId === 'gone')!.pid!;
    await waitFor(() => !isProcessAlive(gonePid), "the 'gone' task to end while no agent runs", 5_000);

    const second = await startRuntime(dir);

    const gone = await second.waitForState('gone', 'TASK_FAILED');
    expect(gone.message).toBe('exited with code 7');
    expect(second.runtime.tasks().find((task) => task.taskId === 'alive')?.state).toBe('TASK_RUNNING');
    const alive = await second.waitForState('alive', 'TASK_FINISHED');
    expect(alive.message).toBe('exited with code 0');
    second.runtime.close();
  });

  it('reports TASK_KILLED for a task killed during the grace period when the agent restarted', async () => {
    const dir = workDir('recover-kill');
    const first = await startRuntime(dir);
    await first.runtime.launch({ taskId: 'stubborn', frameworkId: 'fw', command: "trap '' TERM; touch trapped; sleep 30" });
    await first.waitForState('stubborn', 'TASK_RUNNING');
    await waitFor(() => existsSync(join(dir, 'sandboxes', 'fw', 'stubborn', 'trapped')), 'the TERM trap to be set');
    first.runtime.kill('fw', 'stubborn', 600);
    first.runtime.close(); // The agent dies during the grace period; the SIGKILL timer dies with it.

    const second = await startRuntime(dir);
    const killed = await second.waitForState('stubborn', 'TASK_KILLED', 5_000);

    expect(killed.message).toBe('killed; ended while the agent was down, with no recorded exit status');
    second.runtime.close();
  });
});
