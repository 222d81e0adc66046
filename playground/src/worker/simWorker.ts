/**
 * The Web Worker: a SimulatorSession behind comlink. Every reply that carries
 * a Frame transfers the per-agent typed arrays instead of copying them.
 * Nothing throws across the boundary: failures come back as values.
 */
import * as Comlink from 'comlink';
import type { MatrixAnswer, MatrixQuery } from './explainMatrixAnswer.js';
import type { Frame, LoadRequest, LoadResult, ExplainResult, AgentDetail, TaskDetail, TaskSummary } from './frame.js';
import type { SimulationReport } from '@allot/kernel';
import { agentBulkTransferables } from './agentSnapshot.js';
import type { InjectableFault, ViewState } from './simulatorSession.js';
import { SimulatorSession } from './simulatorSession.js';

export type Reply<T> = { ok: true; value: T } | { ok: false; message: string };

const session = new SimulatorSession();

function framed(frame: Frame): Reply<Frame> {
  return Comlink.transfer({ ok: true, value: frame }, agentBulkTransferables(frame.agents));
}

function attempt<T>(run: () => T): Reply<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

function attemptFrame(run: () => Frame): Reply<Frame> {
  const reply = attempt(run);
  return reply.ok ? framed(reply.value) : reply;
}

export const simulatorApi = {
  load(request: LoadRequest, requestId: number, view: ViewState): Reply<LoadResult> {
    const reply = attempt(() => session.load(request, requestId, view));
    if (reply.ok && reply.value.ok) return Comlink.transfer(reply, agentBulkTransferables(reply.value.frame.agents));
    return reply;
  },
  advance: (untilMs: number, requestId: number, view: ViewState) => attemptFrame(() => session.advance(untilMs, requestId, view)),
  step: (requestId: number, view: ViewState) => attemptFrame(() => session.step(requestId, view)),
  seek: (atMs: number, requestId: number, view: ViewState) => attemptFrame(() => session.seek(atMs, requestId, view)),
  inject: (fault: InjectableFault, requestId: number, view: ViewState) => attemptFrame(() => session.inject(fault, requestId, view)),
  frame: (requestId: number, view: ViewState) => attemptFrame(() => session.frame(requestId, view)),
  explain: (frameworkId: string, agentId: string): Reply<ExplainResult> => attempt(() => session.explain(frameworkId, agentId)),
  explainMatrix: (query: MatrixQuery): Reply<MatrixAnswer> => attempt(() => session.explainMatrix(query)),
  agentDetail: (agentId: string): Reply<AgentDetail | null> => attempt(() => session.agentDetail(agentId)),
  taskDetail: (frameworkId: string, taskId: string): Reply<TaskDetail | null> => attempt(() => session.taskDetail(frameworkId, taskId)),
  listTasks: (query: { frameworkId?: string; state?: string; limit?: number }): Reply<TaskSummary[]> =>
    attempt(() => session.listTasks(query)),
  report: (): Reply<SimulationReport> => attempt(() => session.report()),
  trace: (): Reply<string> => attempt(() => session.trace()),
};

export type SimulatorApi = typeof simulatorApi;

Comlink.expose(simulatorApi);
