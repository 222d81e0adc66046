/**
 * An agent started with a certificate and key serves its /health and /state
 * over HTTPS (the agent's side of "TLS on the master's and agents' HTTP
 * endpoints"); its master connection is not needed for that.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startAgent } from '../../../adapters/src/agentDaemon/agentDaemon.js';
import { httpsOptionsFromFiles } from '../../../adapters/src/security/tlsOptions.js';
import { freePort } from '../ha/etcdHarness.js';
import { selfSigned } from './selfSignedCert.js';

function getOverTls(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { ca, timeout: 5000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('an agent with TLS', () => {
  it('serves /health over HTTPS with the certificate from --tls-cert/--tls-key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'allot-agent-tls-'));
    chmodSync(dir, 0o755);
    const pair = selfSigned();
    writeFileSync(join(dir, 'cert.pem'), pair.certPem);
    writeFileSync(join(dir, 'key.pem'), pair.keyPem);
    const tls = httpsOptionsFromFiles({ tlsCert: join(dir, 'cert.pem'), tlsKey: join(dir, 'key.pem') });
    if (!tls.ok || !tls.https) throw new Error('no TLS options');
    // No master listens there: the agent keeps retrying in the background, which is fine for this test.
    const started = await startAgent({
      masterUrl: `http://127.0.0.1:${await freePort()}`,
      workDir: join(dir, 'agent'),
      port: 0,
      isolation: 'posix',
      resources: 'cpus:1;mem:256',
      logger: pino({ level: 'silent' }),
      https: tls.https,
    });
    if (!started.ok) throw new Error(started.message);
    try {
      expect(started.agent.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const health = await getOverTls(`${started.agent.url}/health`, pair.certPem);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ healthy: true });
    } finally {
      await started.agent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
