/**
 * What real-cluster hosts ask of the framework models (issue 12): operator
 * controls and snapshots. Marathon: app.put (new app, scale, new version),
 * app.remove, task.kill with and without scale, health from status updates,
 * and a snapshot restored with its instances and restart. Batch: jobs
 * submitted and stopped, relaunch until a deadline, snapshots. Myriad: flex
 * up with a constraint, several per agent, flex down youngest first.
 * Driven by a recording context and hand-made offers, no master.
 */
import { describe, expect, it } from 'vitest';
import type { FrameworkCall, FrameworkConfig, Offer, SchedulerContext, ServiceApp, TaskStatus } from '../../../kernel/src/index.js';
import { JobsFramework, MarathonFramework, MyriadFramework, parseConstraint, ResourceLayout } from '../../../kernel/src/index.js';

const layout = ResourceLayout.create();

function recorder(): SchedulerContext & { calls: FrameworkCall[]; now: number } {
  const context = {
    calls: [] as FrameworkCall[],
    now: 1000,
    get nowMs() {
      return context.now;
    },
    layout,
    send: (call: FrameworkCall) => void context.calls.push(call),
    schedule: () => undefined,
  };
  return context;
}

let offers = 0;
function offer(agentId: string, hostname: string, cpus = 4, mem = 4096, ports: [number, number] = [31000, 31010]): Offer {
  return {
    id: `O${++offers}`,
    frameworkId: 'fw',
    role: 'r',
    agentId,
    hostname,
    attributes: {},
    agentIndex: 0,
    clientIndex: 0,
    resources: { scalars: layout.vector({ cpus, mem }), ports: [ports], reserved: [] },
    createdAtMs: 0,
  };
}

function launched(calls: FrameworkCall[]): string[] {
  return calls.flatMap((call) =>
    call.type === 'offer.accept' ? call.operations.flatMap((op) => (op.type === 'LAUNCH' ? op.tasks.map((t) => t.taskId) : [])) : [],
  );
}

function killed(calls: FrameworkCall[]): string[] {
  return calls.flatMap((call) => (call.type === 'task.kill' ? [call.taskId] : []));
}

function status(taskId: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}): TaskStatus {
  return { taskId, frameworkId: 'fw', agentId: 'a1', state, timestampMs: 0, ...extra };
}

const config = (kind: FrameworkConfig['kind'], options: unknown): FrameworkConfig => ({
  id: 'fw',
  name: 'fw',
  role: 'r',
  kind,
  options,
  tasks: { count: 0, resources: {}, ports: 0, durationMs: null },
  maxTasksPerOffer: 100,
  refuseSeconds: 5,
  capabilities: [],
  partitionAware: true,
  relaunch: false,
  startAtMs: 0,
});

const web = (version: string, instances: number): ServiceApp => ({
  id: '/web',
  role: 'r',
  acceptedResourceRoles: null,
  instances,
  resources: { cpus: 1, mem: 128 },
  ports: 1,
  durationMs: null,
  constraints: [],
  healthCheck: { gracePeriodMs: 0, intervalMs: 1000, maxConsecutiveFailures: 3, startupMs: 0, unhealthyVersions: [] },
  upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 },
  backoff: { initialMs: 1000, factor: 1.15, maxMs: 60_000 },
  version,
  changes: [],
});

