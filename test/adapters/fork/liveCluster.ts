/**
 * A live cluster in this process for the fork and explain suites: a real
 * master (HTTP, memory store) and real agents (the agent daemon, running
 * tasks as processes; posix isolation so that the suites need no root), each
 * with its own resources and attributes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RunningAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import { startAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import type { MasterDaemonOptions, RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startTestMaster } from '../master/inProcess.js';
import { eventually, operator } from '../master/daemons.js';

export interface LiveCluster {
  master: RunningMaster;
  agents: RunningAgent[];
  close(): Promise<void>;
}

export interface AgentShape {
  resources: string;
  attributes?: string;
}

export async function startLiveCluster(
  shapes: readonly AgentShape[],
  masterOptions: Partial<MasterDaemonOptions> = {},
): Promise<LiveCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'allot-live-'));
  const master = await startTestMaster(masterOptions);
  await master.recovered;
  const agents: RunningAgent[] = [];
  const close = async () => {
    for (const agent of agents) await agent.close({ killTasks: true });
    await master.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.all(
      shapes.map((shape, index) =>
        startAgent({
          masterUrl: master.url,
          workDir: join(dir, `agent-${index}`),
          port: 0,
          isolation: 'posix',
          resources: shape.resources,
          ...(shape.attributes ? { attributes: shape.attributes } : {}),
          logger: pino({ level: 'silent' }),
          ...(masterOptions.agentSecret ? { secret: masterOptions.agentSecret } : {}),
        }),
      ),
    );
    for (const result of started) {
      if (!result.ok) throw new Error(result.message);
      agents.push(result.agent);
    }
    await eventually(
      async () => (await operator(master.url, { type: 'GET_AGENTS' })).body?.get_agents?.agents?.length === shapes.length,
      'every agent registered',
      60_000,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { master, agents, close };
}
