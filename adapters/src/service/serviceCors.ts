/**
 * CORS for the service API, so that a page served elsewhere (the
 * playground's connected mode) can read a service's plans, pods and
 * endpoints. Reads only: the allowed origins may GET (and HEAD); a
 * cross-origin request that would act (POST, PUT, DELETE) is refused with
 * 403 before it runs, because CORS headers alone do not stop a "simple"
 * POST (one the browser sends without a preflight) from taking effect.
 * A request from the page's own origin (a proxy in front of the API) and
 * requests without an Origin header (curl, scripts) are untouched.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Which origins may read: any (`*`), none, or a list of exact origins. */
export type CorsOrigins = { kind: 'any' } | { kind: 'none' } | { kind: 'list'; origins: string[] };

export const DEFAULT_CORS_ORIGINS: CorsOrigins = { kind: 'any' };

const ORIGIN = /^https?:\/\/[^/\s]+$/;

/** `*`, `none`, or comma-separated origins such as `http://localhost:5173,https://ops.example.com`. */
export function parseCorsOrigins(text: string): { ok: true; value: CorsOrigins } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '*') return { ok: true, value: { kind: 'any' } };
  if (trimmed === 'none') return { ok: true, value: { kind: 'none' } };
  const origins = trimmed.split(',').map((origin) => origin.trim().replace(/\/$/, ''));
  const bad = origins.find((origin) => !ORIGIN.test(origin));
  if (bad !== undefined) return { ok: false, message: `expected *, none or comma-separated origins like http://host:port, got "${bad}"` };
  return { ok: true, value: { kind: 'list', origins } };
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function crossOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

export async function registerServiceCors(app: FastifyInstance, origins: CorsOrigins): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (READ_METHODS.has(request.method) || !crossOrigin(request)) return;
    await reply.code(403).type('text/plain; charset=utf-8').send('cross-origin requests to the service API may only read (GET)');
  });
  if (origins.kind === 'none') return;
  await app.register(cors, {
    origin: origins.kind === 'any' ? '*' : origins.origins,
    methods: ['GET', 'HEAD'],
    maxAge: 600,
  });
}
