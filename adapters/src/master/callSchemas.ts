/**
 * JSON Schemas of the scheduler and agent calls, compiled once with ajv.
 * They check shapes (types, required fields, limits); meaning (resource
 * names, roles, ids usable as paths) is checked where the call is turned into
 * kernel commands. Unknown fields are allowed and ignored, as in Mesos
 * (and never stored: `storedFrameworkInfo` drops them). Every string and
 * list has a bound, so that what a call can make the master keep is bounded.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

const STRING_MAX = 4096;
const NAME_MAX = 1024;

const text = { type: 'string', maxLength: STRING_MAX };
/** Names, users, host names, principals, URLs. */
const name = { type: 'string', maxLength: NAME_MAX };
const id = { type: 'object', required: ['value'], properties: { value: { type: 'string', minLength: 1, maxLength: 256 } } };
const idList = { type: 'array', maxItems: 1024, items: id };
const roleList = { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 256 } };
const resources = { type: 'array', maxItems: 1024, items: { type: 'object' } };
const labels = {
  type: 'object',
  properties: {
    labels: {
      type: 'array',
      maxItems: 64,
      items: { type: 'object', required: ['key'], properties: { key: { type: 'string', maxLength: 256 }, value: text } },
    },
  },
};
const filters = { type: 'object', properties: { refuse_seconds: { type: 'number' } } };
const nanoseconds = { type: 'object', required: ['nanoseconds'], properties: { nanoseconds: { type: 'integer', minimum: 0 } } };

export const frameworkInfoSchema = {
  type: 'object',
  required: ['user', 'name'],
  properties: {
    user: name,
    name,
    id,
    failover_timeout: { type: 'number', minimum: 0 },
    checkpoint: { type: 'boolean' },
    role: { type: 'string', minLength: 1, maxLength: 256 },
    roles: roleList,
    hostname: name,
    principal: name,
    webui_url: name,
    capabilities: {
      type: 'array',
      maxItems: 64,
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string', maxLength: 128 } } },
    },
    labels,
  },
};

const commandInfo = {
  type: 'object',
  properties: {
    value: { type: 'string', maxLength: 65536 },
    shell: { type: 'boolean' },
    arguments: { type: 'array', maxItems: 256, items: text },
    user: name,
    environment: {
      type: 'object',
      properties: {
        variables: {
          type: 'array',
          maxItems: 256,
          items: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string', maxLength: 256 }, value: { type: 'string', maxLength: 32768 } },
          },
        },
      },
    },
    // Fetched into the sandbox by the agent before the task starts (agent/fetcher.ts).
    uris: {
      type: 'array',
      maxItems: 64,
      items: {
        type: 'object',
        required: ['value'],
        properties: {
          value: { type: 'string', minLength: 1, maxLength: 4096 },
          executable: { type: 'boolean' },
          extract: { type: 'boolean' },
          cache: { type: 'boolean' },
          output_file: { type: 'string', minLength: 1, maxLength: 1024 },
        },
      },
    },
  },
};

const taskInfo = {
  type: 'object',
  required: ['name', 'task_id', 'agent_id', 'resources'],
  properties: {
    name,
    task_id: id,
    agent_id: id,
    resources,
    command: commandInfo,
    executor: { type: 'object' },
    container: { type: 'object' },
    health_check: {
      type: 'object',
      properties: {
        type: { enum: ['COMMAND', 'HTTP', 'TCP'] },
        command: commandInfo,
        http: {
          type: 'object',
          required: ['port'],
          properties: {
            port: { type: 'integer', minimum: 1, maximum: 65535 },
            path: { type: 'string', maxLength: 4096 },
            scheme: { enum: ['http', 'https'] },
            statuses: { type: 'array', maxItems: 64, items: { type: 'integer', minimum: 100, maximum: 599 } },
          },
        },
        tcp: { type: 'object', required: ['port'], properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } } },
        interval_seconds: { type: 'number', exclusiveMinimum: 0 },
        timeout_seconds: { type: 'number', exclusiveMinimum: 0 },
        grace_period_seconds: { type: 'number', minimum: 0 },
        delay_seconds: { type: 'number', minimum: 0 },
        consecutive_failures: { type: 'integer', minimum: 0 },
      },
    },
    // CheckInfo: a COMMAND, HTTP or TCP check (the field of its type is required where the task is converted).
    check: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['COMMAND', 'HTTP', 'TCP'] },
        command: { type: 'object', required: ['command'], properties: { command: commandInfo } },
        http: {
          type: 'object',
          required: ['port'],
          properties: { port: { type: 'integer', minimum: 1, maximum: 65535 }, path: { type: 'string', maxLength: 4096 } },
        },
        tcp: { type: 'object', required: ['port'], properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } } },
        delay_seconds: { type: 'number', minimum: 0 },
        interval_seconds: { type: 'number', exclusiveMinimum: 0 },
        timeout_seconds: { type: 'number', minimum: 0 },
      },
    },
    kill_policy: { type: 'object', properties: { grace_period: nanoseconds } },
    labels,
  },
};

