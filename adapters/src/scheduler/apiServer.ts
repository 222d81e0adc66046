/**
 * The HTTP server of a framework daemon's API (`allot marathon`, `allot
 * jobs`, `allot pool`): fastify with Marathon's and Metronome's way with
 * JSON (a body that does not parse is `400 {"message": "Invalid JSON"}`; an
 * empty body counts as none, since clients POST actions with a JSON content
 * type and nothing in it), `{"message"}` errors, 503 once the scheduler
 * has stopped, and a JSON 404 for unknown paths.
 */
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SchedulerStoppedError } from './hostedFramework.js';

const BODY_BYTES_MAX = 8 * 2 ** 20;

export function createApiServer(logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    bodyLimit: BODY_BYTES_MAX,
  }) as unknown as FastifyInstance;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(Object.assign(new Error((error as Error).message), { statusCode: 400, invalidJson: true }), undefined);
    }
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `Unknown resource ${request.method} ${request.url.split('?')[0]}` }),
  );
  app.setErrorHandler((error, _request, reply) => {
    const failure = error as Error & { statusCode?: number; invalidJson?: boolean; code?: string };
    if (failure.invalidJson) return reply.code(400).send({ message: 'Invalid JSON', details: [{ path: '/', errors: [failure.message] }] });
    if (error instanceof SchedulerStoppedError || failure.code === 'store_conflict')
      return reply.code(503).send({ message: failure.message });
    const status = typeof failure.statusCode === 'number' ? failure.statusCode : 500;
    if (status >= 500) logger.error({ err: error }, 'the API failed');
    return reply.code(status).send({ message: failure.message });
  });
  return app;
}

/** Listens; answers the URL and port (port 0 picks a free one). */
export async function listenApi(app: FastifyInstance, ip: string, port: number): Promise<{ url: string; port: number }> {
  await app.listen({ host: ip, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://${ip}:${bound}`, port: bound };
}
