/**
 * The HTTP side of expected failures: a status code and a plain-text message
 * (Mesos answers errors as text), plus the content-negotiation checks shared
 * by the scheduler, agent and operator endpoints.
 */
import type { StepResult } from '@allot/kernel';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEADLINE_EXCEEDED, NOT_DURABLE } from './masterHost.js';

export interface HttpFailure {
  status: number;
  message: string;
}

export function failure(status: number, message: string): HttpFailure {
  return { status, message };
}

export function sendFailure(reply: FastifyReply, problem: HttpFailure): FastifyReply {
  return reply.code(problem.status).type('text/plain; charset=utf-8').send(problem.message);
}

/**
 * 503 when the host did not carry a call out or could not acknowledge it (its
 * state write failed, its time budget ran out, the master is closing); null
 * when the result is the kernel's own answer.
 */
export function hostRefusal(result: StepResult): HttpFailure | null {
  const code = result.rejection?.code;
  if (code === NOT_DURABLE || code === DEADLINE_EXCEEDED || code === 'master_closed') return failure(503, result.rejection!.message);
  return null;
}

/** 405, 415 and 406 in Mesos's order; null when the request may proceed. */
export function negotiate(request: FastifyRequest): HttpFailure | null {
  if (request.method !== 'POST') return failure(405, `Expecting 'POST', received '${request.method}'`);
  const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/json\s*(;|$)/.test(contentType))
    return failure(415, `Expecting 'Content-Type' of application/json, got '${contentType.slice(0, 100) || 'none'}'`);
  if (!acceptsJson(request.headers.accept))
    return failure(
      406,
      `Expecting 'Accept' to allow application/json or application/recordio, got '${String(request.headers.accept).slice(0, 100)}'`,
    );
  return null;
}

function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .some((type) => type === 'application/json' || type === 'application/recordio' || type === 'application/*' || type === '*/*');
}

/** The streaming content type a subscriber asked for. */
export function streamContentType(request: FastifyRequest): string {
  return /application\/recordio/i.test(String(request.headers.accept ?? '')) ? 'application/recordio' : 'application/json';
}