const requires = (type: string, field: string) => ({
  if: { properties: { type: { const: type } }, required: ['type'] },
  then: { required: [field] },
});

const operation = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['LAUNCH', 'LAUNCH_GROUP', 'RESERVE', 'UNRESERVE', 'CREATE', 'DESTROY'] },
    launch: { type: 'object', required: ['task_infos'], properties: { task_infos: { type: 'array', maxItems: 1024, items: taskInfo } } },
    launch_group: {
      type: 'object',
      required: ['task_group'],
      properties: {
        executor: { type: 'object' },
        task_group: {
          type: 'object',
          required: ['tasks'],
          properties: { tasks: { type: 'array', minItems: 1, maxItems: 1024, items: taskInfo } },
        },
      },
    },
    reserve: { type: 'object', required: ['resources'], properties: { resources } },
    unreserve: { type: 'object', required: ['resources'], properties: { resources } },
    create: { type: 'object', required: ['volumes'], properties: { volumes: resources } },
    destroy: { type: 'object', required: ['volumes'], properties: { volumes: resources } },
  },
  allOf: [
    requires('LAUNCH', 'launch'),
    requires('LAUNCH_GROUP', 'launch_group'),
    requires('RESERVE', 'reserve'),
    requires('UNRESERVE', 'unreserve'),
    requires('CREATE', 'create'),
    requires('DESTROY', 'destroy'),
  ],
};

export const SCHEDULER_CALL_TYPES = [
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
  'ACCEPT_INVERSE_OFFERS',
  'DECLINE_INVERSE_OFFERS',
  'ACKNOWLEDGE_OPERATION_STATUS',
  'RECONCILE_OPERATIONS',
] as const;
export type SchedulerCallType = (typeof SCHEDULER_CALL_TYPES)[number];

const schedulerCall = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: SCHEDULER_CALL_TYPES },
    framework_id: id,
    subscribe: {
      type: 'object',
      required: ['framework_info'],
      properties: { framework_info: frameworkInfoSchema, force: { type: 'boolean' } },
    },
    accept: {
      type: 'object',
      required: ['offer_ids'],
      properties: { offer_ids: idList, operations: { type: 'array', maxItems: 256, items: operation }, filters },
    },
    decline: { type: 'object', required: ['offer_ids'], properties: { offer_ids: idList, filters } },
    revive: { type: 'object', properties: { role: { type: 'string', minLength: 1, maxLength: 256 }, roles: roleList } },
    suppress: { type: 'object', properties: { roles: roleList } },
    kill: {
      type: 'object',
      required: ['task_id'],
      properties: { task_id: id, agent_id: id, kill_policy: { type: 'object', properties: { grace_period: nanoseconds } } },
    },
    shutdown: { type: 'object', required: ['executor_id', 'agent_id'], properties: { executor_id: id, agent_id: id } },
    acknowledge: {
      type: 'object',
      required: ['agent_id', 'task_id', 'uuid'],
      properties: { agent_id: id, task_id: id, uuid: { type: 'string', minLength: 1, maxLength: 256 } },
    },
    reconcile: {
      type: 'object',
      properties: {
        tasks: {
          type: 'array',
          maxItems: 100000,
          items: { type: 'object', required: ['task_id'], properties: { task_id: id, agent_id: id } },
        },
      },
    },
    message: {
      type: 'object',
      required: ['agent_id', 'executor_id', 'data'],
      properties: { agent_id: id, executor_id: id, data: { type: 'string', maxLength: 1048576 } },
    },
    request: { type: 'object', properties: { requests: { type: 'array', maxItems: 1024 } } },
    update_framework: { type: 'object', required: ['framework_info'], properties: { framework_info: frameworkInfoSchema } },
    accept_inverse_offers: { type: 'object', required: ['inverse_offer_ids'], properties: { inverse_offer_ids: idList, filters } },
    decline_inverse_offers: { type: 'object', required: ['inverse_offer_ids'], properties: { inverse_offer_ids: idList, filters } },
  },
  allOf: [
    requires('SUBSCRIBE', 'subscribe'),
    requires('ACCEPT', 'accept'),
    requires('DECLINE', 'decline'),
    requires('KILL', 'kill'),
    requires('SHUTDOWN', 'shutdown'),
    requires('ACKNOWLEDGE', 'acknowledge'),
    requires('MESSAGE', 'message'),
    requires('UPDATE_FRAMEWORK', 'update_framework'),
    requires('ACCEPT_INVERSE_OFFERS', 'accept_inverse_offers'),
    requires('DECLINE_INVERSE_OFFERS', 'decline_inverse_offers'),
    { if: { not: { properties: { type: { const: 'SUBSCRIBE' } } } }, then: { required: ['framework_id'] } },
  ],
};

