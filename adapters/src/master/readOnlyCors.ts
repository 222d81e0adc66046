/**
 * Minimal CORS for the browser playground's "connect to a master" mode:
 * any origin may read the operator API (`POST /api/v1` with a GET_* call)
 * and the live event stream (which sets its own header). A cross-origin
 * request (one with an Origin header) to /api/v1 that is not a GET_* read
 * call is refused with 403, so opening CORS does not let any web page drive
 * the cluster. Requests without an Origin (curl, schedulers, tests) are
 * untouched.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { canonicalMasterPath, OPERATOR_PATH } from './mesosPaths.js';

function isOperatorPath(request: FastifyRequest): boolean {
  return canonicalMasterPath(request.url) === OPERATOR_PATH;
}

/** The call's type from the body: parsed JSON, or a Buffer/string as the daemon's catch-all parser leaves it. */
function callType(body: unknown): string | null {
  try {
    const parsed = (Buffer.isBuffer(body) || typeof body === 'string' ? JSON.parse(body.toString()) : body) as { type?: unknown } | null;
    if (!parsed || typeof parsed !== 'object') return null;
    return typeof parsed.type === 'string' ? parsed.type : null;
  } catch {
    return null;
  }
}

export function registerReadOnlyCors(app: FastifyInstance): void {
  // Preflight for POST /api/v1 with Content-Type: application/json.
  app.addHook('onRequest', async (request, reply) => {
    if (!isOperatorPath(request) || request.method !== 'OPTIONS' || !request.headers.origin) return;
    await reply
      .code(204)
      .header('Access-Control-Allow-Origin', '*')
      .header('Access-Control-Allow-Methods', 'GET, POST')
      .header('Access-Control-Allow-Headers', 'Content-Type, Accept')
      .header('Access-Control-Max-Age', '600')
      .send();
  });
  // After the body is read: cross-origin calls must be read calls, and their answers are readable.
  app.addHook('preHandler', async (request, reply) => {
    if (!isOperatorPath(request) || !request.headers.origin) return;
    const type = callType(request.body);
    if (request.method !== 'POST' || type === null || !type.startsWith('GET_')) {
      await reply.code(403).type('text/plain; charset=utf-8').send('cross-origin requests may only make GET_* calls');
      return;
    }
    reply.header('Access-Control-Allow-Origin', '*');
  });
}
