/**
 * Model-based test of reservations and volumes: random operator RESERVE,
 * UNRESERVE, CREATE and DESTROY commands, and tasks launched on volumes and
 * ended, against a model of how much each (role, labels) reservation and each
 * volume holds. The master must accept exactly what the model allows, end with
 * the same reservations, and keep every invariant. ALLOT_SEED=<n> replays.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { ResourceSet } from '../../../kernel/src/index.js';
import { createPrng, Master, reservedPart } from '../../../kernel/src/index.js';
import { checkInvariants } from '../../../kernel/src/testing/invariants.js';
import { checkLifecycleInvariants } from '../../../kernel/src/testing/lifecycleInvariants.js';

const DISK = 1000;
const ROLES = ['db', 'web'] as const;
type Role = (typeof ROLES)[number];

interface Model {
  unreserved: number;
  reserved: Record<Role, number>;
  /** `${role}/${persistence id}` -> the volume */
  volumes: Map<string, { role: Role; id: string; size: number; inUse: boolean }>;
  tasks: number;
}

interface Real {
  master: Master;
  nowMs: number;
}

function reservedDisk(real: Real, role: Role, disk: number, volume?: string): ResourceSet {
  const layout = real.master.layout;
  const part = reservedPart(
    [{ role, type: 'DYNAMIC' }],
    layout.vector({ disk }),
    [],
    volume ? { persistenceId: volume, containerPath: 'data', mode: 'RW' } : undefined,
  );
  return { scalars: layout.zero(), ports: [], reserved: [part] };
}

function volumeKey(role: Role, id: string): string {
  return `${role}/${id}`;
}

function agree(model: Model, real: Real): void {
  const agent = real.master.agents.get('a1')!;
  const layout = real.master.layout;
  const unreserved = layout.quantities(agent.total.scalars).disk ?? 0;
  if (Math.abs(unreserved - model.unreserved) > 1e-9) throw new Error(`unreserved disk ${unreserved}, model ${model.unreserved}`);
  for (const role of ROLES) {
    const plain = agent.total.reserved
      .filter((p) => p.role === role && !p.volume)
      .reduce((sum, p) => sum + (layout.quantities(p.scalars).disk ?? 0), 0);
    if (Math.abs(plain - model.reserved[role]) > 1e-9) throw new Error(`${role} reserved ${plain}, model ${model.reserved[role]}`);
  }
  const volumes = agent.total.reserved
    .filter((p) => p.volume)
    .map((p) => `${p.role}/${p.volume!.persistenceId}`)
    .sort();
  if (JSON.stringify(volumes) !== JSON.stringify([...model.volumes.keys()].sort()))
    throw new Error(`volumes ${volumes}, model ${[...model.volumes.keys()]}`);
  const violations = [...checkInvariants(real.master), ...checkLifecycleInvariants(real.master)];
  if (violations.length > 0) throw new Error(JSON.stringify(violations[0]));
}

function expectOutcome(ok: boolean, allowed: boolean, what: string, message?: string): void {
  if (ok !== allowed)
    throw new Error(`${what}: master ${ok ? 'accepted' : `rejected (${message})`}, model ${allowed ? 'allows' : 'forbids'}`);
}

class Reserve implements fc.Command<Model, Real> {
  constructor(
    readonly role: Role,
    readonly disk: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const result = real.master.step({
      type: 'operator.reserve',
      nowMs: real.nowMs,
      agentId: 'a1',
      role: this.role,
      resources: reservedDisk(real, this.role, this.disk),
    });
    const allowed = this.disk <= model.unreserved;
    expectOutcome(result.ok, allowed, `reserve ${this.disk} for ${this.role}`, result.rejection?.message);
    if (allowed) {
      model.unreserved -= this.disk;
      model.reserved[this.role] += this.disk;
    }
    agree(model, real);
  }
  toString = () => `reserve(${this.role}, ${this.disk})`;
}

class Unreserve implements fc.Command<Model, Real> {
  constructor(
    readonly role: Role,
    readonly disk: number,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const result = real.master.step({
      type: 'operator.unreserve',
      nowMs: real.nowMs,
      agentId: 'a1',
      role: this.role,
      resources: reservedDisk(real, this.role, this.disk),
    });
    const allowed = this.disk <= model.reserved[this.role];
    expectOutcome(result.ok, allowed, `unreserve ${this.disk} of ${this.role}`, result.rejection?.message);
    if (allowed) {
      model.unreserved += this.disk;
      model.reserved[this.role] -= this.disk;
    }
    agree(model, real);
  }
  toString = () => `unreserve(${this.role}, ${this.disk})`;
}

class Create implements fc.Command<Model, Real> {
  constructor(
    readonly role: Role,
    readonly disk: number,
    readonly id: string,
  ) {}
  check = () => true;
  run(model: Model, real: Real): void {
    const result = real.master.step({
      type: 'operator.createVolumes',
      nowMs: real.nowMs,
      agentId: 'a1',
      role: this.role,
      volumes: reservedDisk(real, this.role, this.disk, this.id),
    });
    // Persistence ids are unique per role per agent: the same id in another role is fine.
    const allowed = !model.volumes.has(volumeKey(this.role, this.id)) && this.disk <= model.reserved[this.role];
    expectOutcome(result.ok, allowed, `create ${this.id} of ${this.disk} for ${this.role}`, result.rejection?.message);
    if (allowed) {
      model.reserved[this.role] -= this.disk;
      model.volumes.set(volumeKey(this.role, this.id), { role: this.role, id: this.id, size: this.disk, inUse: false });
    }
    agree(model, real);
  }
  toString = () => `create(${this.role}, ${this.disk}, ${this.id})`;
}

