/**
 * Authentication from headers, as a table: basic and bearer credentials map
 * to principals; anything missing, malformed or wrong is 401 with a reason
 * and a challenge; agents present the shared secret.
 */
import { describe, expect, it } from 'vitest';
import { AGENT_CHALLENGE, authenticateAgent, CHALLENGE, createAuthenticator } from '../../../adapters/src/security/authenticate.js';
import { parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { EXAMPLE } from './exampleSecurity.js';

const config = parseSecurityConfig(JSON.stringify(EXAMPLE), 'example.json');
const authenticator = createAuthenticator(config.credentials);
const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('authenticate', () => {
  it.each([
    ['basic, right secret', { authorization: basic('spark:spark-secret') }, 'spark'],
    ['basic, secret containing a colon is fine', { authorization: basic('viewer:viewer-secret') }, 'viewer'],
    ['bearer token', { authorization: 'Bearer admin-token-0123456789abcdef' }, 'admin'],
    ['scheme in any case', { authorization: 'bearer marathon-token-0123456789' }, 'marathon'],
  ])('accepts %s', (_name, headers, principal) => {
    expect(authenticator.authenticate(headers)).toMatchObject({ ok: true, principal });
  });

  it.each([
    ['no header', {}, /authentication required/],
    ['empty header', { authorization: '' }, /authentication required/],
    ['wrong secret', { authorization: basic('spark:wrong-secret') }, /wrong principal or secret/],
    ['unknown principal', { authorization: basic('nobody:spark-secret') }, /wrong principal or secret/],
    ['basic for a token-only principal', { authorization: basic('admin:admin-token-0123456789abcdef') }, /wrong principal or secret/],
    ['unknown token', { authorization: 'Bearer not-a-known-token-at-all' }, /bearer token is not valid/],
    ['a secret as a bearer token', { authorization: 'Bearer spark-secret' }, /bearer token is not valid/],
    ['basic without a colon', { authorization: basic('sparkspark-secret') }, /base64 of "principal:secret"/],
    ['basic that is not base64', { authorization: 'Basic %%%' }, /base64/],
    ['unsupported scheme', { authorization: 'Digest abc' }, /unsupported authorization scheme "digest"/],
    ['no credentials after the scheme', { authorization: 'Bearer' }, /must be "<scheme> <credentials>"/],
    ['two headers', { authorization: ['Bearer a', 'Bearer b'] }, /more than one Authorization header/],
    ['a huge header', { authorization: `Bearer ${'x'.repeat(10_000)}` }, /longer than 8192 bytes/],
  ])('refuses %s with 401', (_name, headers, reason) => {
    const result = authenticator.authenticate(headers);
    expect(result).toMatchObject({ ok: false, status: 401, challenge: CHALLENGE });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('checks the agents shared secret (or nothing when none is configured)', () => {
    expect(authenticateAgent('agents-shared-secret', { authorization: 'Bearer agents-shared-secret' })).toMatchObject({
      ok: true,
      principal: 'agent',
    });
    expect(authenticateAgent('agents-shared-secret', { authorization: 'Bearer agents-shared-secreT' })).toMatchObject({
      ok: false,
      status: 401,
      challenge: AGENT_CHALLENGE,
    });
    expect(authenticateAgent('agents-shared-secret', {})).toMatchObject({ ok: false, status: 401 });
    expect(authenticateAgent(null, {})).toMatchObject({ ok: true });
  });
});
