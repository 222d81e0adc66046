/**
 * Model-based test of the task state machine (fast-check `fc.commands`):
 * random launches, agent status updates (legal or not), kills, disconnects
 * and re-registrations run against a Master and against a plain model of the
 * transition table. After every command the two agree on every task's state,
 * the agent holds exactly the resources of its live tasks, and the master's
 * invariants hold. ALLOT_SEED=<n> replays a failure.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Offer, TaskState } from '../../../kernel/src/index.js';
import { canTransition, createPrng, isTerminal, Master, releasesResources, TASK_STATES } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { checkLifecycleInvariants } from '../../../kernel/src/testing/lifecycleInvariants.js';

interface Model {
  tasks: Map<string, TaskState>;
  nextId: number;
  disconnected: boolean;
}

interface Real {
  master: Master;
  nowMs: number;
  partitionAware: boolean;
}

const CPUS = 8;

function offerOf(real: Real): Offer | undefined {
  real.nowMs += 1000;
  const result = real.master.step({ type: 'tick', nowMs: real.nowMs });
  const made = result.events.find((e) => e.type === 'offer.made');
  return made?.type === 'offer.made' ? made.offer : [...real.master.offers.all()][0];
}

function agree(model: Model, real: Real): void {
  const framework = real.master.frameworks.get('f')!;
  for (const [id, state] of model.tasks) {
    const actual = framework.tasks.get(id)?.state;
    if (actual !== state) throw new Error(`task ${id}: model ${state}, master ${actual}`);
  }
  const held = [...model.tasks.values()].filter((state) => !releasesResources(state)).length;
  const agent = real.master.agents.get('a1');
  const expectedFree = CPUS - held;
  const offered = [...real.master.offers.all()].reduce((sum, offer) => sum + offer.resources.scalars[0], 0);
  if (agent && Math.abs(agent.freeScalars[0] + offered - expectedFree) > 1e-9)
    throw new Error(`free cpus ${agent.freeScalars[0]} + offered ${offered}, expected ${expectedFree}`);
  const violations = [...checkInvariants(real.master), ...checkLifecycleInvariants(real.master)];
  if (violations.length > 0) throw new Error(JSON.stringify(violations[0]));
}

class Launch implements fc.Command<Model, Real> {
  check = (model: Model) => !model.disconnected && [...model.tasks.values()].filter((s) => !releasesResources(s)).length < CPUS;
  run(model: Model, real: Real): void {
    const offer = offerOf(real);
    if (!offer) throw new Error('expected an offer with free cpus');
    const id = `t${model.nextId++}`;
    real.master.step({
      type: 'offer.accept',
      nowMs: real.nowMs,
      frameworkId: 'f',
      offerIds: [offer.id],
      operations: [
        {
          type: 'LAUNCH',
          tasks: [{ taskId: id, resources: { scalars: real.master.layout.vector({ cpus: 1 }), ports: [], reserved: [] } }],
        },
      ],
      refuseSeconds: 0,
    });
    model.tasks.set(id, 'TASK_STAGING');
    agree(model, real);
  }
  toString = () => 'launch';
}

class Update implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    readonly state: TaskState,
  ) {}
  check = (model: Model) => model.tasks.size > 0 && !model.disconnected;
  run(model: Model, real: Real): void {
    const ids = [...model.tasks.keys()];
    const id = ids[this.pick % ids.length];
    const before = model.tasks.get(id)!;
    const result = real.master.step({
      type: 'task.status',
      nowMs: real.nowMs,
      agentId: 'a1',
      frameworkId: 'f',
      taskId: id,
      state: this.state,
    });
    const masterOnly = ['TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR', 'TASK_UNKNOWN'].includes(this.state);
    const legal = canTransition(before, this.state) && this.state !== 'TASK_KILLING' && !masterOnly;
    if (legal) {
      if (!result.ok) throw new Error(`legal ${before} -> ${this.state} rejected: ${result.rejection?.message}`);
      model.tasks.set(id, visible(this.state, real.partitionAware));
    } else if (result.ok) throw new Error(`illegal ${before} -> ${this.state} accepted`);
    agree(model, real);
  }
  toString = () => `update(${this.pick}, ${this.state})`;
}

class Disconnect implements fc.Command<Model, Real> {
  check = (model: Model) => !model.disconnected;
  run(model: Model, real: Real): void {
    real.master.step({ type: 'agent.unreachable', nowMs: real.nowMs, agentId: 'a1' });
    for (const [id, state] of model.tasks) if (!isTerminal(state)) model.tasks.set(id, visible('TASK_UNREACHABLE', real.partitionAware));
    model.disconnected = true;
    agree(model, real);
  }
  toString = () => 'unreachable';
}

class Reregister implements fc.Command<Model, Real> {
  constructor(readonly keep: boolean[]) {}
  check = (model: Model) => model.disconnected;
  run(model: Model, real: Real): void {
    const framework = real.master.frameworks.get('f')!;
    const unreachable = [...model.tasks].filter(([, state]) => state === 'TASK_UNREACHABLE').map(([id]) => id);
    const kept = unreachable.filter((_, i) => this.keep[i % this.keep.length]);
    real.master.step({
      type: 'agent.reregister',
      nowMs: real.nowMs,
      agent: { id: 'a1', resources: { cpus: CPUS, mem: 8192 } },
      tasks: kept.map((id) => ({
        taskId: id,
        frameworkId: 'f',
        role: 'r',
        state: 'TASK_RUNNING' as const,
        resources: framework.tasks.get(id)!.resources,
      })),
    });
    for (const id of unreachable) model.tasks.set(id, kept.includes(id) ? 'TASK_RUNNING' : 'TASK_GONE');
    model.disconnected = false;
    agree(model, real);
  }
  toString = () => `reregister(${this.keep})`;
}

function visible(state: TaskState, partitionAware: boolean): TaskState {
  return !partitionAware && ['TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_GONE_BY_OPERATOR'].includes(state)
    ? 'TASK_LOST'
    : state;
}

const stateArbitrary = fc.constantFrom(...TASK_STATES.filter((s) => s !== 'TASK_UNKNOWN'));

describe('task state machine against a model', () => {
  it('law: the master follows the transition table and recovers resources exactly once', () => {
    const commands = fc.commands(
      [
        fc.constant(new Launch()),
        fc.tuple(fc.nat(), stateArbitrary).map(([pick, state]) => new Update(pick, state)),
        fc.constant(new Disconnect()),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }).map((keep) => new Reregister(keep)),
      ],
      { maxCommands: 40 },
    );
    fc.assert(
      fc.property(fc.boolean(), commands, (partitionAware, cmds) => {
        const master = new Master({ prng: createPrng(1) });
        master.step({ type: 'agent.add', nowMs: 0, agent: { id: 'a1', resources: { cpus: CPUS, mem: 8192 } } });
        master.step({
          type: 'framework.subscribe',
          nowMs: 0,
          framework: { id: 'f', roles: ['r'], capabilities: partitionAware ? ['PARTITION_AWARE'] : [] },
        });
        fc.modelRun(
          () => ({ model: { tasks: new Map(), nextId: 0, disconnected: false }, real: { master, nowMs: 0, partitionAware } }),
          cmds,
        );
      }),
      { numRuns: 1000, ...(process.env.ALLOT_SEED ? { seed: Number(process.env.ALLOT_SEED) } : {}) },
    );
  });
});
