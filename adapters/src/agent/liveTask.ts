/**
 * A task the runtime tracks: its checkpointed record plus what only lives in
 * memory (the process handle, timers, health, and a promise that settles with
 * the terminal state). Tasks of an executor have no process of their own: the
 * executor reports their states.
 */
import type { TaskState } from '@allot/kernel';
import type { TaskRecord } from './checkpointStore.js';
import type { CheckStatus } from '@allot/kernel';
import type { TaskCheck } from './taskCheck.js';
import type { CommandHealthChecker } from './healthCheck.js';
import type { TaskProcess } from './taskProcess.js';

export interface LiveTask {
  record: TaskRecord;
  process: TaskProcess | null;
  released: boolean;
  healthy: boolean | null;
  health: CommandHealthChecker | null;
  check: TaskCheck | null;
  /** The check's latest result (null: none yet); reported on every update of a task with a check. */
  /** The check's latest result; none before its first run. */
  checkStatus: CheckStatus | null;
  monitor: NodeJS.Timeout | null;
  monitorBusy: boolean;
  lastDiskCheckMs: number;
  lastVolumeCheckMs: number;
  killTimer: NodeJS.Timeout | null;
  ended: boolean;
  terminal: Promise<TaskState>;
  resolveTerminal: (state: TaskState) => void;
  /** Settles once the launch is done with the task (RUNNING reported, or not), so that the terminal state comes after it. */
  launched: Promise<void>;
  resolveLaunched: () => void;
}

export function newLiveTask(record: TaskRecord, nowMs: number): LiveTask {
  let resolveTerminal!: (state: TaskState) => void;
  const terminal = new Promise<TaskState>((resolve) => (resolveTerminal = resolve));
  let resolveLaunched!: () => void;
  const launched = new Promise<void>((resolve) => (resolveLaunched = resolve));
  return {
    record,
    process: null,
    released: false,
    healthy: null,
    health: null,
    check: null,
    checkStatus: null,
    monitor: null,
    monitorBusy: false,
    lastDiskCheckMs: nowMs,
    lastVolumeCheckMs: nowMs,
    killTimer: null,
    ended: false,
    terminal,
    resolveTerminal,
    launched,
    resolveLaunched,
  };
}
