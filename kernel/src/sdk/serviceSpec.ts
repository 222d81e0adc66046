/**
 * The service spec of an SDK service: pods (count, placement, volumes,
 * allow-decommission) of tasks (goal, essential, resources, command,
 * environment, named ports, readiness and health checks), custom plans, the
 * shape and strategies of the deploy and update plans, recovery timing and
 * backoff. serviceSpecReader.ts reads one from JSON with every problem named
 * by its path; configValidators.ts keeps an old target when a new one is bad.
 */
import type { PlacementConstraint } from './constraints.js';
import type { StrategySpec } from './strategy.js';

export type TaskGoal = 'RUNNING' | 'FINISH' | 'ONCE';

export interface VolumeSpec {
  type: 'ROOT' | 'MOUNT';
  containerPath: string;
  sizeMb: number;
  /** The task whose sandbox the volume appears in; absent: the pod's first task. */
  task?: string;
}

/** A command readiness check (Mesos `CheckInfo` COMMAND): the task is ready once `cmd` exits 0. */
export interface ReadinessCheckSpec {
  cmd: string;
  intervalSeconds: number;
  delaySeconds: number;
  timeoutSeconds: number;
}

/** A command health check (Mesos `HealthCheck`): the agent kills the task after that many failures past the grace period. */
export interface HealthCheckSpec extends ReadinessCheckSpec {
  gracePeriodSeconds: number;
  maxConsecutiveFailures: number;
}

/** A named port of a task: its number is in `envKey` (and PORT_<NAME>); advertised ports are endpoints. */
export interface PortSpec {
  name: string;
  envKey: string | null;
  advertise: boolean;
}

export interface PodTaskSpec {
  name: string;
  goal: TaskGoal;
  essential: boolean;
  cpus: number;
  memMb: number;
  diskMb: number;
  /** How many ports the task takes (the lowest free ones offered). */
  ports: number;
  /** Names of those ports, in order (empty, or one per port). */
  portSpecs: PortSpec[];
  cmd: string;
  env: Record<string, string>;
  /** Simulated readiness check: ready this long after TASK_RUNNING (null: ready at once). */
  readinessDelayMs: number | null;
  /** A readiness check the agent runs; the task is ready when it passes (null: none). */
  readinessCheck: ReadinessCheckSpec | null;
  /** A health check the agent runs; null: none. */
  healthCheck: HealthCheckSpec | null;
  /** Simulated run time of FINISH / ONCE tasks (null: runs until killed). */
  durationMs: number | null;
}

export interface PodSpec {
  type: string;
  count: number;
  placement: Array<[string, string] | [string, string, string]>;
  constraints: PlacementConstraint[];
  allowDecommission: boolean;
  volumes: VolumeSpec[];
  tasks: PodTaskSpec[];
}

/** A custom plan: sidecar tasks (goal FINISH or ONCE) run on deployed pods, started by an operator. */
export interface CustomPlanSpec {
  name: string;
  strategy: StrategySpec;
  phases: Array<{ name: string; pod: string; tasks: string[]; strategy: StrategySpec }>;
}

/** The shape of the deploy (or update) plan when a spec names its phases: a phase per entry, over one pod each. */
export interface DeployPlanSpec {
  strategy: StrategySpec;
  phases: Array<{ name: string; pod: string; strategy: StrategySpec }>;
}

export interface ServiceSpec {
  name: string;
  /** Who reserves for the service (the reservations' principal); absent: the name. */
  principal?: string;
  pods: PodSpec[];
  /** Custom plans (they start interrupted); the tasks they name are not launched by deploy. */
  plans: CustomPlanSpec[];
  deployStrategy: StrategySpec;
  /** How config updates roll out (default: the deploy strategy). */
  updateStrategy: StrategySpec;
  /** Named phases of the deploy plan (null: one phase per pod type, named after it, with `deployStrategy`). */
  deployPlan: DeployPlanSpec | null;
  /** Named phases of the plan that rolls config updates out (null: as the deploy plan, with `updateStrategy`). */
  updatePlan: DeployPlanSpec | null;
  /** After this long a failed pod is replaced elsewhere (default 1200 s). */
  failureTimeoutMs: number;
  backoff: { initialMs: number; factor: number; maxMs: number };
  /** Cassandra: the first n instances of the first pod are seeds. */
  seeds: number;
}

export const SDK_BACKOFF = { initialMs: 60_000, factor: 1.15, maxMs: 300_000 } as const;
export const SDK_FAILURE_TIMEOUT_MS = 1_200_000;

/** Tasks a pod runs under its deploy plan: all but those custom plans run. */
export function deployTaskNames(spec: ServiceSpec, pod: PodSpec): string[] {
  const sidecars = new Set(
    spec.plans.flatMap((plan) => plan.phases.filter((phase) => phase.pod === pod.type).flatMap((phase) => phase.tasks)),
  );
  return pod.tasks.map((task) => task.name).filter((name) => !sidecars.has(name));
}
