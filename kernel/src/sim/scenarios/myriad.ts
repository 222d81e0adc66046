/**
 * Myriad-like elastic YARN on six agents: NodeManagers of profiles small,
 * medium, large and zero are flexed up, one per agent; YARN applications run
 * their masters and containers on them, zero-profile NodeManagers growing by
 * one placeholder task per container and shrinking as containers end. A flex
 * down of small takes the active one with the fewest application masters
 * (the older one here: one master against two); a flex down of large takes
 * the one still pending first.
 */
import type { ScenarioInput } from '../scenario.js';

const app = (id: string, atMs: number, containers: number, durationMs: number) => ({
  id,
  atMs,
  containers,
  resources: { cpus: 1, mem: 1024 },
  durationMs,
});

export const myriad: ScenarioInput = {
  name: 'myriad',
  description:
    'Myriad-like YARN NodeManagers flexed up and down by profile (zero, small, medium, large); YARN applications run on them, zero-profile NodeManagers growing and shrinking by placeholder tasks.',
  seed: 1,
  durationMs: 150000,
  roles: [{ name: 'yarn' }],
  agents: [{ id: 'agent', count: 6, resources: { cpus: 12, mem: 16384, disk: 102400 } }],
  frameworks: [
    {
      id: 'myriad',
      role: 'yarn',
      kind: 'elastic',
      refuseSeconds: 1,
      flex: [
        { atMs: 0, action: 'up', profile: 'small', count: 2 },
        { atMs: 0, action: 'up', profile: 'medium', count: 1 },
        { atMs: 0, action: 'up', profile: 'zero', count: 2 },
        { atMs: 20000, action: 'up', profile: 'large', count: 1 },
        { atMs: 60000, action: 'down', profile: 'small', count: 1 },
        { atMs: 100000, action: 'up', profile: 'large', count: 2 },
        { atMs: 101000, action: 'down', profile: 'large', count: 1 },
      ],
      applications: [
        // Long-running services, application masters only: svc-a fills nm-small-0, svc-b and svc-c share nm-small-1.
        {
          id: 'svc-a',
          atMs: 2000,
          containers: 0,
          resources: { cpus: 1, mem: 1024 },
          amResources: { cpus: 2, mem: 1024 },
          durationMs: 80000,
        },
        { id: 'svc-b', atMs: 2000, containers: 0, resources: { cpus: 1, mem: 1024 }, durationMs: 80000 },
        { id: 'svc-c', atMs: 2000, containers: 0, resources: { cpus: 1, mem: 1024 }, durationMs: 80000 },
        app('etl', 5000, 12, 15000),
        app('report', 10000, 4, 20000),
        app('train', 30000, 60, 10000),
        app('adhoc', 50000, 2, 5000),
        app('nightly', 70000, 20, 12000),
      ],
    },
  ],
  faults: [],
};