describe('Marathon model controls', () => {
  it('puts, scales, rolls with health from updates, kills by operator, snapshots and removes', () => {
    const context = recorder();
    let ids = 0;
    const model = new MarathonFramework(config('service', { apps: [], maintenance: [] }), {
      taskIdOf: (app) => `${app.slice(1)}.t${ids++}`,
      healthFromStatus: true,
    });
    model.subscribe(context);
    model.operate({ type: 'app.put', app: web('v1', 2) }, context);
    model.onOffers([offer('a1', 'h1')], context);
    expect(launched(context.calls)).toEqual(['web.t0', 'web.t1']);
    for (const id of ['web.t0', 'web.t1']) model.onUpdate(status(id, 'TASK_RUNNING'), context);
    expect(model.app('/web')!.settled()).toBe(false);
    for (const id of ['web.t0', 'web.t1']) model.onUpdate(status(id, 'TASK_RUNNING', { healthy: true }), context);
    expect(model.app('/web')!.settled()).toBe(true);

    // A new version rolls: one old instance may go (minHealthy 1 of 2) before a new one is healthy.
    context.calls.length = 0;
    model.operate({ type: 'app.put', app: web('v2', 2) }, context);
    expect(killed(context.calls)).toEqual(['web.t1']);
    model.onUpdate(status('web.t1', 'TASK_KILLED'), context);
    model.onOffers([offer('a1', 'h1')], context);
    expect(launched(context.calls)).toEqual(['web.t2']);

    // The snapshot comes back with its instances, versions and the restart in progress.
    const restored = MarathonFramework.restore(
      config('service', { apps: [], maintenance: [] }),
      JSON.parse(JSON.stringify(model.snapshot())),
      { healthFromStatus: true },
    );
    const app = restored.app('/web')!;
    expect(app.version).toBe('v2');
    expect([...app.live.values()].map((instance) => [instance.taskId, instance.version])).toEqual([
      ['web.t0', 'v1'],
      ['web.t2', 'v2'],
    ]);
    expect(app.restart?.version).toBe('v2');

    model.onUpdate(status('web.t2', 'TASK_RUNNING', { healthy: true }), context);
    expect(killed(context.calls)).toContain('web.t0');
    model.onUpdate(status('web.t0', 'TASK_KILLED'), context);
    model.onOffers([offer('a1', 'h1')], context);
    model.onUpdate(status('web.t3', 'TASK_RUNNING', { healthy: true }), context);
    expect(model.app('/web')!.settled()).toBe(true);

    // An operator's kill is replaced; with scale, the app shrinks instead.
    context.calls.length = 0;
    expect(model.operate({ type: 'task.kill', taskId: 'web.t2', scale: false }, context)).toEqual({ ok: true });
    model.onUpdate(status('web.t2', 'TASK_KILLED'), context);
    expect(model.app('/web')!.queued).toBe(1);
    expect(model.app('/web')!.failures).toBe(0);
    model.operate({ type: 'task.kill', taskId: 'web.t3', scale: true }, context);
    expect(model.app('/web')!.instances).toBe(1);
    expect(model.operate({ type: 'task.kill', taskId: 'nope', scale: false }, context)).toMatchObject({ ok: false, code: 'unknown_task' });

    model.operate({ type: 'app.remove', appId: '/web' }, context);
    expect(model.isRemoving('/web')).toBe(true);
    model.onUpdate(status('web.t3', 'TASK_KILLED'), context);
    expect(model.app('/web')).toBeUndefined();
  });
  it('with readiness, a new instance counts for a roll only once the host reports it ready (task.ready)', () => {
    const context = recorder();
    let ids = 0;
    const model = new MarathonFramework(config('service', { apps: [], maintenance: [] }), {
      taskIdOf: (app) => `${app.slice(1)}.t${ids++}`,
      healthFromStatus: true,
    });
    const ready = (version: string): ServiceApp => ({
      ...web(version, 1),
      readiness: true,
      upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    });
    model.subscribe(context);
    model.operate({ type: 'app.put', app: ready('v1') }, context);
    model.onOffers([offer('a1', 'h1')], context);
    model.onUpdate(status('web.t0', 'TASK_RUNNING', { healthy: true }), context);
    expect(model.app('/web')!.settled()).toBe(false);
    expect(model.operate({ type: 'task.ready', taskId: 'web.t0' }, context)).toEqual({ ok: true });
    expect(model.app('/web')!.settled()).toBe(true);

    model.operate({ type: 'app.put', app: ready('v2') }, context);
    model.onOffers([offer('a1', 'h1')], context);
    model.onUpdate(status('web.t1', 'TASK_RUNNING', { healthy: true }), context);
    expect(killed(context.calls)).toEqual([]);
    // Not ready yet survives a snapshot.
    const restored = MarathonFramework.restore(
      config('service', { apps: [], maintenance: [] }),
      JSON.parse(JSON.stringify(model.snapshot())),
    );
    expect(restored.app('/web')!.live.get('web.t1')!.ready).toBe(false);
    expect(restored.app('/web')!.live.get('web.t0')!.ready).toBe(true);
    model.operate({ type: 'task.ready', taskId: 'web.t1' }, context);
    expect(killed(context.calls)).toEqual(['web.t0']);
    expect(model.operate({ type: 'task.ready', taskId: 'nope' }, context)).toMatchObject({ ok: false, code: 'unknown_task' });
  });
  it('with an unreachable strategy, an unreachable instance is replaced, then forgotten, and killed if it comes back', () => {
    const context = recorder();
    const timers: Array<{ atMs: number; run: () => void }> = [];
    context.schedule = (atMs: number, run: () => void) => void timers.push({ atMs, run });
    const runUntil = (ms: number) => {
      context.now = ms;
      for (const timer of timers.splice(0).sort((a, b) => a.atMs - b.atMs))
        if (timer.atMs <= ms) timer.run();
        else timers.push(timer);
    };
    let ids = 0;
    const model = new MarathonFramework(config('service', { apps: [], maintenance: [] }), {
      taskIdOf: (app) => `${app.slice(1)}.t${ids++}`,
      healthFromStatus: true,
    });
    model.subscribe(context);
    model.operate({ type: 'app.put', app: { ...web('v1', 1), unreachable: { inactiveAfterMs: 1000, expungeAfterMs: 3000 } } }, context);
    model.onOffers([offer('a1', 'h1')], context);
    model.onUpdate(status('web.t0', 'TASK_RUNNING', { healthy: true }), context);
    model.onUpdate(status('web.t0', 'TASK_UNREACHABLE'), context);
    expect(model.app('/web')!.queued).toBe(0);

    runUntil(context.now + 1000);
    expect(model.app('/web')!.live.get('web.t0')!.killReason).toBe('unreachable');
    expect(model.app('/web')!.queued).toBe(1);
    model.onOffers([offer('a2', 'h2')], context);
    expect(launched(context.calls)).toEqual(['web.t0', 'web.t1']);

    runUntil(context.now + 2000);
    expect([...model.app('/web')!.live.keys()]).toEqual(['web.t1']);
    context.calls.length = 0;
    model.onUpdate(status('web.t0', 'TASK_RUNNING'), context);
    expect(killed(context.calls)).toEqual(['web.t0']);
    expect(model.app('/web')!.failures).toBe(0);
  });
});

