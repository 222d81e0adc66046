/** The SDK service scheduler in the simulator: custom plans, readiness checks, named deploy phases. */
import { describe, expect, it } from 'vitest';
import { buildReport, parseScenario } from '../../../kernel/src/index.js';
import { scenario, start } from './serviceHarness.js';

describe('custom plans', () => {
  const withBackup = {
    tasks: [
      { name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessDelayMs: 10_000 },
      { name: 'backup', goal: 'FINISH', cpus: 0.5, memMb: 512, durationMs: 5000 },
    ],
  };
  const plans = {
    plans: [
      {
        name: 'backup',
        strategy: { kind: 'serial' },
        phases: [{ name: 'backup', pod: 'node', tasks: ['backup'], strategy: { kind: 'serial' } }],
      },
    ],
  };

  it('start interrupted; deploy reserves for the sidecar but does not launch it; start with parameters runs it on each node; stop interrupts', () => {
    const { simulation, scheduler, events } = start(
      scenario(
        [
          { atMs: 60_000, type: 'plan.start', framework: 'db', plan: 'backup', parameters: { BUCKET: 's3://backups' } },
          { atMs: 61_000, type: 'plan.start', framework: 'db', plan: 'backup' },
        ],
        withBackup,
        plans,
      ),
    );
    simulation.runUntil(59_000);
    const view = () => scheduler.plans().find((p) => p.name === 'backup')!;
    expect(view().status).toBe('WAITING');
    expect(scheduler.instances.get('node-0')!.tasks.backup.taskId).toBeNull();
    const reserved = simulation.master.agents.get(scheduler.instances.get('node-0')!.agentId!)!.total.reserved.filter((p) => !p.volume);
    expect(reserved.map((p) => simulation.master.layout.quantities(p.scalars)).sort((a, b) => (a.cpus ?? 0) - (b.cpus ?? 0))).toEqual([
      { cpus: 0.5, mem: 512 },
      { cpus: 1, mem: 2048 },
    ]);
    simulation.runUntil(100_000);
    expect(view().status).toBe('COMPLETE');
    expect(simulation.controlResults.map((r) => (r.result as { message: string }).message)).toEqual([
      'started backup with BUCKET=s3://backups',
      'already done: backup is running',
    ]);
    const backups = events.flatMap((e) => (e.type === 'task.launched' && e.taskId.includes('backup') ? [e] : []));
    expect(backups).toHaveLength(3);
    const launched = simulation.master.frameworks.get('db')!.tasks.get(backups[0].taskId)!;
    expect((launched.data as { env?: Record<string, string> }).env).toMatchObject({ BUCKET: 's3://backups' });
    expect(scheduler.plans().find((p) => p.name === 'deploy')!.status).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });

  it('stop kills what the plan runs and interrupts it; a second stop is already done', () => {
    const long = { tasks: [withBackup.tasks[0], { ...withBackup.tasks[1], durationMs: 60_000 }] };
    const { simulation, scheduler } = start(
      scenario(
        [
          { atMs: 60_000, type: 'plan.start', framework: 'db', plan: 'backup' },
          { atMs: 65_000, type: 'plan.stop', framework: 'db', plan: 'backup' },
          { atMs: 66_000, type: 'plan.stop', framework: 'db', plan: 'backup' },
        ],
        long,
        plans,
      ),
    );
    simulation.runUntil(70_000);
    expect(scheduler.plans().find((p) => p.name === 'backup')!.status).toBe('WAITING');
    expect(simulation.controlResults.map((r) => (r.result as { changed: boolean }).changed)).toEqual([true, true, false]);
    expect(scheduler.instances.get('node-0')!.tasks.backup.state).toBe('TASK_KILLED');
    expect(scheduler.instances.get('node-0')!.tasks.server.state).toBe('TASK_RUNNING');
  });

  it('names unknown pods, tasks and RUNNING tasks in custom plans by path', () => {
    const bad = {
      plans: [
        {
          name: 'backup',
          phases: [
            { name: 'p', pod: 'nodes', tasks: ['backup'] },
            { name: 'q', pod: 'node', tasks: ['server', 'nope'] },
          ],
        },
      ],
    };
    const parsed = parseScenario(scenario([], withBackup, bad));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => e.path)).toEqual([
      '$.frameworks[0].service.plans[0].phases[0].pod',
      '$.frameworks[0].service.plans[0].phases[1].tasks[0]',
      '$.frameworks[0].service.plans[0].phases[1].tasks[1]',
    ]);
  });
});

describe('readiness checks and named deploy phases', () => {
  it('a step completes when the agent reports the readiness check passing; phases run with their own strategies', () => {
    const pod = {
      tasks: [{ name: 'server', goal: 'RUNNING', cpus: 1, memMb: 2048, readinessCheck: { cmd: 'test -f ready', delaySeconds: 5 } }],
    };
    const service = {
      deployPlan: { strategy: { kind: 'serial' }, phases: [{ name: 'node-deploy', pod: 'node', strategy: { kind: 'parallel' } }] },
    };
    const { simulation, scheduler } = start(scenario([], pod, service));
    simulation.runUntil(3_000);
    const deploy = () => scheduler.plans().find((p) => p.name === 'deploy')!;
    expect(deploy().phases[0].name).toBe('node-deploy');
    expect(deploy().phases[0].steps.map((step) => step.status)).toEqual(['STARTED', 'STARTED', 'STARTED']);
    simulation.runUntil(10_000);
    expect(deploy().status).toBe('COMPLETE');
    expect(buildReport(simulation).invariantViolations).toEqual([]);
  });
});
