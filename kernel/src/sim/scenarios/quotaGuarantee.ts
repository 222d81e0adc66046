/**
 * Quota: a guarantee is kept free as headroom even before its role has a
 * framework, and a limit caps a role even when resources sit idle. Analytics
 * (greedy, long-running tasks) is held to 12 of 16 cpus by checkout's 4-cpu
 * guarantee; checkout starts at 15 s and gets its 4; when a fifth agent joins
 * at 30 s, checkout grows only to its 6-cpu limit and analytics takes the rest.
 */
import type { ScenarioInput } from '../scenario.js';

export const quotaGuarantee: ScenarioInput = {
  name: 'quota-guarantee',
  description:
    "A greedy framework is held to 12 of 16 cpus because a later role's 4-cpu quota guarantee is kept as headroom, and that role grows only to its 6-cpu limit when a fifth agent joins.",
  seed: 1,
  durationMs: 60000,
  roles: [
    { name: 'analytics', weight: 1 },
    { name: 'checkout', weight: 1, quota: { guarantee: { cpus: 4 }, limit: { cpus: 6 } } },
  ],
  agents: [{ id: 'agent', count: 4, resources: { cpus: 4, mem: 16384 } }],
  frameworks: [
    {
      id: 'analytics',
      role: 'analytics',
      kind: 'batch',
      tasks: { count: 100, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      maxTasksPerOffer: 4,
      refuseSeconds: 5,
    },
    {
      id: 'checkout',
      role: 'checkout',
      kind: 'batch',
      tasks: { count: 10, resources: { cpus: 1, mem: 1024 }, durationMs: null },
      maxTasksPerOffer: 10,
      refuseSeconds: 5,
      startAtMs: 15000,
    },
  ],
  faults: [{ atMs: 30000, type: 'agent.add', agent: { id: 'agent-5', resources: { cpus: 4, mem: 16384 } } }],
};
