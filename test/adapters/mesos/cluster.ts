/**
 * One real master and agent on 127.0.0.1 shared by the Mesos-compatibility
 * suites, and small helpers around them (plain GETs, a launched task).
 */
import type { Daemon } from '../master/daemons.js';
import { makeWorkDir, removeWorkDir, startAgentProcess, startMasterProcess } from '../master/daemons.js';
import { launch, type SchedulerClient } from '../master/schedulerClient.js';

type Json = Record<string, any>;

export interface MesosCluster {
  workDir: string;
  master: Daemon;
  agent: Daemon;
  stop(): Promise<void>;
}

export async function startCluster(name: string, masterArgs: string[] = [], agentArgs: string[] = []): Promise<MesosCluster> {
  const workDir = makeWorkDir(name);
  const master = await startMasterProcess(workDir, masterArgs);
  const agent = await startAgentProcess(workDir, master.url, 'agent-1', agentArgs);
  return {
    workDir,
    master,
    agent,
    async stop() {
      await agent.stop();
      await master.stop();
      if (!process.env.ALLOT_KEEP_WORK_DIRS) removeWorkDir(workDir);
    },
  };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Plain text stays text.
  }
  return { status: response.status, body, headers: response.headers };
}

/** Launches a shell task on a fresh offer and waits for `state`. */
export async function runTask(scheduler: SchedulerClient, taskId: string, command: string, state: string, extra: Json = {}): Promise<Json> {
  const offer = await scheduler.freshOffer(undefined, undefined, { cpus: 0.1, mem: 32 });
  const accepted = await scheduler.call({
    type: 'ACCEPT',
    accept: {
      offer_ids: [offer.id],
      operations: [launch(offer, taskId, command, { cpus: 0.1, mem: 32 }, extra)],
      filters: { refuse_seconds: 0 },
    },
  });
  if (accepted.status !== 202) throw new Error(`ACCEPT answered ${accepted.status}: ${accepted.body}`);
  return scheduler.waitForState(taskId, state);
}
