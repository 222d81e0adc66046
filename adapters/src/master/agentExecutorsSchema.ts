/**
 * `subscribe.executors` of allot's agent protocol (adapters/README.md): the
 * executors an agent runs, each with its own resources and ExecutorInfo;
 * `default` marks a DEFAULT executor (the agent runs it as its tasks). Bounded
 * like every other list and string of the agent calls (callSchemas.ts).
 */
const text = { type: 'string', maxLength: 4096 };

export const agentExecutorsSchema = {
  type: 'array',
  maxItems: 100_000,
  items: {
    type: 'object',
    required: ['framework_id', 'executor_id', 'role', 'resources'],
    properties: {
      framework_id: text,
      executor_id: text,
      role: text,
      resources: { type: 'array', maxItems: 1024, items: { type: 'object' } },
      info: { type: 'object' },
      default: { type: 'boolean' },
    },
  },
};
