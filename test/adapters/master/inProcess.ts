/**
 * An in-process master on 127.0.0.1 (memory or file store, silent logs) and a
 * fake agent that registers over the agent protocol without running anything:
 * enough for API-level suites that need offers but no processes.
 */
import pino from 'pino';
import type { MasterDaemonOptions, RunningMaster } from '../../../adapters/src/master/masterDaemon.js';
import { startMaster } from '../../../adapters/src/master/masterDaemon.js';
import { RecordIoDecoder } from '../../../adapters/src/master/recordIo.js';

type Json = Record<string, any>;

export function startTestMaster(options: Partial<MasterDaemonOptions> = {}): Promise<RunningMaster> {
  return startMaster({
    port: 0,
    store: 'memory',
    heartbeatMs: 1000,
    logger: pino({ level: 'silent' }),
    ...options,
    kernel: { allocationIntervalMs: 100, ...options.kernel },
  });
}

export interface FakeAgent {
  agentId: string;
  streamId: string;
  events: Json[];
  close(): void;
}

/** What a fake agent says of itself when it subscribes, beyond its id and resources. */
export interface FakeAgentReport {
  hostname?: string;
  attributes?: Json;
  /** The tasks and executors it reports it runs (an agent registering again). */
  tasks?: Json[];
  executors?: Json[];
}

/** Registers an agent with the given Mesos JSON resources and keeps its stream open. */
export async function registerFakeAgent(
  masterUrl: string,
  agentId: string,
  resources: Json[],
  headers: Record<string, string> = {},
  report: FakeAgentReport = {},
): Promise<FakeAgent> {
  const abort = new AbortController();
  const { hostname = 'fake', attributes = { rack: 'r1' }, tasks = [], executors } = report;
  const body = {
    type: 'SUBSCRIBE',
    agent_id: agentId,
    subscribe: { agent: { id: agentId, hostname, port: 5051, resources, attributes }, tasks, ...(executors ? { executors } : {}) },
  };
  const response = await fetch(`${masterUrl}/api/v1/agent`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  if (response.status !== 200) throw new Error(`agent SUBSCRIBE answered ${response.status}: ${await response.text()}`);
  const events: Json[] = [];
  const decoder = new RecordIoDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>)
        for (const record of decoder.push(chunk)) events.push(JSON.parse(record));
    } catch {
      // Closed by the test.
    }
  })();
  return { agentId, streamId: response.headers.get('mesos-stream-id') ?? '', events, close: () => abort.abort() };
}

export const SMALL_AGENT: Json[] = [
  { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
  { name: 'mem', type: 'SCALAR', scalar: { value: 4096 } },
  { name: 'disk', type: 'SCALAR', scalar: { value: 8192 } },
  { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31999 }] } },
];