const agentSubscribe = {
  type: 'object',
  required: ['agent'],
  properties: {
    agent: {
      type: 'object',
      required: ['id', 'hostname', 'port', 'resources'],
      properties: {
        id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:@+=-]+$' },
        hostname: { type: 'string', minLength: 1, maxLength: 255 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        resources,
        checkpointed_resources: resources,
        attributes: { type: 'object', maxProperties: 256, additionalProperties: { type: ['string', 'number'] } },
        version: text,
      },
    },
    tasks: {
      type: 'array',
      maxItems: 100000,
      items: {
        type: 'object',
        required: ['task_id', 'framework_id', 'state', 'role', 'resources'],
        properties: {
          task_id: text,
          framework_id: text,
          state: { type: 'string', pattern: '^TASK_[A-Z_]+$' },
          role: text,
          resources,
          executor_id: text,
          container_id: { type: 'string', maxLength: 256 },
          name: text,
        },
      },
    },
  },
};

const agentUpdate = {
  type: 'object',
  required: ['task_id', 'framework_id', 'state', 'uuid'],
  properties: {
    task_id: text,
    framework_id: text,
    executor_id: text,
    container_id: { type: 'string', maxLength: 256 },
    state: { type: 'string', pattern: '^TASK_[A-Z_]+$' },
    reason: { type: 'string', maxLength: 128 },
    message: text,
    uuid: { type: 'string', minLength: 1, maxLength: 256 },
    healthy: { type: 'boolean' },
    check_status: {
      type: 'object',
      properties: {
        type: { enum: ['COMMAND', 'HTTP', 'TCP'] },
        command: { type: 'object', properties: { exit_code: { type: 'integer' } } },
        http: { type: 'object', properties: { status_code: { type: 'integer', minimum: 100, maximum: 599 } } },
        tcp: { type: 'object', properties: { succeeded: { type: 'boolean' } } },
      },
    },
    timestamp: { type: 'number' },
  },
};

const executorRef = {
  type: 'object',
  required: ['framework_id', 'executor_id'],
  properties: { framework_id: text, executor_id: text },
};

const agentCall = {
  type: 'object',
  required: ['type', 'agent_id'],
  properties: {
    type: { enum: ['SUBSCRIBE', 'UPDATE', 'EXECUTOR_EXITED', 'MESSAGE'] },
    agent_id: { type: 'string', minLength: 1, maxLength: 200 },
    subscribe: agentSubscribe,
    update: agentUpdate,
    executor_exited: { ...executorRef, properties: { ...executorRef.properties, status: { type: 'integer' } } },
    message: {
      ...executorRef,
      required: [...executorRef.required, 'data'],
      properties: { ...executorRef.properties, data: { type: 'string', maxLength: 1_048_576 } },
    },
  },
  allOf: [
    requires('SUBSCRIBE', 'subscribe'),
    requires('UPDATE', 'update'),
    requires('EXECUTOR_EXITED', 'executor_exited'),
    requires('MESSAGE', 'message'),
  ],
};

const ajv = new Ajv({ allErrors: false, strict: false });
export const validateSchedulerCall: ValidateFunction = ajv.compile(schedulerCall);
export const validateAgentCall: ValidateFunction = ajv.compile(agentCall);
export const validateFrameworkInfo: ValidateFunction = ajv.compile(frameworkInfoSchema);

/** "accept.operations[0].launch.task_infos[1].name: must be string" */
export function describeSchemaError(errors: readonly ErrorObject[] | null | undefined): string {
  const error = errors?.find((candidate) => candidate.keyword !== 'if') ?? errors?.[0];
  if (!error) return 'the body is not a valid call';
  let field = jsonPath(error.instancePath);
  if (error.keyword === 'required')
    field = field
      ? `${field}.${(error.params as { missingProperty: string }).missingProperty}`
      : (error.params as { missingProperty: string }).missingProperty;
  if (error.keyword === 'enum')
    return `${field || 'body'}: must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
  return `${field || 'body'}: ${error.keyword === 'required' ? 'is required' : error.message}`;
}

function jsonPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}
