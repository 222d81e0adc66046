/**
 * The security file (`--security FILE`, JSON): credentials of principals
 * (basic secret and/or bearer tokens), the agents' shared secret, and
 * optional authorization rules. Validated once at load, with errors naming
 * the file and the JSON path; unknown fields are errors too, because a
 * misspelt rule would otherwise silently deny (or allow) something.
 */
import { readFileSync } from 'node:fs';
import type { Reader } from './configReader.js';
import { readObject, readStringList, SecurityConfigError } from './configReader.js';

export interface Credential {
  readonly principal: string;
  /** For `Authorization: Basic base64(principal:secret)`; null = basic auth not allowed for this principal. */
  readonly secret: string | null;
  /** For `Authorization: Bearer <token>`. */
  readonly tokens: readonly string[];
}

/** Principals a rule applies to: names, or "*" for any authenticated principal. */
export interface RoleRule {
  readonly principals: readonly string[];
  /** Role names, "*" for every role, or "a/*" for every role strictly below a. */
  readonly roles: readonly string[];
}

export interface PrincipalRule {
  readonly principals: readonly string[];
  /** Whose frameworks (or reservations, volumes) the principals may act on; "*" = anyone's. */
  readonly objects: readonly string[];
}

/** Mesos's `run_tasks` ACL: the users the principals' tasks may run as (`command.user`). */
export interface RunTasksRule {
  readonly principals: readonly string[];
  /** User names, or "*" for any user (root included). */
  readonly users: readonly string[];
}

export interface OperatorCallRule {
  readonly principals: readonly string[];
  /** Operator call types such as GET_STATE, or "*". */
  readonly calls: readonly string[];
}

export interface AuthorizationRules {
  readonly registerFrameworks: readonly RoleRule[];
  readonly reserveResources: readonly RoleRule[];
  readonly unreserveResources: readonly PrincipalRule[];
  readonly createVolumes: readonly RoleRule[];
  readonly destroyVolumes: readonly PrincipalRule[];
  readonly launchTasks: readonly RoleRule[];
  readonly killTasks: readonly PrincipalRule[];
  readonly teardownFrameworks: readonly PrincipalRule[];
  readonly operatorCalls: readonly OperatorCallRule[];
  readonly runTasks: readonly RunTasksRule[];
}

export interface SecurityConfig {
  readonly credentials: readonly Credential[];
  readonly agentSecret: string | null;
  /** Null = authorization off: an authenticated principal may do anything (except act for another's framework). */
  readonly authorization: AuthorizationRules | null;
}

