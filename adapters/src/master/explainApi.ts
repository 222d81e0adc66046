/**
 * `GET /explain?framework_id=F&agent_id=A[&at_ms=T]` and
 * `GET /explain/matrix[?framework_id=F,G][&view=summary]`: why a framework gets (or not) an
 * agent, every reason that applied, from the allocator's decision log
 * (`allot master --decision-cycles`) and the master's state now; and the
 * framework × agent matrix of the latest cycle. Authorized as GET_STATE (an
 * operator read); readable cross-origin, as the live stream, for the
 * playground. Times are the master's clock (`now_ms` in the answers).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExplainReason } from '@allot/kernel';
import { explainAllocation, explainMatrix } from '@allot/kernel';
import type { MasterContext } from './masterContext.js';

type Query = Record<string, string | string[] | undefined>;

export function registerExplainApi(app: FastifyInstance, context: MasterContext): void {
  app.get('/explain', (request, reply) => {
    if (!operatorReadAllowed(context, request, reply)) return;
    const query = request.query as Query;
    const frameworkId = single(query, 'framework_id', reply);
    if (frameworkId === undefined) return;
    const agentId = single(query, 'agent_id', reply);
    if (agentId === undefined) return;
    const master = context.host.master;
    let atMs = master.nowMs;
    if (query.at_ms !== undefined) {
      const parsed = Number(query.at_ms);
      if (typeof query.at_ms !== 'string' || !/^\d+$/.test(query.at_ms) || !Number.isSafeInteger(parsed))
        return badRequest(
          reply,
          `at_ms: expected a whole number of milliseconds on the master's clock (now ${master.nowMs}), got "${query.at_ms}"`,
        );
      atMs = parsed;
    }
    const explanation = explainAllocation(master, frameworkId, agentId, atMs);
    return reply.header('Access-Control-Allow-Origin', '*').send({
      framework_id: frameworkId,
      agent_id: agentId,
      at_ms: atMs,
      now_ms: master.nowMs,
      outcome: explanation.reasons[0]?.code ?? 'NO_RECORD',
      reasons: explanation.reasons.map(reasonJson),
      considered: explanation.considered.map((d) => ({ framework_id: d.frameworkId, role: d.role, outcome: d.outcome, cycle: d.cycle })),
    });
  });

  app.get('/explain/matrix', (request, reply) => {
    if (!operatorReadAllowed(context, request, reply)) return;
    const query = request.query as Query;
    const master = context.host.master;
    let frameworkIds: string[] | undefined;
    if (query.framework_id !== undefined) {
      const given = single(query, 'framework_id', reply);
      if (given === undefined) return;
      frameworkIds = given.split(',').filter(Boolean);
    }
    if (query.view !== undefined && query.view !== 'summary' && query.view !== 'cells')
      return badRequest(
        reply,
        `view: expected "summary" (agents counted by outcome only) or "cells" (the default), got "${String(query.view)}"`,
      );
    const matrix = explainMatrix(master, frameworkIds);
    // On a large cluster the cells are frameworks × agents: a summary first, then one framework's cells.
    const cells = query.view === 'summary' ? [] : matrix.cells;
    return reply.header('Access-Control-Allow-Origin', '*').send({
      now_ms: matrix.atMs,
      cycle: matrix.cycle,
      frameworks: matrix.frameworks,
      agents: matrix.agents,
      summary: matrix.summary,
      cells: cells.map((cell) => ({
        framework_id: cell.frameworkId,
        agent_id: cell.agentId,
        outcome: cell.outcome,
        reasons: cell.reasons.map(reasonJson),
      })),
    });
  });
}

/** Whether the caller may read (as GET_STATE) and the master answers; otherwise the answer is sent. */
export function operatorReadAllowed(context: MasterContext, request: FastifyRequest, reply: FastifyReply): boolean {
  const denied = context.authorizer?.read(request, 'GET_STATE');
  if (denied && !denied.ok) {
    void reply.code(denied.status).type('text/plain; charset=utf-8').send(denied.reason);
    return false;
  }
  if (context.host.recovering) {
    void reply.code(503).type('text/plain; charset=utf-8').send('the master is recovering its state; retry shortly');
    return false;
  }
  return true;
}

/** A required query parameter given once; otherwise 400 naming it (and undefined). */
function single(query: Query, name: string, reply: FastifyReply): string | undefined {
  const value = query[name];
  if (typeof value === 'string' && value.length > 0) return value;
  badRequest(reply, Array.isArray(value) ? `${name}: expected one value, got ${value.length}` : `${name}: required (an id)`);
  return undefined;
}

function badRequest(reply: FastifyReply, message: string): void {
  void reply.code(400).type('text/plain; charset=utf-8').send(message);
}

function reasonJson(reason: ExplainReason): Record<string, unknown> {
  return {
    code: reason.code,
    message: reason.message,
    ...(reason.role !== undefined ? { role: reason.role } : {}),
    ...(reason.cycle !== undefined ? { cycle: reason.cycle } : {}),
    ...(reason.filteredUntilMs !== undefined ? { filtered_until_ms: reason.filteredUntilMs } : {}),
    ...(reason.quota ? { quota: reason.quota.map((f) => ({ resource: f.resource, limit: f.limit, consumed: f.consumed })) } : {}),
  };
}
