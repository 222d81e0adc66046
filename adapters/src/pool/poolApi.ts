/**
 * Myriad's REST API on the pool runtime: `PUT /api/cluster/flexup
 * {instances, profile, constraints}` and `PUT /api/cluster/flexdown
 * {instances, profile}` answer `202 Accepted` (text/plain) or `400` with
 * Myriad's messages ("'profile' is null or empty", "Profile does not exist:
 * 'x'", "Invalid instance size: 0", ...); a flex down of more workers than
 * may go (the spec's nmInstances stay) takes what it can and says so, as
 * Myriad does. `GET /api/state` lists worker task ids by state, `GET
 * /api/config` the profiles and the framework.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { PlacementConstraint } from '@allot/kernel';
import { parseConstraint } from '@allot/kernel';
import { isObject } from '../marathon/validation.js';
import type { PoolRuntime } from './poolRuntime.js';

type Json = Record<string, any>;

const LIKE_FORMAT = "'<mesos_slave_attribute|hostname> LIKE <value_regex>'";

export function registerPoolApi(app: FastifyInstance, runtime: PoolRuntime, port: () => number): void {
  // Myriad's documentation flexes with `curl -X PUT .../flexup -d instances=2 -d profile=small`: a form body.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, formRequest(body as string)),
  );
  app.put('/api/cluster/flexup', async (request, reply) => {
    const checked = checkRequest(runtime, request.body);
    if (typeof checked === 'string') return bad(reply, checked);
    await runtime.flex({
      type: 'flex.up',
      profile: checked.profile,
      count: checked.instances,
      ...(checked.constraint ? { constraint: checked.constraint } : {}),
    });
    return reply.code(202).type('text/plain').send('');
  });
  app.put('/api/cluster/flexdown', async (request, reply) => {
    const checked = checkRequest(runtime, request.body);
    if (typeof checked === 'string') return bad(reply, checked);
    if (checked.constraint) return bad(reply, 'constraints on flexdown are not supported by allot yet: flex down by profile');
    const flexible = runtime.flexible(checked.profile);
    const count = Math.min(flexible, checked.instances);
    if (count > 0) await runtime.flex({ type: 'flex.down', profile: checked.profile, count });
    const message =
      count < checked.instances
        ? `Number of requested instances for flexdown is greater than the number of Node Managers that may be flexed down for profile '${checked.profile}' (nmInstances stay). Requested: ${checked.instances}, flexible: ${flexible}. Only ${count} Node Managers will be flexed down.`
        : '';
    return reply.code(202).type('text/plain').send(message);
  });
  app.get('/api/state', (_request, reply) => reply.send(runtime.state()));
  app.get('/api/config', (_request, reply) =>
    reply.send({
      mesosMaster: runtime.options.masters.join(','),
      checkpoint: true,
      frameworkName: runtime.spec.name,
      frameworkRole: runtime.spec.role,
      frameworkFailoverTimeout: (runtime.options.failoverTimeoutSeconds ?? 7 * 24 * 3600) * 1000,
      profiles: Object.fromEntries(
        Object.entries(runtime.spec.profiles).map(([name, profile]) => [name, { cpu: String(profile.cpus), mem: String(profile.mem) }]),
      ),
      nmInstances: runtime.spec.nmInstances,
      restApiPort: port(),
    }),
  );
}

function checkRequest(
  runtime: PoolRuntime,
  body: unknown,
): { profile: string; instances: number; constraint?: PlacementConstraint } | string {
  if (!isObject(body)) return 'request object cannot be null or empty';
  const { profile, instances, constraints } = body as Json;
  if (profile === undefined || profile === null || profile === '') return "'profile' is null or empty";
  if (typeof profile !== 'string' || !runtime.spec.profiles[profile]) return `Profile does not exist: '${String(profile)}'`;
  if (instances === undefined || instances === null) return "'instances' is null";
  if (!Number.isInteger(instances) || instances <= 0) return `Invalid instance size: ${String(instances)}`;
  if (constraints === undefined || constraints === null || (Array.isArray(constraints) && constraints.length === 0))
    return { profile, instances };
  if (!Array.isArray(constraints) || !constraints.every((entry) => typeof entry === 'string'))
    return `'constraints' must be an array of strings such as ["hostname LIKE host-1.*"]`;
  if (constraints.length > 1) return `Only 1 constraint is currently supported. Received: [${constraints.join(', ')}]`;
  if (constraints[0] === '') return `The value provided for 'constraints' is empty. Format: ${LIKE_FORMAT}`;
  const parts = constraints[0].split(' LIKE ');
  if (parts.length !== 2) return `Invalid format for LIKE operator in constraint: ${constraints[0]}. Format: ${LIKE_FORMAT}`;
  const parsed = parseConstraint([parts[0].trim(), 'LIKE', parts[1].trim()]);
  if (!parsed.ok) return `Invalid regex for LIKE operator in constraint: ${constraints[0]}`;
  return { profile, instances, constraint: parsed.constraint };
}

/**
 * A form-encoded flex request as the JSON one: `instances` a number when it is one (else kept, and refused
 * as Myriad refuses it), `constraints` a JSON array of strings or one constraint per field.
 */
export function formRequest(body: string): Json {
  const form = new URLSearchParams(body);
  const request: Json = {};
  const profile = form.get('profile');
  if (profile !== null) request.profile = profile;
  const instances = form.get('instances');
  if (instances !== null) request.instances = /^-?\d+$/.test(instances.trim()) ? Number(instances) : instances;
  const constraints = form.getAll('constraints');
  if (constraints.length === 1 && constraints[0].trim().startsWith('[')) {
    try {
      request.constraints = JSON.parse(constraints[0]);
    } catch {
      request.constraints = constraints;
    }
  } else if (constraints.length > 0) request.constraints = constraints;
  return request;
}

function bad(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).type('text/plain').send(message);
}