const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const ROLE_PATTERN = /^(\*|[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*(\/\*)?)$/;
const CALL = /^(\*|[A-Z][A-Z_]{0,63})$/;
const USER = /^(\*|[A-Za-z_][A-Za-z0-9._-]{0,31}\$?)$/;
const SECRET_BYTES_MIN = 8;

export function loadSecurityConfig(path: string): SecurityConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SecurityConfigError(
      `security file ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  return parseSecurityConfig(text, path);
}

export function parseSecurityConfig(text: string, source: string): SecurityConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SecurityConfigError(`security file ${source}: not JSON (${(error as Error).message})`);
  }
  const root = readObject(json, { source, path: '$' }, ['credentials', 'agentSecret', 'authorization']);
  const credentials = readCredentials(root.field('credentials', { required: true }));
  const agentSecretAt = root.field('agentSecret');
  const agentSecret = agentSecretAt.value === undefined || agentSecretAt.value === null ? null : readSecret(agentSecretAt);
  const authorizationAt = root.field('authorization');
  const authorization = authorizationAt.value === undefined || authorizationAt.value === null ? null : readAuthorization(authorizationAt);
  return { credentials, agentSecret, authorization };
}

function readCredentials(at: Reader): Credential[] {
  if (!Array.isArray(at.value)) throw at.error('expected a list of { "principal", "secret", "tokens" }');
  if (at.value.length > 10_000) throw at.error('at most 10000 credentials');
  const principals = new Set<string>();
  const tokens = new Set<string>();
  return at.value.map((_, index) => {
    const entry = readObject(at.value[index], at.item(index), ['principal', 'secret', 'tokens']);
    const principalAt = entry.field('principal', { required: true });
    if (typeof principalAt.value !== 'string' || !PRINCIPAL.test(principalAt.value))
      throw principalAt.error('expected a principal name: 1-128 letters, digits, ".", "_", "@" or "-"');
    if (principals.has(principalAt.value)) throw principalAt.error(`principal "${principalAt.value}" is listed twice`);
    principals.add(principalAt.value);
    const secretAt = entry.field('secret');
    const secret = secretAt.value === undefined || secretAt.value === null ? null : readSecret(secretAt);
    const tokensAt = entry.field('tokens');
    const list =
      tokensAt.value === undefined
        ? []
        : readStringList(
            tokensAt,
            (token) => (Buffer.byteLength(token) >= 16 && Buffer.byteLength(token) <= 4096 ? null : 'a token must be 16-4096 bytes'),
            { secret: true },
          );
    for (const [tokenIndex, token] of list.entries()) {
      if (tokens.has(token)) throw tokensAt.item(tokenIndex).error('this token is already given to a principal (tokens must be unique)');
      tokens.add(token);
    }
    if (secret === null && list.length === 0) throw entry.here().error('a credential needs a "secret", "tokens" or both');
    return { principal: principalAt.value, secret, tokens: list };
  });
}

function readSecret(at: Reader): string {
  if (typeof at.value !== 'string' || Buffer.byteLength(at.value) < SECRET_BYTES_MIN)
    throw at.error(`expected a secret of at least ${SECRET_BYTES_MIN} bytes`);
  if (Buffer.byteLength(at.value) > 4096) throw at.error('a secret is at most 4096 bytes');
  return at.value;
}

const ROLE_RULE_LISTS = ['register_frameworks', 'reserve_resources', 'create_volumes', 'launch_tasks'] as const;
const PRINCIPAL_RULE_LISTS = {
  unreserve_resources: 'reserver_principals',
  destroy_volumes: 'creator_principals',
  kill_tasks: 'framework_principals',
  teardown_frameworks: 'framework_principals',
} as const;

function readAuthorization(at: Reader): AuthorizationRules {
  const rules = readObject(at.value, at, [...ROLE_RULE_LISTS, ...Object.keys(PRINCIPAL_RULE_LISTS), 'operator_calls', 'run_tasks']);
  const roleRules = (name: (typeof ROLE_RULE_LISTS)[number]) =>
    readRules(rules.field(name), ['principals', 'roles'], (entry) => ({
      principals: readPrincipals(entry.field('principals', { required: true })),
      roles: readStringList(entry.field('roles', { required: true }), (role) =>
        ROLE_PATTERN.test(role) ? null : 'expected a role name, "*" or "parent/*"',
      ),
    }));
  const principalRules = (name: keyof typeof PRINCIPAL_RULE_LISTS) =>
    readRules(rules.field(name), ['principals', PRINCIPAL_RULE_LISTS[name]], (entry) => ({
      principals: readPrincipals(entry.field('principals', { required: true })),
      objects: readPrincipals(entry.field(PRINCIPAL_RULE_LISTS[name], { required: true })),
    }));
  return {
    registerFrameworks: roleRules('register_frameworks'),
    reserveResources: roleRules('reserve_resources'),
    unreserveResources: principalRules('unreserve_resources'),
    createVolumes: roleRules('create_volumes'),
    destroyVolumes: principalRules('destroy_volumes'),
    launchTasks: roleRules('launch_tasks'),
    killTasks: principalRules('kill_tasks'),
    teardownFrameworks: principalRules('teardown_frameworks'),
    operatorCalls: readRules(rules.field('operator_calls'), ['principals', 'calls'], (entry) => ({
      principals: readPrincipals(entry.field('principals', { required: true })),
      calls: readStringList(entry.field('calls', { required: true }), (call) =>
        CALL.test(call) ? null : 'expected an operator call such as GET_STATE, or "*"',
      ),
    })),
    runTasks: readRules(rules.field('run_tasks'), ['principals', 'users'], (entry) => ({
      principals: readPrincipals(entry.field('principals', { required: true })),
      users: readStringList(entry.field('users', { required: true }), (user) => (USER.test(user) ? null : 'expected a user name or "*"')),
    })),
  };
}

function readRules<T>(at: Reader, fields: readonly string[], read: (entry: ReturnType<typeof readObject>) => T): T[] {
  if (at.value === undefined) return [];
  if (!Array.isArray(at.value)) throw at.error(`expected a list of rules, each { ${fields.map((field) => `"${field}"`).join(', ')} }`);
  if (at.value.length > 10_000) throw at.error('at most 10000 rules');
  return at.value.map((_, index) => read(readObject(at.value[index], at.item(index), fields)));
}

function readPrincipals(at: Reader): string[] {
  return readStringList(at, (name) => (name === '*' || PRINCIPAL.test(name) ? null : 'expected a principal name or "*"'));
}
