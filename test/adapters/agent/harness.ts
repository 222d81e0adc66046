/**
 * Shared set-up for the agent runtime suites: a work dir every user can
 * traverse (tasks run as nobody when the suite runs as root), a runtime whose
 * updates are recorded and, by default, acknowledged the way a framework
 * would (asynchronously), and polling helpers with deadlines.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusUpdate } from '../../../kernel/src/tasks/statusUpdateManager.js';
import { AgentRuntime } from '../../../adapters/src/agent/agentRuntime.js';
import type { AgentRuntimeOptions } from '../../../adapters/src/agent/agentRuntime.js';
import { PosixIsolator } from '../../../adapters/src/agent/isolation/posixIsolator.js';

export const IS_ROOT = process.getuid?.() === 0;

export function makeWorkDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `allot-agent-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

export function removeWorkDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface Harness {
  runtime: AgentRuntime;
  updates: StatusUpdate[];
  /** States of `taskId`'s updates in the order they were sent (resends included). */
  states(taskId: string): string[];
  waitForState(taskId: string, state: string, timeoutMs?: number): Promise<StatusUpdate>;
}

export async function startRuntime(
  workDir: string,
  options: Partial<AgentRuntimeOptions> & { autoAcknowledge?: boolean } = {},
): Promise<Harness> {
  const updates: StatusUpdate[] = [];
  const autoAcknowledge = options.autoAcknowledge ?? true;
  let runtime: AgentRuntime | null = null;
  // Updates resent while `create` recovers arrive before `runtime` is assigned; they are acknowledged right after.
  const early: StatusUpdate[] = [];
  const harness: Harness = {
    get runtime() {
      return runtime!;
    },
    updates,
    states: (taskId) => updates.filter((update) => update.taskId === taskId).map((update) => update.state),
    waitForState: (taskId, state, timeoutMs = 15_000) =>
      waitFor(
        () => updates.find((update) => update.taskId === taskId && update.state === state),
        `${taskId} to reach ${state} (seen: ${harness.states(taskId).join(', ') || 'nothing'})`,
        timeoutMs,
      ),
  };
  runtime = await AgentRuntime.create({
    workDir,
    agentId: 'agent-1',
    isolator: new PosixIsolator('the test asked for posix isolation'),
    monitorIntervalMs: 100,
    adoptedPollMs: 50,
    ...options,
    onStatusUpdate: (update) => {
      updates.push(update);
      options.onStatusUpdate?.(update);
      if (!autoAcknowledge) return;
      setImmediate(() => (runtime ? runtime.acknowledge(update.frameworkId, update.taskId, update.uuid) : early.push(update)));
    },
  });
  for (const update of early) runtime.acknowledge(update.frameworkId, update.taskId, update.uuid);
  return harness;
}

export async function waitFor<T>(probe: () => T | null | undefined | false, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
