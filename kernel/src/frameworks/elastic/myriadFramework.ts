/**
 * The `elastic` framework model (Myriad-like): YARN NodeManagers run as Mesos
 * tasks sized by profile, one per agent, flexed up and down at scheduled
 * times (flexDown.ts picks which go). A simulated ResourceManager places YARN
 * containers on the NodeManagers' capacity; zero-profile NodeManagers have
 * none of their own and grow by one placeholder Mesos task per container,
 * carved from offers on their agent, shrinking again as containers end.
 */
import type { Offer } from '../../offers/offer.js';
import { subtractResourceSets } from '../../resources/resourceSet.js';
import type { FrameworkModel, SchedulerContext } from '../../schedulers/frameworkModel.js';
import type { FrameworkConfig } from '../../schedulers/frameworkConfig.js';
import { carveTask } from '../../schedulers/carveTask.js';
import type { TaskSpec, TaskStatus } from '../../tasks/task.js';
import type { TaskState } from '../../tasks/taskState.js';
import { isTerminal } from '../../tasks/taskState.js';
import { SchedulerSession } from '../schedulerSession.js';
import { parseConstraint, placementAllows } from '../../sdk/constraints.js';
import type { PlacementConstraint } from '../../sdk/constraints.js';
import type { ElasticOptions, FlexAction } from './elasticSpec.js';
import { elasticDetails } from './elasticDetails.js';
import type { NodeManagerState } from './flexDown.js';
import { flexDownVictims } from './flexDown.js';
import { isZeroProfile, nodeManagerResources } from './profiles.js';
import type { Container } from './yarnResourceManager.js';
import { YarnResourceManager } from './yarnResourceManager.js';

export interface NodeManager {
  /** `nm-<profile>-<number>` (or what the host names it): also its node name in YARN. */
  readonly id: string;
  readonly number: number;
  readonly profile: string;
  /** Where it may run (a flex up's constraint); absent: anywhere. */
  readonly constraint?: PlacementConstraint;
  state: NodeManagerState;
  /** The current Mesos task (a NodeManager that dies unexpectedly is relaunched under a new one). */
  taskId: string | null;
  launches: number;
  agentId: string | null;
}

export interface FlexRecord extends FlexAction {
  /** NodeManagers taken by a flex down, with the state each was in. */
  taken: string[];
}

/** How a real cluster's host runs the model (the simulator passes none of these). */
export interface MyriadHostOptions {
  /** Names a NodeManager (and its first task); default `nm-<profile>-<number>`. */
  nodeManagerIdOf?: (profile: string, number: number) => string;
  /** NodeManagers one agent may hold; default 1, as Myriad runs one per host. */
  maxPerAgent?: number;
}

/** Operator controls of a running pool (Myriad's REST API). */
export type FlexControl =
  | { type: 'flex.up'; profile: string; count: number; constraint?: PlacementConstraint }
  | { type: 'flex.down'; profile: string; count: number };

export interface MyriadSnapshot {
  nodeManagers: Array<Omit<NodeManager, 'constraint'> & { constraint?: string[] }>;
  nextNumber: number;
  taskStates: Record<string, TaskState>;
}

export class MyriadFramework implements FrameworkModel {
  readonly id: string;
  readonly role: string;
  readonly options: ElasticOptions;
  readonly yarn = new YarnResourceManager();
  readonly nodeManagers: NodeManager[] = [];
  readonly flexLog: FlexRecord[] = [];
  readonly #session: SchedulerSession;
  readonly #nodeManagerOfTask = new Map<string, NodeManager>();
  readonly #containerOfTask = new Map<string, Container>();
  placeholdersLaunched = 0;
  #nextNumber = 0;
  #started = false;

  readonly #host: MyriadHostOptions;

  constructor(
    readonly spec: FrameworkConfig,
    host: MyriadHostOptions = {},
  ) {
    this.id = spec.id;
    this.role = spec.role;
    this.options = spec.options as ElasticOptions;
    this.#session = new SchedulerSession(spec);
    this.#host = host;
  }

