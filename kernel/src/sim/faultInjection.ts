/**
 * What each scenario fault does to the simulated world. The simulation owns
 * the world (agents, network, master) and hands this module a narrow door to
 * it, so the catalogue of faults reads in one place.
 */
import type { Command } from '../master/commands.js';
import type { Master } from '../master/master.js';
import type { Prng } from '../prng.js';
import type { FrameworkModel, SchedulerContext } from '../schedulers/frameworkModel.js';
import type { ControlResult } from '../sdk/plan.js';
import type { ScenarioAgent, ScenarioFault } from './scenario.js';
import type { SimulatedAgent } from './simulatedAgent.js';

/** How long a restarted scheduler takes to subscribe again. */
export const SCHEDULER_RESTART_DELAY_MS = 1_000;

export interface ControlRecord {
  atMs: number;
  framework: string;
  control: string;
  result: ControlResult;
}

/** The world as faults see it: what the simulation lends them. */
export interface FaultTarget {
  readonly nowMs: number;
  readonly master: Master;
  readonly agents: ReadonlyMap<string, SimulatedAgent>;
  readonly frameworks: Map<string, FrameworkModel>;
  readonly controlResults: ControlRecord[];
  /** Randomness of the world around the master (which task fails when none is named). */
  readonly prng: Prng;
  readonly context: SchedulerContext;
  command(command: Command): void;
  schedule(atMs: number, run: () => void): void;
  hostnameOf(agentId: string): string;
  /** Starts a new agent, or restarts a known one, and registers it. */
  startAgent(spec: ScenarioAgent): void;
  /** Restarts a crashed agent and registers it; an agent that is up is left alone. */
  reviveAgent(agentId: string): void;
  crashAgent(agentId: string): void;
  partition(agentId: string): void;
  heal(agentId: string): void;
  failover(): void;
}

type MaintenanceFault = Extract<ScenarioFault, { type: 'maintenance.schedule' | 'maintenance.start' | 'maintenance.stop' }>;
type ControlFault = Extract<ScenarioFault, { framework: string }>;

/** Injects one fault now (scheduled faults and the playground's click-to-break). */
export function injectFault(world: FaultTarget, fault: ScenarioFault): void {
  const nowMs = world.nowMs;
  switch (fault.type) {
    case 'agent.crash':
      return world.crashAgent(fault.agent);
    case 'agent.restart':
      return world.reviveAgent(fault.agent);
    case 'agent.add':
      return world.startAgent(fault.agent);
    case 'agent.drain':
      if (world.master.agents.has(fault.agent)) world.command({ type: 'agent.drain', nowMs, agentId: fault.agent });
      return;
    case 'agent.gone':
      world.crashAgent(fault.agent);
      world.command({ type: 'agent.markGone', nowMs, agentId: fault.agent });
      return;
    case 'network.partition':
      for (const agentId of fault.agents) world.partition(agentId);
      return;
    case 'network.heal':
      for (const agentId of fault.agents) world.heal(agentId);
      return;
    case 'master.failover':
      return world.failover();
    case 'task.fail':
      return failTask(world, fault.framework, fault.task);
    case 'maintenance.schedule':
    case 'maintenance.start':
    case 'maintenance.stop':
      return maintenance(world, fault);
    case 'framework.revive':
    case 'framework.suppress':
      world.command({ type: fault.type, nowMs, frameworkId: fault.framework, ...(fault.roles ? { roles: fault.roles } : {}) });
      return;
    case 'role.update':
      world.command({
        type: 'role.update',
        nowMs,
        role: fault.role,
        ...(fault.weight !== undefined ? { weight: fault.weight } : {}),
        ...(fault.quota ? { quota: fault.quota } : {}),
      });
      return;
    case 'scheduler.restart':
      return restartScheduler(world, fault.framework);
    case 'plan.interrupt':
    case 'plan.continue':
    case 'plan.restart':
    case 'plan.forceComplete':
    case 'pod.replace':
    case 'pod.restart':
    case 'service.update':
    case 'service.uninstall':
    case 'plan.start':
    case 'plan.stop':
      return control(world, fault);
    default: {
      const unknown: never = fault;
      throw new Error(`unknown fault ${JSON.stringify(unknown)}`);
    }
  }
}

/** Maintenance windows name agents in scenarios; the master knows machines by hostname. */
function maintenance(world: FaultTarget, fault: MaintenanceFault): void {
  const machines = fault.agents.map((id) => ({ hostname: world.hostnameOf(id) }));
  if (fault.type === 'maintenance.schedule') {
    const window = { machines, startMs: world.nowMs + (fault.startsInMs ?? 0), durationMs: fault.durationMs ?? null };
    world.command({ type: 'maintenance.schedule', nowMs: world.nowMs, windows: [...world.master.maintenance.windows, window] });
    return;
  }
  world.command({ type: fault.type, nowMs: world.nowMs, machines });
  // A machine back up: its agents register again (they were shut down when it went down).
  if (fault.type === 'maintenance.stop') for (const id of fault.agents) world.reviveAgent(id);
}

/** The named task, or a running task of the framework picked at random, fails on its agent. */
function failTask(world: FaultTarget, frameworkId: string, taskId: string | undefined): void {
  const framework = world.master.frameworks.get(frameworkId);
  if (!framework) return;
  const running = [...framework.tasks.values()].filter(
    (task) => task.state === 'TASK_RUNNING' && (taskId === undefined || task.id === taskId),
  );
  const task = taskId === undefined && running.length > 0 ? running[world.prng.nextInt(running.length)] : running[0];
  if (task) world.agents.get(task.agentId)?.fail(task.frameworkId, task.id, 'injected failure', world.nowMs);
}

/** The scheduler process dies and comes back with only what it persisted, then re-subscribes. */
function restartScheduler(world: FaultTarget, frameworkId: string): void {
  const model = world.frameworks.get(frameworkId);
  if (!model?.restart) throw new Error(`framework ${frameworkId} cannot restart its scheduler`);
  const next = model.restart(world.context);
  world.frameworks.set(frameworkId, next);
  world.schedule(world.nowMs + SCHEDULER_RESTART_DELAY_MS, () => next.onMasterFailover(world.context));
}

/** Plan and pod controls, as an operator would send them to the service's API. */
function control(world: FaultTarget, fault: ControlFault): void {
  const { atMs: _atMs, framework, ...request } = fault;
  const model = world.frameworks.get(framework);
  if (!model?.control) throw new Error(`framework ${framework} (${model ? 'its kind' : 'unknown'}) takes no ${fault.type}`);
  world.controlResults.push({
    atMs: world.nowMs,
    framework,
    control: fault.type,
    result: model.control(request as never) as ControlResult,
  });
}
