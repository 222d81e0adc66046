/**
 * Authentication from HTTP headers, independent of any server library:
 * `Authorization: Basic base64(principal:secret)` or `Bearer <token>` for
 * frameworks and operators, `Bearer <agent secret>` for agents. Secrets are
 * compared as SHA-256 digests with timingSafeEqual, and tokens are looked up
 * by digest, so neither a wrong secret nor an unknown token leaks by timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Credential } from './securityConfig.js';

export type Authentication =
  | { ok: true; principal: string; method: 'basic' | 'bearer' }
  | { ok: false; status: 401; reason: string /** The WWW-Authenticate header to answer with. */; challenge: string };

/** Header values as node's http and fastify give them. */
export type Headers = Readonly<Record<string, string | readonly string[] | undefined>>;

export const CHALLENGE = 'Basic realm="allot", Bearer realm="allot"';
export const AGENT_CHALLENGE = 'Bearer realm="allot-agents"';
const HEADER_BYTES_MAX = 8192;

export interface Authenticator {
  authenticate(headers: Headers): Authentication;
}

export function createAuthenticator(credentials: readonly Credential[]): Authenticator {
  const secretDigests = new Map<string, Buffer>();
  const tokenPrincipals = new Map<string, string>();
  for (const credential of credentials) {
    if (credential.secret !== null) secretDigests.set(credential.principal, digest(credential.secret));
    for (const token of credential.tokens) tokenPrincipals.set(digest(token).toString('hex'), credential.principal);
  }
  // Compared against when the principal is unknown, so that the time taken does not say which principals exist.
  const decoy = digest('allot: no such principal');
  return {
    authenticate(headers) {
      const header = authorizationHeader(headers);
      if (!header.ok) return refuse(header.reason, CHALLENGE);
      const { scheme, value } = header;
      if (scheme === 'bearer') {
        const principal = tokenPrincipals.get(digest(value).toString('hex'));
        return principal === undefined ? refuse('the bearer token is not valid', CHALLENGE) : { ok: true, principal, method: 'bearer' };
      }
      if (scheme !== 'basic') return refuse(`unsupported authorization scheme "${scheme.slice(0, 32)}" (use Basic or Bearer)`, CHALLENGE);
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0 || !/^[A-Za-z0-9+/]+=*$/.test(value))
        return refuse('basic credentials must be base64 of "principal:secret"', CHALLENGE);
      const principal = decoded.slice(0, colon);
      const expected = secretDigests.get(principal);
      const matches = timingSafeEqual(digest(decoded.slice(colon + 1)), expected ?? decoy);
      if (!expected || !matches) return refuse('wrong principal or secret', CHALLENGE);
      return { ok: true, principal, method: 'basic' };
    },
  };
}

/** Agents present the cluster's shared secret as a bearer token (no secret configured = no check). */
export function authenticateAgent(agentSecret: string | null, headers: Headers): Authentication {
  if (agentSecret === null) return { ok: true, principal: 'agent', method: 'bearer' };
  const header = authorizationHeader(headers);
  if (!header.ok) return refuse(header.reason, AGENT_CHALLENGE);
  if (header.scheme !== 'bearer' || !timingSafeEqual(digest(header.value), digest(agentSecret)))
    return refuse('the agent secret is missing or wrong', AGENT_CHALLENGE);
  return { ok: true, principal: 'agent', method: 'bearer' };
}

function authorizationHeader(headers: Headers): { ok: true; scheme: string; value: string } | { ok: false; reason: string } {
  const raw = headers.authorization ?? headers.Authorization;
  if (raw === undefined || raw === '')
    return { ok: false, reason: 'authentication required: send Authorization: Basic or Bearer credentials' };
  if (typeof raw !== 'string') return { ok: false, reason: 'more than one Authorization header' };
  if (raw.length > HEADER_BYTES_MAX) return { ok: false, reason: `the Authorization header is longer than ${HEADER_BYTES_MAX} bytes` };
  const match = /^([A-Za-z]+) +(\S+) *$/.exec(raw);
  if (!match) return { ok: false, reason: 'the Authorization header must be "<scheme> <credentials>"' };
  return { ok: true, scheme: match[1].toLowerCase(), value: match[2] };
}

function refuse(reason: string, challenge: string): Authentication {
  return { ok: false, status: 401, reason, challenge };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
