/**
 * Generated hostile requests for the master's HTTP APIs (fast-check
 * arbitraries): wrong methods, content types and headers, bodies that are
 * not JSON or not a call, calls with a field of the wrong kind or a bad
 * role, id, resource or uuid, hostile shapes (deep nesting, prototype
 * pollution). Every one of them must be answered with a 4xx. The
 * expensive shapes (quadratic, oversized) are in quadraticShapes.ts.
 */
import fc from 'fast-check';

export type Json = Record<string, any>;

export interface HostileRequest {
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export const JSON_HEADERS = { 'Content-Type': 'application/json' };
const CALL_TYPES = [
  'SUBSCRIBE',
  'TEARDOWN',
  'ACCEPT',
  'DECLINE',
  'REVIVE',
  'SUPPRESS',
  'KILL',
  'SHUTDOWN',
  'ACKNOWLEDGE',
  'RECONCILE',
  'MESSAGE',
  'REQUEST',
  'UPDATE_FRAMEWORK',
];

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const BODY_OPTIONAL = new Set(['TEARDOWN', 'REVIVE', 'SUPPRESS', 'RECONCILE', 'REQUEST']);

/** A value of the wrong kind for almost any field. */
const wrongValue = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.constant(-1),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.constant('\u0000\uffff'),
);

/** A valid-looking body with one field replaced by something invalid, keyed by JSON path. */
function mutate(body: Json, path: ReadonlyArray<string | number>, value: unknown): Json {
  const copy = structuredClone(body);
  let target: any = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path[path.length - 1]] = value;
  return copy;
}

export function acceptBody(frameworkId: string, resources: Json[]): Json {
  return {
    type: 'ACCEPT',
    framework_id: { value: frameworkId },
    accept: {
      offer_ids: [{ value: 'O1' }],
      operations: [
        {
          type: 'LAUNCH',
          launch: {
            task_infos: [{ name: 't', task_id: { value: 't1' }, agent_id: { value: 'a' }, resources, command: { value: 'true' } }],
          },
        },
      ],
    },
  };
}

/** Resources that are structurally JSON but wrong in meaning: each must be refused with its field named. */
const badResources: fc.Arbitrary<Json[]> = fc.oneof<fc.Arbitrary<Json[]>[]>(
  fc.double({ max: -0.001, noNaN: true }).map((value) => [{ name: 'cpus', type: 'SCALAR', scalar: { value } }]),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((name) => !['cpus', 'mem', 'disk', 'gpus', 'ports'].includes(name))
    .map((name) => [{ name, type: 'SCALAR', scalar: { value: 1 } }]),
  fc
    .tuple(fc.integer({ min: 2, max: 65535 }), fc.integer({ min: 1, max: 65535 }))
    .filter(([b, e]) => e < b)
    .map(([begin, end]) => [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin, end }] } }]),
  fc.integer({ min: 65536, max: 1e9 }).map((end) => [{ name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 1, end }] } }]),
  fc
    .constantFrom('a//b', '/x', 'x/', '..', '-x', 'a b')
    .map((role) => [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, reservations: [{ type: 'DYNAMIC', role }] }]),
  fc.constant([
    {
      name: 'disk',
      type: 'SCALAR',
      scalar: { value: 1 },
      disk: { persistence: { id: 'v' }, volume: { container_path: 'data', mode: 'RW' } },
    },
  ]),
  fc.constant([{ name: 'cpus', type: 'SET', set: { item: ['a'] } }]),
  fc.constant([{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, revocable: {} }]),
  wrongValue
    .map((value) => [{ name: 'cpus', type: 'SCALAR', scalar: { value } }])
    .filter((list) => typeof list[0].scalar.value !== 'number' || list[0].scalar.value < 0),
);

