/**
 * The service API's CORS (serviceCors.ts) on a bare fastify app with one
 * read and one write route: `--cors-origin` parsing, a list of origins
 * (others get no CORS header), `none`, and cross-origin writes refused with
 * 403 before the handler runs, while same-origin and Origin-less writes pass.
 */
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { CorsOrigins } from '../../../adapters/src/service/serviceCors.js';
import { parseCorsOrigins, registerServiceCors } from '../../../adapters/src/service/serviceCors.js';

async function app(origins: CorsOrigins) {
  const server = Fastify();
  let writes = 0;
  await registerServiceCors(server, origins);
  server.get('/v1/plans', async () => ['deploy']);
  server.post('/v1/plans/deploy/interrupt', async () => {
    writes += 1;
    return { message: 'Received cmd: interrupt' };
  });
  await server.ready();
  return { server, writes: () => writes };
}

describe('--cors-origin', () => {
  it('parses *, none and lists of origins, and names what is wrong', () => {
    expect(parseCorsOrigins('*')).toEqual({ ok: true, value: { kind: 'any' } });
    expect(parseCorsOrigins('none')).toEqual({ ok: true, value: { kind: 'none' } });
    expect(parseCorsOrigins('http://a:5173, https://ops.example.com/')).toEqual({
      ok: true,
      value: { kind: 'list', origins: ['http://a:5173', 'https://ops.example.com'] },
    });
    const bad = parseCorsOrigins('http://a:1,ops.example.com');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.message).toMatch(/"ops.example.com"/);
  });
});

describe('service API CORS', () => {
  it('lets the listed origins read, not others', async () => {
    const { server } = await app({ kind: 'list', origins: ['http://play:5173'] });
    const allowed = await server.inject({ method: 'GET', url: '/v1/plans', headers: { origin: 'http://play:5173' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('http://play:5173');
    const other = await server.inject({ method: 'GET', url: '/v1/plans', headers: { origin: 'http://evil:80' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await server.close();
  });

  it('with none sends no CORS header', async () => {
    const { server } = await app({ kind: 'none' });
    const read = await server.inject({ method: 'GET', url: '/v1/plans', headers: { origin: 'http://play:5173' } });
    expect(read.statusCode).toBe(200);
    expect(read.headers['access-control-allow-origin']).toBeUndefined();
    await server.close();
  });

  it('refuses cross-origin writes before they run; same-origin and Origin-less writes pass', async () => {
    const { server, writes } = await app({ kind: 'any' });
    const cross = await server.inject({ method: 'POST', url: '/v1/plans/deploy/interrupt', headers: { origin: 'http://play:5173' } });
    expect(cross.statusCode).toBe(403);
    expect(writes()).toBe(0);
    const same = await server.inject({
      method: 'POST',
      url: '/v1/plans/deploy/interrupt',
      headers: { origin: 'http://svc:8080', host: 'svc:8080' },
    });
    expect(same.statusCode).toBe(200);
    const plain = await server.inject({ method: 'POST', url: '/v1/plans/deploy/interrupt' });
    expect(plain.statusCode).toBe(200);
    expect(writes()).toBe(2);
    await server.close();
  });
});