describe('batch model controls', () => {
  it('submits and stops jobs, relaunches until the deadline, and snapshots', () => {
    const context = recorder();
    const model = new JobsFramework(config('batch', { jobs: [] }), (job, n) => `${job}-${n}`);
    model.subscribe(context);
    const constraint = parseConstraint(['hostname', 'LIKE', 'h2']);
    if (!constraint.ok) throw new Error(constraint.message);
    model.operate(
      {
        type: 'job.submit',
        job: {
          id: 'j1',
          atMs: 0,
          tasks: 1,
          resources: { cpus: 1 },
          ports: 0,
          durationMs: null,
          constraints: [constraint.constraint],
          relaunch: true,
          relaunchUntilMs: 5000,
        },
      },
      context,
    );
    model.onOffers([offer('a1', 'h1')], context);
    expect(launched(context.calls)).toEqual([]);
    model.onOffers([offer('a2', 'h2')], context);
    expect(launched(context.calls)).toEqual(['j1-0']);
    model.onUpdate(status('j1-0', 'TASK_FAILED'), context);
    expect(model.progress('j1')).toMatchObject({ queued: 1, live: [] });
    const restored = JobsFramework.restore(config('batch', { jobs: [] }), JSON.parse(JSON.stringify(model.snapshot())));
    expect(restored.progress('j1')).toMatchObject({ queued: 1, stopped: false });
    model.onOffers([offer('a2', 'h2')], context);
    context.now = 6000;
    model.onUpdate(status('j1-1', 'TASK_FAILED'), context);
    expect(model.progress('j1')).toMatchObject({ queued: 0, record: { failed: 1 } });

    model.operate(
      { type: 'job.submit', job: { id: 'j2', atMs: 0, tasks: 1, resources: { cpus: 1 }, ports: 0, durationMs: null } },
      context,
    );
    model.onOffers([offer('a1', 'h1')], context);
    context.calls.length = 0;
    model.operate({ type: 'job.stop', jobId: 'j2' }, context);
    expect(killed(context.calls)).toEqual(['j2-2']);
    model.onUpdate(status('j2-2', 'TASK_KILLED'), context);
    expect(model.progress('j2')).toMatchObject({ stopped: true, live: [], record: { failed: 1 } });
    model.forget('j2');
    expect(model.progress('j2')).toBeNull();
  });
});

describe('Myriad model controls', () => {
  it('flexes up with a constraint, several per agent, and down youngest first', () => {
    const context = recorder();
    const options = { profiles: { small: { cpus: 1, mem: 512 } }, nodeManagerOverhead: { cpus: 0, mem: 0 }, flex: [], applications: [] };
    const model = new MyriadFramework(config('elastic', options), {
      nodeManagerIdOf: (profile, n) => `nm.${profile}.${n}`,
      maxPerAgent: 2,
    });
    model.subscribe(context);
    const like = parseConstraint(['hostname', 'LIKE', 'h1']);
    if (!like.ok) throw new Error(like.message);
    model.operate({ type: 'flex.up', profile: 'small', count: 3, constraint: like.constraint }, context);
    for (const agent of ['a1', 'a2', 'a1', 'a2', 'a1']) model.onOffers([offer(agent, agent === 'a1' ? 'h1' : 'h2')], context);
    expect(launched(context.calls)).toEqual(['nm.small.0', 'nm.small.1']);
    for (const id of ['nm.small.0', 'nm.small.1']) model.onUpdate(status(id, 'TASK_RUNNING'), context);
    context.calls.length = 0;
    // The pending one goes first, then the youngest active one.
    expect(model.operate({ type: 'flex.down', profile: 'small', count: 2 }, context)).toEqual([
      'nm.small.2 (pending)',
      'nm.small.1 (active)',
    ]);
    expect(killed(context.calls)).toEqual(['nm.small.1']);
    const restored = MyriadFramework.restore(config('elastic', options), JSON.parse(JSON.stringify(model.snapshot())), { maxPerAgent: 2 });
    expect(restored.nodeManagers.map((nm) => [nm.id, nm.state, nm.constraint?.operator])).toEqual([
      ['nm.small.0', 'active', 'LIKE'],
      ['nm.small.1', 'killing', 'LIKE'],
    ]);
  });
});