  /** Flexes up or down now (a host's operator control); returns the NodeManagers a flex down took. */
  operate(command: FlexControl, context: SchedulerContext): string[] {
    const record = this.#flex(
      { atMs: context.nowMs, action: command.type === 'flex.up' ? 'up' : 'down', profile: command.profile, count: command.count },
      context,
      command.type === 'flex.up' ? command.constraint : undefined,
    );
    return record.taken;
  }

  snapshot(): MyriadSnapshot {
    const live = new Set(this.nodeManagers.flatMap((nm) => (nm.taskId ? [nm.taskId] : [])));
    return JSON.parse(
      JSON.stringify({
        nodeManagers: this.nodeManagers.map((nm) => ({
          ...nm,
          ...(nm.constraint
            ? {
                constraint: [
                  nm.constraint.field,
                  nm.constraint.operator,
                  ...(nm.constraint.value !== undefined ? [nm.constraint.value] : []),
                ],
              }
            : {}),
        })),
        nextNumber: this.#nextNumber,
        taskStates: Object.fromEntries([...this.#session.taskStates].filter(([taskId]) => live.has(taskId))),
      }),
    ) as MyriadSnapshot;
  }

  /** A pool scheduler restarted from its store; it reconciles its NodeManagers once subscribed. */
  static restore(spec: FrameworkConfig, snapshot: MyriadSnapshot, host: MyriadHostOptions = {}): MyriadFramework {
    const model = new MyriadFramework(spec, host);
    for (const saved of snapshot.nodeManagers) {
      const parsed = saved.constraint ? parseConstraint(saved.constraint) : null;
      if (parsed && !parsed.ok) throw new Error(`stored constraint of ${saved.id}: ${parsed.message}`);
      const nm: NodeManager = { ...saved, ...(parsed?.ok ? { constraint: parsed.constraint } : {}) } as NodeManager;
      if (!parsed) delete (nm as { constraint?: unknown }).constraint;
      model.nodeManagers.push(nm);
      if (nm.taskId) model.#nodeManagerOfTask.set(nm.taskId, nm);
    }
    for (const [taskId, state] of Object.entries(snapshot.taskStates)) model.#session.taskStates.set(taskId, state);
    model.#nextNumber = snapshot.nextNumber;
    model.#started = true;
    return model;
  }

  get taskStates(): ReadonlyMap<string, TaskState> {
    return this.#session.taskStates;
  }

  get pendingTasks(): number {
    return this.nodeManagers.filter((nm) => nm.state === 'pending').length;
  }

  subscribe(context: SchedulerContext): void {
    this.#session.subscribe(context);
    if (!this.#started) {
      this.#started = true;
      for (const flex of this.options.flex) context.schedule(flex.atMs, () => this.#flex(flex, context));
      for (const app of this.options.applications)
        context.schedule(app.atMs, () => {
          this.yarn.submit(app, context.nowMs);
          this.#scheduleYarn(context);
        });
    }
    this.#updateInterest(context);
  }

  onMasterFailover(context: SchedulerContext): void {
    this.subscribe(context);
    const live = new Map<string, string>();
    for (const nm of this.nodeManagers) if (nm.taskId && nm.agentId && nm.state !== 'pending') live.set(nm.taskId, nm.agentId);
    for (const [taskId, c] of this.#containerOfTask) {
      const nm = this.nodeManagers.find((n) => n.id === c.nodeManager);
      if (nm?.agentId) live.set(taskId, nm.agentId);
    }
    this.#session.reconcile(live, context);
  }

  onOffers(offers: readonly Offer[], context: SchedulerContext): void {
    for (const offer of offers) this.#session.answer(offer, this.#launchesFor(offer, context), context);
    this.#updateInterest(context);
  }

  onRescind(): void {}

  onUpdate(status: TaskStatus, context: SchedulerContext): void {
    if (!this.#session.observe(status, context)) return;
    const ended = isTerminal(status.state) || status.state === 'TASK_UNKNOWN';
    const nm = this.#nodeManagerOfTask.get(status.taskId);
    if (nm && nm.taskId === status.taskId) {
      if (!ended && status.state === 'TASK_RUNNING' && nm.state === 'staging') nm.state = 'active';
      // Unreachable is lost for a NodeManager (Myriad predates partition awareness): launched again at once,
      // and the old task, should its agent come back, is killed as an orphan below.
      if (ended || status.state === 'TASK_UNREACHABLE') this.#nodeManagerEnded(nm, context);
    }
    const c = this.#containerOfTask.get(status.taskId);
    // A NodeManager or placeholder given up for lost that turns up running again is not wanted.
    const orphan = nm ? nm.taskId !== status.taskId : !c;
    if (orphan && !ended) this.#session.kill(status.taskId, status.agentId, context);
    if (c && ended) {
      this.#containerOfTask.delete(status.taskId);
      if (c.state === 'running' && c.placeholderTaskId === status.taskId) {
        if (status.state === 'TASK_FINISHED') this.#containerEnded(c, context);
        else this.yarn.requeue([c]);
      }
    }
    this.#scheduleYarn(context);
  }

  details(): Record<string, unknown> {
    return elasticDetails(this);
  }

  #flex(flex: FlexAction, context: SchedulerContext, constraint?: PlacementConstraint): FlexRecord {
    const record: FlexRecord = { ...flex, taken: [] };
    this.flexLog.push(record);
    if (flex.action === 'up') {
      for (let i = 0; i < flex.count; i++) {
        const number = this.#nextNumber++;
        this.nodeManagers.push({
          id: this.#host.nodeManagerIdOf?.(flex.profile, number) ?? `nm-${flex.profile}-${number}`,
          number,
          profile: flex.profile,
          ...(constraint ? { constraint } : {}),
          state: 'pending',
          taskId: null,
          launches: 0,
          agentId: null,
        });
      }
    } else {
      const candidates = this.nodeManagers.map((nm) => ({
        nm,
        id: nm.id,
        profile: nm.profile,
        state: nm.state,
        number: nm.number,
        applicationMasters: this.yarn.applicationMastersOn(nm.id),
      }));
      for (const victim of flexDownVictims(candidates, flex.profile, flex.count)) {
        record.taken.push(`${victim.id} (${victim.state})`);
        if (victim.state === 'pending') this.nodeManagers.splice(this.nodeManagers.indexOf(victim.nm), 1);
        else this.#kill(victim.nm, context);
      }
    }
    this.#scheduleYarn(context);
    return record;
  }

  #kill(nm: NodeManager, context: SchedulerContext): void {
    nm.state = 'killing';
    this.#session.kill(nm.taskId!, nm.agentId!, context);
    this.#evict(nm, context);
  }

  /** Containers of a NodeManager that is going away return to the queue; their placeholders are killed. */
  #evict(nm: NodeManager, context: SchedulerContext): void {
    for (const taskId of this.yarn.evict(nm.id)) {
      this.#containerOfTask.delete(taskId);
      this.#session.kill(taskId, nm.agentId!, context);
    }
  }

  #nodeManagerEnded(nm: NodeManager, context: SchedulerContext): void {
    this.#nodeManagerOfTask.delete(nm.taskId!);
    if (nm.state === 'killing') {
      this.nodeManagers.splice(this.nodeManagers.indexOf(nm), 1);
      return;
    }
    // An unexpected end: YARN loses the node's containers, and Myriad launches the NodeManager again.
    this.#evict(nm, context);
    Object.assign(nm, { state: 'pending', taskId: null, agentId: null });
  }

  #containerEnded(c: Container, context: SchedulerContext): void {
    const am = this.yarn.finish(c, context.nowMs);
    if (!am) return;
    // The application's last worker ended: its master goes too.
    if (am.placeholderTaskId) {
      this.#containerOfTask.delete(am.placeholderTaskId);
      const nm = this.nodeManagers.find((n) => n.id === am.nodeManager);
      this.#session.kill(am.placeholderTaskId, nm!.agentId!, context);
    }
    this.yarn.finish(am, context.nowMs);
  }

  /** Coarse capacity first: containers on active NodeManagers with a non-zero profile; each ends by a timer. */
  #scheduleYarn(context: SchedulerContext): void {
    const nodes = this.nodeManagers
      .filter((nm) => nm.state === 'active' && !isZeroProfile(this.options.profiles[nm.profile]))
      .map((nm) => ({ id: nm.id, capacity: this.options.profiles[nm.profile] }));
    for (const c of this.yarn.placeOnCapacity(nodes)) {
      if (c.durationMs === null) continue;
      const attempt = c.attempt;
      context.schedule(context.nowMs + c.durationMs, () => {
        if (c.state !== 'running' || c.attempt !== attempt) return;
        this.#containerEnded(c, context);
        this.#scheduleYarn(context);
      });
    }
    this.#updateInterest(context);
  }

  #updateInterest(context: SchedulerContext): void {
    const fineGrained = this.nodeManagers.some((nm) => nm.state === 'active' && isZeroProfile(this.options.profiles[nm.profile]));
    this.#session.want(this.pendingTasks > 0 || (fineGrained && this.yarn.pending.length > 0), context);
  }

  /** Placeholders for a fine-grained NodeManager on this agent, or a new NodeManager if the agent has none. */
  #launchesFor(offer: Offer, context: SchedulerContext): Array<{ type: 'LAUNCH'; tasks: TaskSpec[] }> {
    const tasks: TaskSpec[] = [];
    let available = offer.resources;
    const here = this.nodeManagers.find((nm) => nm.agentId === offer.agentId && nm.state !== 'pending');
    if (here?.state === 'active' && isZeroProfile(this.options.profiles[here.profile])) {
      for (let placed = true; placed; ) {
        placed = false;
        for (const c of [...this.yarn.pending]) {
          const resources = carveTask(available, context.layout, { cpus: c.resources.cpus, mem: c.resources.mem }, 0);
          if (!resources) continue;
          const taskId = `yarn-${c.id.replace('/', '-')}-${c.attempt + 1}`;
          this.yarn.start(c, here.id, taskId);
          this.#containerOfTask.set(taskId, c);
          this.placeholdersLaunched++;
          tasks.push({ taskId, name: `placeholder for ${c.id}`, resources, data: { durationMs: c.durationMs } });
          available = subtractResourceSets(available, resources);
          placed = true;
        }
      }
    }
    const onAgent = this.nodeManagers.filter((nm) => nm.agentId === offer.agentId && nm.state !== 'pending').length;
    if (onAgent < (this.#host.maxPerAgent ?? 1)) {
      const target = { hostname: offer.hostname, attributes: offer.attributes };
      for (const nm of this.nodeManagers.filter((n) => n.state === 'pending')) {
        if (nm.constraint && !placementAllows([nm.constraint], target, [], [target]).ok) continue;
        const resources = carveTask(
          available,
          context.layout,
          nodeManagerResources(this.options.profiles[nm.profile], this.options.nodeManagerOverhead),
          0,
        );
        if (!resources) continue;
        nm.launches++;
        Object.assign(nm, { state: 'staging', agentId: offer.agentId, taskId: nm.launches > 1 ? `${nm.id}-r${nm.launches - 1}` : nm.id });
        this.#nodeManagerOfTask.set(nm.taskId!, nm);
        tasks.push({ taskId: nm.taskId!, name: `NodeManager ${nm.profile}`, resources, data: { durationMs: null } });
        break;
      }
    }
    return tasks.length > 0 ? [{ type: 'LAUNCH', tasks }] : [];
  }
}