class Destroy implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Model) => model.volumes.size > 0;
  run(model: Model, real: Real): void {
    const [key, volume] = [...model.volumes][this.pick % model.volumes.size];
    const result = real.master.step({
      type: 'operator.destroyVolumes',
      nowMs: real.nowMs,
      agentId: 'a1',
      role: volume.role,
      volumes: reservedDisk(real, volume.role, volume.size, volume.id),
    });
    expectOutcome(result.ok, !volume.inUse, `destroy ${key}${volume.inUse ? ' (in use)' : ''}`, result.rejection?.message);
    if (!volume.inUse) {
      model.volumes.delete(key);
      model.reserved[volume.role] += volume.size;
    }
    agree(model, real);
  }
  toString = () => `destroy(${this.pick})`;
}

/** A task that mounts a volume, and its end. */
class UseVolume implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = (model: Model) => [...model.volumes.values()].some((v) => !v.inUse);
  run(model: Model, real: Real): void {
    const [, volume] = [...model.volumes].filter(([, v]) => !v.inUse)[
      this.pick % [...model.volumes.values()].filter((v) => !v.inUse).length
    ];
    const id = volume.id;
    const framework = `fw-${volume.role}`;
    real.nowMs += 1000;
    real.master.step({ type: 'framework.revive', nowMs: real.nowMs, frameworkId: framework });
    const offers = real.master
      .step({ type: 'tick', nowMs: real.nowMs })
      .effects.flatMap((e) => (e.type === 'framework.offers' && e.frameworkId === framework ? e.offers : []));
    const offer =
      offers.find((o) => o.resources.reserved.some((p) => p.volume?.persistenceId === id)) ??
      [...real.master.offers.ofFramework(framework)].find((o) => o.resources.reserved.some((p) => p.volume?.persistenceId === id));
    if (!offer) throw new Error(`no offer to ${framework} holds volume ${id}`);
    const taskId = `task-${model.tasks++}`;
    const result = real.master.step({
      type: 'offer.accept',
      nowMs: real.nowMs,
      frameworkId: framework,
      offerIds: [offer.id],
      operations: [{ type: 'LAUNCH', tasks: [{ taskId, resources: reservedDisk(real, volume.role, volume.size, id) }] }],
      refuseSeconds: 0,
    });
    if (!result.ok) throw new Error(`launch on ${id} failed: ${result.rejection?.message}`);
    for (const other of real.master.offers.all())
      real.master.step({
        type: 'offer.decline',
        nowMs: real.nowMs,
        frameworkId: other.frameworkId,
        offerIds: [other.id],
        refuseSeconds: 0,
      });
    volume.inUse = true;
    agree(model, real);
    this.end = () => {
      real.master.step({ type: 'task.status', nowMs: real.nowMs, agentId: 'a1', frameworkId: framework, taskId, state: 'TASK_FINISHED' });
      volume.inUse = false;
    };
  }
  end: (() => void) | null = null;
  toString = () => `useVolume(${this.pick})`;
}

class EndTasks implements fc.Command<Model, Real> {
  check = (model: Model) => [...model.volumes.values()].some((v) => v.inUse);
  run(model: Model, real: Real): void {
    const framework = (role: Role) => real.master.frameworks.get(`fw-${role}`)!;
    for (const role of ROLES) {
      for (const task of framework(role).tasks.values()) {
        if (task.state !== 'TASK_STAGING') continue;
        real.master.step({
          type: 'task.status',
          nowMs: real.nowMs,
          agentId: 'a1',
          frameworkId: `fw-${role}`,
          taskId: task.id,
          state: 'TASK_FINISHED',
        });
      }
    }
    for (const volume of model.volumes.values()) volume.inUse = false;
    agree(model, real);
  }
  toString = () => 'endTasks';
}

describe('reservations and volumes against a model', () => {
  it('law: the master allows exactly what the model allows, and ends in the same state', () => {
    const role = fc.constantFrom<Role>(...ROLES);
    const amount = fc.integer({ min: 1, max: 600 });
    const commands = fc.commands(
      [
        fc.tuple(role, amount).map(([r, d]) => new Reserve(r, d)),
        fc.tuple(role, amount).map(([r, d]) => new Unreserve(r, d)),
        fc.tuple(role, amount, fc.constantFrom('v1', 'v2', 'v3')).map(([r, d, id]) => new Create(r, d, id)),
        fc.nat().map((pick) => new Destroy(pick)),
        fc.nat().map((pick) => new UseVolume(pick)),
        fc.constant(new EndTasks()),
      ],
      { maxCommands: 30 },
    );
    fc.assert(
      fc.property(commands, (cmds) => {
        const master = new Master({ prng: createPrng(1) });
        master.step({ type: 'agent.add', nowMs: 0, agent: { id: 'a1', resources: { cpus: 4, mem: 4096, disk: DISK } } });
        for (const r of ROLES) {
          master.step({ type: 'framework.subscribe', nowMs: 0, framework: { id: `fw-${r}`, roles: [r] } });
          master.step({ type: 'framework.suppress', nowMs: 0, frameworkId: `fw-${r}` });
        }
        const model: Model = { unreserved: DISK, reserved: { db: 0, web: 0 }, volumes: new Map(), tasks: 0 };
        fc.modelRun(() => ({ model, real: { master, nowMs: 0 } }), cmds);
      }),
      { numRuns: 1000, ...(process.env.ALLOT_SEED ? { seed: Number(process.env.ALLOT_SEED) } : {}) },
    );
  });
});