export function hostileRequests(frameworkId: string, streamId: string): fc.Arbitrary<HostileRequest> {
  const scheduler = (label: string, body: unknown, headers: Record<string, string> = {}): HostileRequest => ({
    label,
    method: 'POST',
    path: '/api/v1/scheduler',
    headers: { ...JSON_HEADERS, 'Mesos-Stream-Id': streamId, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const subscribeInfo = { user: 'u', name: 'n', roles: ['r'] };
  return fc.oneof(
    // Wrong method, content type or accept header.
    fc
      .constantFrom('GET', 'PUT', 'DELETE', 'PATCH')
      .map((method) => ({ label: `method ${method}`, method, path: '/api/v1/scheduler', headers: {} })),
    fc
      .constantFrom('text/plain', 'application/x-protobuf', 'application/xml', 'multipart/form-data', 'application/jsonx')
      .map((type) => scheduler(`content-type ${type}`, { type: 'REVIVE' }, { 'Content-Type': type })),
    fc
      .constantFrom('text/html', 'application/x-protobuf', 'image/png')
      .map((accept) => scheduler(`accept ${accept}`, { type: 'REVIVE', framework_id: { value: frameworkId } }, { Accept: accept })),
    // Not JSON, or JSON that is not a call.
    fc
      .string({ maxLength: 200 })
      .filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      })
      .map((text) => scheduler('not JSON', text)),
    fc.jsonValue({ maxDepth: 4 }).map((value) => scheduler('random JSON', value)),
    fc
      .record({ type: fc.constantFrom(...CALL_TYPES), framework_id: fc.oneof(wrongValue, fc.constant({ value: frameworkId })) })
      // TEARDOWN, REVIVE, SUPPRESS, RECONCILE and REQUEST need no body: for the real framework they are valid calls.
      .filter(
        (value) =>
          !(BODY_OPTIONAL.has(value.type) && typeof value.framework_id === 'object' && (value.framework_id as Json)?.value === frameworkId),
      )
      .map((value) => scheduler('call without its body', value)),
    fc
      .constantFrom(...CALL_TYPES.filter((type) => type !== 'SUBSCRIBE'))
      .map((type) => scheduler(`${type} without a stream id`, { type, framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': '' })),
    fc
      .uuid()
      .map((id) => scheduler('wrong stream id', { type: 'REVIVE', framework_id: { value: frameworkId } }, { 'Mesos-Stream-Id': id })),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .map((id) => scheduler('framework not subscribed', { type: 'REVIVE', framework_id: { value: `${id}-unknown` } })),
    // SUBSCRIBE with a field of the wrong kind, or a bad role / id.
    fc
      .tuple(fc.constantFrom(['user'], ['name'], ['roles'], ['role'], ['failover_timeout'], ['capabilities'], ['id']), wrongValue)
      .filter(([path, value]) => !(path[0] === 'name' || path[0] === 'user' ? typeof value === 'string' : false))
      .filter(([path, value]) => !(path[0] === 'failover_timeout' && typeof value === 'number' && value >= 0))
      .filter(([path, value]) => !(path[0] === 'roles' && Array.isArray(value) && value.length === 0))
      .filter(([path, value]) => !(path[0] === 'capabilities' && Array.isArray(value) && value.length === 0))
      // Beside a non-empty roles list any role string is ignored: the SUBSCRIBE would succeed.
      .filter(([path, value]) => !(path[0] === 'role' && typeof value === 'string' && value.length > 0))
      .map(([path, value]) => ({
        ...scheduler(`SUBSCRIBE ${path.join('.')}`, {
          type: 'SUBSCRIBE',
          subscribe: { framework_info: mutate(subscribeInfo, path, value) },
        }),
        headers: JSON_HEADERS,
      })),
    fc.constantFrom('a//b', '/r', 'r/', '..', '-r', 'a b', '').map((role) => ({
      ...scheduler(`SUBSCRIBE role "${role}"`, { type: 'SUBSCRIBE', subscribe: { framework_info: { ...subscribeInfo, roles: [role] } } }),
      headers: JSON_HEADERS,
    })),
    fc.constantFrom('../etc', 'a/b', '', 'x'.repeat(300), 'sp ace').map((id) => ({
      ...scheduler('SUBSCRIBE bad id', { type: 'SUBSCRIBE', subscribe: { framework_info: { ...subscribeInfo, id: { value: id } } } }),
      headers: JSON_HEADERS,
    })),
    // ACCEPT with malformed operations or resources.
    badResources.map((resources) => scheduler('ACCEPT bad resources', acceptBody(frameworkId, resources))),
    fc
      .tuple(
        fc.constantFrom(
          ['accept', 'offer_ids'],
          ['accept', 'operations'],
          ['accept', 'filters'],
          ['accept', 'operations', 0, 'type'],
          ['accept', 'operations', 0, 'launch', 'task_infos', 0, 'task_id'],
        ),
        wrongValue,
      )
      // Valid after all: filters {} (no filter), offer_ids [] (the kernel refuses later, 202 as in Mesos).
      .filter(
        ([path, value]) =>
          !(path[1] === 'filters' && isPlainObject(value)) && !(path[1] === 'offer_ids' && Array.isArray(value) && value.length === 0),
      )
      .map(([path, value]) =>
        scheduler(
          `ACCEPT ${path.join('.')}`,
          mutate(acceptBody(frameworkId, [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }]), path, value),
        ),
      )
      .filter((request) => !request.body!.toString().includes('"operations":[]')),
    fc
      .constantFrom('../x', 'a/b', 'x'.repeat(300), 'a b', '.')
      .map((taskId) =>
        scheduler(
          'ACCEPT bad task id',
          mutate(
            acceptBody(frameworkId, [{ name: 'cpus', type: 'SCALAR', scalar: { value: 1 } }]),
            ['accept', 'operations', '0', 'launch', 'task_infos', '0', 'task_id'],
            { value: taskId },
          ),
        ),
      ),
    fc.constant(
      scheduler('ACCEPT task without a command', {
        ...acceptBody(frameworkId, []),
        accept: {
          offer_ids: [],
          operations: [
            { type: 'LAUNCH', launch: { task_infos: [{ name: 't', task_id: { value: 't' }, agent_id: { value: 'a' }, resources: [] }] } },
          ],
        },
      }),
    ),
    fc
      .string({ maxLength: 30 })
      .filter((text) => !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0)
      .map((uuid) =>
        scheduler('ACKNOWLEDGE bad uuid', {
          type: 'ACKNOWLEDGE',
          framework_id: { value: frameworkId },
          acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: uuid || '!' },
        }),
      ),
    fc
      .tuple(
        fc.constantFrom('KILL', 'SHUTDOWN', 'ACKNOWLEDGE', 'DECLINE', 'RECONCILE', 'MESSAGE', 'UPDATE_FRAMEWORK', 'SUPPRESS', 'REVIVE'),
        wrongValue,
      )
      .filter(
        ([type, value]) =>
          !(['RECONCILE', 'SUPPRESS', 'REVIVE'].includes(type) && typeof value === 'object' && value !== null && !Array.isArray(value)),
      )
      .map(([type, value]) =>
        scheduler(`${type} with a malformed body`, { type, framework_id: { value: frameworkId }, [type.toLowerCase()]: value }),
      ),
    // Hostile bodies.
    fc.integer({ min: 100, max: 5000 }).map((depth) => scheduler(`nested ${depth} deep`, `${'['.repeat(depth)}${']'.repeat(depth)}`)),
    fc.integer({ min: 70, max: 2000 }).map((depth) =>
      scheduler(`object nested ${depth} deep`, {
        type: 'REVIVE',
        framework_id: { value: frameworkId },
        revive: JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
      }),
    ),
    fc.constant(scheduler('__proto__ pollution', '{"type":"REVIVE","framework_id":{"value":"x"},"__proto__":{"polluted":true}}')),
    fc.constant(scheduler('constructor pollution', '{"type":"REVIVE","constructor":{"prototype":{"polluted":true}}}')),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => scheduler('binary body', Buffer.from(bytes))),
    fc.constant(scheduler('empty body', '')),
    fc.constant(scheduler('null body', 'null')),
    // Agent and operator endpoints.
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({
      label: 'agent random JSON',
      method: 'POST',
      path: '/api/v1/agent',
      headers: JSON_HEADERS,
      body: JSON.stringify(value),
    })),
    fc
      .tuple(
        fc.constantFrom(['agent', 'id'], ['agent', 'port'], ['agent', 'resources'], ['agent', 'attributes'], ['tasks'], ['executors']),
        wrongValue,
      )
      // Empty lists and objects, and any port number, are valid there.
      .filter(
        ([_path, value]) =>
          !(Array.isArray(value) && value.length === 0) &&
          !(typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0),
      )
      .filter(([path, value]) => !(path[1] === 'port' && Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535))
      .map(([path, value]) => ({
        label: `agent SUBSCRIBE ${path.join('.')}`,
        method: 'POST',
        path: '/api/v1/agent',
        headers: JSON_HEADERS,
        body: JSON.stringify({
          type: 'SUBSCRIBE',
          agent_id: 'evil',
          subscribe: mutate({ agent: { id: 'evil', hostname: 'h', port: 1, resources: [], attributes: {} }, tasks: [] }, path, value),
        }),
      })),
    badResources.map((resources) => ({
      label: 'agent SUBSCRIBE bad resources',
      method: 'POST',
      path: '/api/v1/agent',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        type: 'SUBSCRIBE',
        agent_id: 'evil',
        subscribe: { agent: { id: 'evil', hostname: 'h', port: 1, resources } },
      }),
    })),
    fc.constant({
      label: 'agent UPDATE from a stranger',
      method: 'POST',
      path: '/api/v1/agent',
      headers: JSON_HEADERS,
      body: JSON.stringify({
        type: 'UPDATE',
        agent_id: 'stranger',
        update: { task_id: 't', framework_id: frameworkId, state: 'TASK_FINISHED', uuid: 'u' },
      }),
    }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => ({
      label: 'operator random JSON',
      method: 'POST',
      path: '/api/v1',
      headers: JSON_HEADERS,
      body: JSON.stringify(value),
    })),
    badResources.map((resources) => ({
      label: 'operator RESERVE bad resources',
      method: 'POST',
      path: '/api/v1',
      headers: JSON_HEADERS,
      body: JSON.stringify({ type: 'RESERVE_RESOURCES', reserve_resources: { agent_id: { value: 'a' }, resources } }),
    })),
    fc.constantFrom(0, -1, 'x', null).map((weight) => ({
      label: `operator weight ${weight}`,
      method: 'POST',
      path: '/api/v1',
      headers: JSON_HEADERS,
      body: JSON.stringify({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'r', weight }] } }),
    })),
    fc.constant({
      label: 'operator quota on unknown resource',
      method: 'POST',
      path: '/api/v1',
      headers: JSON_HEADERS,
      body: JSON.stringify({ type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'r', guarantees: { bogus: { value: 1 } } }] } }),
    }),
    fc.constant({
      label: 'operator quota on a nested role',
      method: 'POST',
      path: '/api/v1',
      headers: JSON_HEADERS,
      body: JSON.stringify({ type: 'UPDATE_QUOTA', update_quota: { quota_configs: [{ role: 'a/b', limits: { cpus: { value: 1 } } }] } }),
    }),
  );
}
