/**
 * JSON Schema of the operator API calls (`POST /api/v1`), checked before any
 * call reaches the kernel. Shapes only; resources are read by mesosResources.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';

const id = { type: 'object', required: ['value'], properties: { value: { type: 'string', minLength: 1, maxLength: 256 } } };
const resources = { type: 'array', maxItems: 1024, items: { type: 'object' } };
const role = { type: 'string', minLength: 1, maxLength: 256 };
const quantities = {
  type: 'object',
  maxProperties: 64,
  additionalProperties: { type: 'object', required: ['value'], properties: { value: { type: 'number', minimum: 0 } } },
};

export const OPERATOR_CALL_TYPES = [
  'GET_HEALTH',
  'GET_VERSION',
  'GET_METRICS',
  'GET_STATE',
  'GET_AGENTS',
  'GET_FRAMEWORKS',
  'GET_TASKS',
  'GET_ROLES',
  'GET_FLAGS',
  'GET_MASTER',
  'GET_EXECUTORS',
  'GET_WEIGHTS',
  'GET_QUOTA',
  'GET_OPERATIONS',
  'LIST_FILES',
  'READ_FILE',
  'GET_MAINTENANCE_SCHEDULE',
  'GET_MAINTENANCE_STATUS',
  'UPDATE_MAINTENANCE_SCHEDULE',
  'START_MAINTENANCE',
  'STOP_MAINTENANCE',
  'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES',
  'CREATE_VOLUMES',
  'DESTROY_VOLUMES',
  'UPDATE_WEIGHTS',
  'UPDATE_QUOTA',
  'DRAIN_AGENT',
  'MARK_AGENT_GONE',
  'SUBSCRIBE',
] as const;

const requires = (type: string, field: string) => ({
  if: { properties: { type: { const: type } }, required: ['type'] },
  then: { required: [field] },
});

const operatorCall = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: OPERATOR_CALL_TYPES },
    reserve_resources: { type: 'object', required: ['agent_id', 'resources'], properties: { agent_id: id, resources } },
    unreserve_resources: { type: 'object', required: ['agent_id', 'resources'], properties: { agent_id: id, resources } },
    create_volumes: { type: 'object', required: ['agent_id', 'volumes'], properties: { agent_id: id, volumes: resources } },
    destroy_volumes: { type: 'object', required: ['agent_id', 'volumes'], properties: { agent_id: id, volumes: resources } },
    update_weights: {
      type: 'object',
      required: ['weight_infos'],
      properties: {
        weight_infos: {
          type: 'array',
          maxItems: 1024,
          items: { type: 'object', required: ['role', 'weight'], properties: { role, weight: { type: 'number', exclusiveMinimum: 0 } } },
        },
      },
    },
    update_quota: {
      type: 'object',
      required: ['quota_configs'],
      properties: {
        force: { type: 'boolean' },
        quota_configs: {
          type: 'array',
          maxItems: 1024,
          items: { type: 'object', required: ['role'], properties: { role, guarantees: quantities, limits: quantities } },
        },
      },
    },
    drain_agent: {
      type: 'object',
      required: ['agent_id'],
      properties: { agent_id: id, mark_gone: { type: 'boolean' }, max_grace_period: { type: 'object' } },
    },
    mark_agent_gone: { type: 'object', required: ['agent_id'], properties: { agent_id: id } },
    update_maintenance_schedule: { type: 'object', required: ['schedule'], properties: { schedule: { type: 'object' } } },
    start_maintenance: { type: 'object', required: ['machines'], properties: { machines: { type: 'array', maxItems: 10000 } } },
    stop_maintenance: { type: 'object', required: ['machines'], properties: { machines: { type: 'array', maxItems: 10000 } } },
    list_files: { type: 'object', required: ['path'], properties: { path: { type: 'string', maxLength: 4096 } } },
    read_file: {
      type: 'object',
      required: ['path', 'offset'],
      properties: {
        path: { type: 'string', maxLength: 4096 },
        offset: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
        length: { type: 'integer', minimum: 0, maximum: 9007199254740991 },
      },
    },
  },
  allOf: [
    requires('RESERVE_RESOURCES', 'reserve_resources'),
    requires('UNRESERVE_RESOURCES', 'unreserve_resources'),
    requires('CREATE_VOLUMES', 'create_volumes'),
    requires('DESTROY_VOLUMES', 'destroy_volumes'),
    requires('UPDATE_WEIGHTS', 'update_weights'),
    requires('UPDATE_QUOTA', 'update_quota'),
    requires('DRAIN_AGENT', 'drain_agent'),
    requires('MARK_AGENT_GONE', 'mark_agent_gone'),
    requires('LIST_FILES', 'list_files'),
    requires('READ_FILE', 'read_file'),
    requires('UPDATE_MAINTENANCE_SCHEDULE', 'update_maintenance_schedule'),
    requires('START_MAINTENANCE', 'start_maintenance'),
    requires('STOP_MAINTENANCE', 'stop_maintenance'),
  ],
};

export const validateOperatorCall: ValidateFunction = new Ajv({ allErrors: false, strict: false }).compile(operatorCall);
