/**
 * HTTPS server options from `--tls-cert FILE --tls-key FILE`, checked before
 * the server starts: both flags or neither, readable PEM files, a key that
 * belongs to the certificate, and a certificate valid now. Errors name the
 * flag and file; the result goes to fastify's `https` option (or
 * node:https.createServer) unchanged.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface TlsFlags {
  tlsCert?: string | null;
  tlsKey?: string | null;
}

export interface HttpsServerOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export type TlsSetup =
  | { ok: true; https: null }
  | { ok: true; https: HttpsServerOptions; subject: string; validToMs: number }
  | { ok: false; message: string };

export function httpsOptionsFromFiles(flags: TlsFlags, nowMs: number = Date.now()): TlsSetup {
  const certPath = flags.tlsCert ?? null;
  const keyPath = flags.tlsKey ?? null;
  if (certPath === null && keyPath === null) return { ok: true, https: null };
  if (certPath === null || keyPath === null)
    return { ok: false, message: `--tls-cert and --tls-key go together (got only ${certPath === null ? '--tls-key' : '--tls-cert'})` };
  const cert = readPem(certPath, '--tls-cert');
  if (!cert.ok) return cert;
  const key = readPem(keyPath, '--tls-key');
  if (!key.ok) return key;
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert.bytes);
  } catch (error) {
    return { ok: false, message: `--tls-cert ${certPath}: not a PEM certificate (${(error as Error).message})` };
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key.bytes);
  } catch (error) {
    return { ok: false, message: `--tls-key ${keyPath}: not an unencrypted PEM private key (${(error as Error).message})` };
  }
  if (!certificate.checkPrivateKey(privateKey))
    return { ok: false, message: `--tls-key ${keyPath}: this key does not belong to the certificate in ${certPath}` };
  const validFromMs = Date.parse(certificate.validFrom);
  const validToMs = Date.parse(certificate.validTo);
  if (nowMs < validFromMs) return { ok: false, message: `--tls-cert ${certPath}: not valid before ${certificate.validFrom}` };
  if (nowMs > validToMs) return { ok: false, message: `--tls-cert ${certPath}: expired on ${certificate.validTo}` };
  return { ok: true, https: { cert: cert.bytes, key: key.bytes }, subject: certificate.subject, validToMs };
}

function readPem(path: string, flag: string): { ok: true; bytes: Buffer } | { ok: false; message: string } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    return { ok: false, message: `${flag} ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
  if (bytes.length > 1_000_000) return { ok: false, message: `${flag} ${path}: larger than 1 MB, not a PEM file` };
  if (!bytes.includes('-----BEGIN ')) return { ok: false, message: `${flag} ${path}: not PEM (no "-----BEGIN" line)` };
  return { ok: true, bytes };
}
