/**
 * The HA and security flags of `allot master`: etcd endpoints parsed
 * strictly, and every bad combination refused with exit 2 and a message
 * naming the flag (or the security file and JSON path) before anything
 * listens.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEndpoints } from '../../../adapters/src/ha/etcdClient.js';

const LAUNCHER = fileURLToPath(new URL('../../../adapters/bin/allot.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'allot-ha-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function allot(...args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    // A liveness bound: four of these start at once, and on a busy machine loading the daemon's modules is slow.
    execFile(process.execPath, [LAUNCHER, ...args], { timeout: 120_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr }),
    );
  });
}

describe('parseEndpoints', () => {
  it('takes comma-separated http(s) URLs with a port and nothing else', () => {
    expect(parseEndpoints('http://127.0.0.1:2379, https://etcd-2:2379/')).toEqual({
      ok: true,
      endpoints: ['http://127.0.0.1:2379', 'https://etcd-2:2379'],
    });
    expect(parseEndpoints('')).toMatchObject({ ok: false, message: expect.stringMatching(/one or more URLs/) });
    expect(parseEndpoints('127.0.0.1:2379')).toMatchObject({ ok: false, message: expect.stringMatching(/is not a URL/) });
    expect(parseEndpoints('unix://x:1')).toMatchObject({ ok: false, message: expect.stringMatching(/must start with http/) });
    expect(parseEndpoints('http://127.0.0.1')).toMatchObject({ ok: false, message: expect.stringMatching(/needs a port/) });
    expect(parseEndpoints('http://u:p@127.0.0.1:2379/v3')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/just scheme:\/\/host:port/),
    });
  });
});

describe('allot master: HA and security flags', () => {
  it('refuses bad combinations with exit 2, naming the flag or the file and path', async () => {
    const security = join(dir, 'security.json');
    writeFileSync(
      security,
      JSON.stringify({ credentials: [{ principal: 'a', secret: '12345678' }], authorization: { launch_tasks: [{ principals: ['a'] }] } }),
    );
    const cert = join(dir, 'cert.pem');
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\n');
    const results = await Promise.all([
      allot('master', '--port', '0', '--store', 'etcd'),
      allot('master', '--port', '0', '--store', 'etcd', '--etcd', 'ftp://127.0.0.1:2379'),
      allot('master', '--port', '0', '--store', 'memory', '--security', security),
      allot('master', '--port', '0', '--store', 'memory', '--tls-cert', cert),
    ]);
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2]);
    expect(results[0].stderr).toContain('--store etcd needs --etcd URL');
    expect(results[1].stderr).toContain('"ftp://127.0.0.1:2379" must start with http:// or https://');
    expect(results[2].stderr).toContain(`security file ${security}: $.authorization.launch_tasks[0].roles: is required`);
    expect(results[3].stderr).toContain('--tls-cert and --tls-key go together (got only --tls-cert)');
  });
});
