/**
 * A self-signed certificate for 127.0.0.1 for the TLS tests: made with
 * `openssl` when it is installed, else built here with node:crypto alone
 * (a P-256 key and a minimal X.509 v3 certificate encoded in DER by hand,
 * since node can parse certificates but not create them).
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificatePair {
  certPem: string;
  keyPem: string;
  madeWith: 'openssl' | 'node:crypto';
}

export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
}

export function selfSignedWithOpenssl(validDays = 1): CertificatePair {
  const dir = mkdtempSync(join(tmpdir(), 'allot-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const args = [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      String(validDays),
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ];
    const run = spawnSync('openssl', args, { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr}`);
    return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), madeWith: 'openssl' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function selfSignedWithNodeCrypto(options: { notBefore?: Date; notAfter?: Date } = {}): CertificatePair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 24 * 3600_000);
  const ecdsaWithSha256 = der(0x30, oid([1, 2, 840, 10045, 4, 3, 2]));
  const name = der(0x30, der(0x31, der(0x30, oid([2, 5, 4, 3]), der(0x0c, Buffer.from('127.0.0.1')))));
  const subjectAltName = der(0x30, der(0x30, oid([2, 5, 29, 17]), der(0x04, der(0x30, der(0x87, Buffer.from([127, 0, 0, 1]))))));
  const tbs = der(
    0x30,
    der(0xa0, der(0x02, Buffer.from([2]))), // version v3
    der(0x02, Buffer.from([0x01, ...Array.from({ length: 8 }, () => Math.floor(Math.random() * 256))])), // positive serial
    ecdsaWithSha256,
    name,
    der(0x30, utcTime(notBefore), utcTime(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    der(0xa3, subjectAltName),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = der(0x30, tbs, ecdsaWithSha256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    madeWith: 'node:crypto',
  };
}

export function selfSigned(): CertificatePair {
  return hasOpenssl() ? selfSignedWithOpenssl() : selfSignedWithNodeCrypto();
}

function der(tag: number, ...parts: Buffer[]): Buffer {
  const content = Buffer.concat(parts);
  const length = content.length;
  if (length < 0x80) return Buffer.concat([Buffer.from([tag, length]), content]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.concat([Buffer.from([tag, 0x80 | bytes.length, ...bytes]), content]);
}

function oid(arcs: number[]): Buffer {
  const bytes = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    for (let rest = arc; ; rest = Math.floor(rest / 128)) {
      groups.unshift(rest % 128);
      if (rest < 128) break;
    }
    bytes.push(...groups.map((group, index) => (index < groups.length - 1 ? group | 0x80 : group)));
  }
  return der(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'; // YYMMDDHHMMSSZ
  return der(0x17, Buffer.from(text));
}
