/**
 * The security file: the documented example parses to the expected rules,
 * and each kind of mistake is refused with the file and JSON path named
 * (and never with a secret or token echoed back).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecurityConfig, parseSecurityConfig } from '../../../adapters/src/security/securityConfig.js';
import { EXAMPLE } from './exampleSecurity.js';

const dir = mkdtempSync(join(tmpdir(), 'allot-security-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('security file', () => {
  it('loads the documented example', () => {
    const path = join(dir, 'security.json');
    writeFileSync(path, JSON.stringify(EXAMPLE, null, 2));
    const config = loadSecurityConfig(path);
    expect(config.credentials.map((credential) => credential.principal)).toEqual(['spark', 'marathon', 'admin', 'viewer']);
    expect(config.credentials[2]).toEqual({ principal: 'admin', secret: null, tokens: ['admin-token-0123456789abcdef'] });
    expect(config.agentSecret).toBe('agents-shared-secret');
    expect(config.authorization?.registerFrameworks[0]).toEqual({ principals: ['spark'], roles: ['analytics', 'analytics/*'] });
    expect(config.authorization?.killTasks).toEqual([{ principals: ['admin'], objects: ['*'] }]);
    expect(config.authorization?.unreserveResources).toEqual([]);
  });

  it('means authorization off when the section is absent', () => {
    expect(
      parseSecurityConfig(JSON.stringify({ credentials: [{ principal: 'a', secret: '12345678' }] }), 'f.json').authorization,
    ).toBeNull();
  });

  it('names the file and the JSON path of every mistake', () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'security file f.json: $.credentials: is required'],
      [{ credentials: {} }, '$.credentials: expected a list'],
      [{ credentials: [{ principal: 'a b', secret: '12345678' }] }, '$.credentials[0].principal: expected a principal name'],
      [{ credentials: [{ principal: 'a', secret: 'short' }] }, '$.credentials[0].secret: expected a secret of at least 8 bytes'],
      [{ credentials: [{ principal: 'a' }] }, '$.credentials[0]: a credential needs a "secret", "tokens" or both'],
      [
        {
          credentials: [
            { principal: 'a', secret: '12345678' },
            { principal: 'a', secret: '12345678' },
          ],
        },
        '$.credentials[1].principal: principal "a" is listed twice',
      ],
      [
        {
          credentials: [
            { principal: 'a', tokens: ['tok-0123456789abcdef'] },
            { principal: 'b', tokens: ['tok-0123456789abcdef'] },
          ],
        },
        '$.credentials[1].tokens[0]: this token is already given',
      ],
      [{ credentials: [{ principal: 'a', secret: '12345678', password: 'x' }] }, '$.credentials[0]: unknown field "password"'],
      [{ credentials: [], authorization: { lanch_tasks: [] } }, '$.authorization: unknown field "lanch_tasks"'],
      [{ credentials: [], authorization: { launch_tasks: [{ principals: ['a'] }] } }, '$.authorization.launch_tasks[0].roles: is required'],
      [
        { credentials: [], authorization: { launch_tasks: [{ principals: ['a'], roles: ['a//b'] }] } },
        '$.authorization.launch_tasks[0].roles[0]: expected a role name, "*" or "parent/*", got "a//b"',
      ],
      [
        { credentials: [], authorization: { kill_tasks: [{ principals: ['a'], roles: ['*'] }] } },
        '$.authorization.kill_tasks[0]: unknown field "roles" (allowed: principals, framework_principals)',
      ],
      [
        { credentials: [], authorization: { operator_calls: [{ principals: [], calls: ['*'] }] } },
        '$.authorization.operator_calls[0].principals: expected a non-empty list',
      ],
      [
        { credentials: [], authorization: { operator_calls: [{ principals: ['*'], calls: ['get_state'] }] } },
        '$.authorization.operator_calls[0].calls[0]: expected an operator call',
      ],
    ];
    for (const [json, message] of cases) expect(() => parseSecurityConfig(JSON.stringify(json), 'f.json')).toThrow(message);
    expect(() => parseSecurityConfig('{', 'f.json')).toThrow('security file f.json: not JSON');
    expect(() => loadSecurityConfig(join(dir, 'missing.json'))).toThrow(/security file .*missing\.json: cannot be read \(ENOENT\)/);
  });

  it('never echoes a token in an error', () => {
    const token = 'short-token';
    expect(() => parseSecurityConfig(JSON.stringify({ credentials: [{ principal: 'a', tokens: [token] }] }), 'f.json')).toThrow(
      /tokens\[0\]: a token must be 16-4096 bytes$/,
    );
  });
});
