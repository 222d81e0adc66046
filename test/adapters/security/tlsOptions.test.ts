/**
 * TLS options from --tls-cert/--tls-key: a self-signed certificate for
 * 127.0.0.1 (openssl, and node:crypto alone) serves HTTPS to a client that
 * trusts it; bad combinations are refused with the flag and file named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { httpsOptionsFromFiles } from '../../../adapters/src/security/tlsOptions.js';
import type { HttpsServerOptions } from '../../../adapters/src/security/tlsOptions.js';
import { hasOpenssl, selfSignedWithNodeCrypto, selfSignedWithOpenssl } from './selfSignedCert.js';
import type { CertificatePair } from './selfSignedCert.js';

const dir = mkdtempSync(join(tmpdir(), 'allot-tls-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writePair(name: string, pair: CertificatePair): { tlsCert: string; tlsKey: string } {
  const tlsCert = join(dir, `${name}-cert.pem`);
  const tlsKey = join(dir, `${name}-key.pem`);
  writeFileSync(tlsCert, pair.certPem);
  writeFileSync(tlsKey, pair.keyPem, { mode: 0o600 });
  return { tlsCert, tlsKey };
}

async function servesHttps(options: HttpsServerOptions, ca: string): Promise<string> {
  const server = createServer({ cert: options.cert, key: options.key }, (_request, response) => response.end('over tls'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    return await new Promise<string>((resolve, reject) => {
      const outgoing = request({ host: '127.0.0.1', port, path: '/', ca, timeout: 5000 }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(body));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
  } finally {
    server.close();
  }
}

const makers: Array<[string, () => CertificatePair]> = [['node:crypto', () => selfSignedWithNodeCrypto()]];
if (hasOpenssl()) makers.unshift(['openssl', () => selfSignedWithOpenssl()]);
else console.warn('[security tls] openssl is not installed: only the node:crypto certificate is tested');

describe('httpsOptionsFromFiles', () => {
  it.each(makers)('serves HTTPS on 127.0.0.1 with a self-signed certificate made with %s', async (name, make) => {
    const pair = make();
    const setup = httpsOptionsFromFiles(writePair(name.replace(':', '-'), pair));
    if (!setup.ok || setup.https === null) throw new Error(`expected TLS options, got ${JSON.stringify(setup)}`);
    expect(setup.ok && 'subject' in setup ? setup.subject : '').toContain('CN=127.0.0.1');
    expect(await servesHttps(setup.https, pair.certPem)).toBe('over tls');
  });

  it('means plain HTTP without either flag', () => {
    expect(httpsOptionsFromFiles({})).toEqual({ ok: true, https: null });
  });

  it('refuses bad combinations, naming the flag and the file', () => {
    const good = writePair('good', selfSignedWithNodeCrypto());
    const other = writePair('other', selfSignedWithNodeCrypto());
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    const expired = writePair(
      'expired',
      selfSignedWithNodeCrypto({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2020-01-02T00:00:00Z') }),
    );
    const cases: Array<[Parameters<typeof httpsOptionsFromFiles>[0], RegExp]> = [
      [{ tlsCert: good.tlsCert }, /--tls-cert and --tls-key go together \(got only --tls-cert\)/],
      [{ tlsKey: good.tlsKey }, /got only --tls-key/],
      [{ tlsCert: join(dir, 'missing.pem'), tlsKey: good.tlsKey }, /--tls-cert .*missing\.pem: cannot be read \(ENOENT\)/],
      [{ tlsCert: notPem, tlsKey: good.tlsKey }, /--tls-cert .*not\.pem: not PEM/],
      [{ tlsCert: good.tlsCert, tlsKey: good.tlsCert }, /--tls-key .*good-cert\.pem: not an unencrypted PEM private key/],
      [{ tlsCert: good.tlsCert, tlsKey: other.tlsKey }, /--tls-key .*other-key\.pem: this key does not belong to the certificate/],
      [expired, /--tls-cert .*expired-cert\.pem: expired on/],
    ];
    for (const [flags, message] of cases) {
      const setup = httpsOptionsFromFiles(flags);
      expect(setup.ok ? 'ok' : setup.message).toMatch(message);
    }
  });
});
