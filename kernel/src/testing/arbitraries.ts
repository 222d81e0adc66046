/**
 * fast-check arbitraries for the building blocks of a cluster: hierarchical
 * role names, weights, quotas, agents (scalars, ports, attributes, static
 * reservations) and frameworks (roles, capabilities, per-role min allocatable).
 * Every generated value is valid input for a Master: quota only on top-level
 * roles, guarantee <= limit, reservations inside their agent, and a quota limit
 * never below the static reservations its role subtree holds in the cluster.
 * fast-check is imported only under testing/; the rest of the kernel never is.
 */
import fc from 'fast-check';
import type { AgentSpec, StaticReservationSpec } from '../agents/agent.js';
import type { FrameworkSpec } from '../master/commands.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type { QuotaSpec } from '../roles/quota.js';
import { isSelfOrAncestor, topLevelRole } from '../roles/roleName.js';

export interface RoleConfig {
  name: string;
  weight: number;
  /** Only on top-level roles. */
  quota?: QuotaSpec;
}

/** Everything a workload can bring up: agents may come and go, frameworks subscribe and leave. */
export interface Cluster {
  /** Every role a framework or reservation uses, plus their top-level roles. */
  roles: RoleConfig[];
  agents: AgentSpec[];
  frameworks: FrameworkSpec[];
}

export interface ClusterOptions {
  agentsMax?: number;
  frameworksMax?: number;
  rolesMax?: number;
  /** Agents with GPUs (default true): frameworks without GPU_RESOURCES must skip them. */
  gpus?: boolean;
  /** Quota on top-level roles (default true). */
  quota?: boolean;
  /** Static reservations on agents (default true). */
  reservations?: boolean;
}

const TOP_LEVEL_ROLES = ['eng', 'ops', 'data'] as const;
const CHILD_ROLES = ['web', 'db', 'batch'] as const;
const CAPABILITIES = ['GPU_RESOURCES', 'PARTITION_AWARE', 'MULTI_ROLE', 'TASK_KILLING_STATE'] as const;
const PORT_BASE = 31000;

/** `fc.record` with ordinary prototypes: generated values are printed, copied and compared with toStrictEqual. */
export function plainRecord<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;
}

/** Scalars are kept to Mesos's three decimals, so sums compare exactly up to the kernel's epsilon. */
export function floorScalar(value: number): number {
  return Math.floor(value * 1000 + 1e-9) / 1000;
}

/** A role path one to three levels deep, such as "eng", "eng/web" or "ops/db/batch". */
export function roleNameArbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...TOP_LEVEL_ROLES), fc.array(fc.constantFrom(...CHILD_ROLES), { maxLength: 2 }))
    .map(([top, children]) => [top, ...children].join('/'));
}

export function roleNamesArbitrary(rolesMax = 4): fc.Arbitrary<string[]> {
  return fc.uniqueArray(roleNameArbitrary(), { minLength: 1, maxLength: rolesMax });
}

export function weightArbitrary(): fc.Arbitrary<number> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constantFrom(0.5, 2, 3, 10) });
}

/** Guarantee <= limit for every name; either part may be absent. */
export function quotaArbitrary(): fc.Arbitrary<QuotaSpec> {
  const amounts = fc.record(
    { cpus: fc.integer({ min: 0, max: 12 }), mem: fc.integer({ min: 0, max: 24 }).map((n) => n * 512) },
    { requiredKeys: [], noNullPrototype: true },
  );
  return plainRecord({ guarantee: fc.option(amounts, { nil: undefined }), extra: fc.option(amounts, { nil: undefined }) }).map(
    ({ guarantee, extra }) => {
      const quota: QuotaSpec = {};
      if (guarantee && Object.keys(guarantee).length > 0) quota.guarantee = guarantee;
      if (extra) {
        const limit: ResourceQuantities = {};
        for (const name of new Set([...Object.keys(extra), ...Object.keys(guarantee ?? {})])) {
          limit[name] = ((guarantee as ResourceQuantities | undefined)?.[name] ?? 0) + ((extra as ResourceQuantities)[name] ?? 0);
        }
        if (Object.keys(limit).length > 0) quota.limit = limit;
      }
      return quota;
    },
  );
}

interface AgentShape {
  cpus: number;
  memMb: number;
  diskMb: number;
  gpus: number;
  portCount: number;
  rack: string;
  reservations: Array<{ roleIndex: number; fraction: number; withPort: boolean; labelled: boolean }>;
}

function agentShapeArbitrary(options: Required<ClusterOptions>): fc.Arbitrary<AgentShape> {
  return plainRecord({
    cpus: fc.integer({ min: 1, max: 16 }).map((n) => n / 2),
    memMb: fc.integer({ min: 1, max: 16 }).map((n) => n * 512),
    diskMb: fc.oneof(
      fc.constant(0),
      fc.integer({ min: 1, max: 8 }).map((n) => n * 1024),
    ),
    gpus: options.gpus
      ? fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) })
      : fc.constant(0),
    portCount: fc.integer({ min: 0, max: 4 }),
    rack: fc.constantFrom('r1', 'r2'),
    reservations: options.reservations
      ? fc.array(
          plainRecord({ roleIndex: fc.nat(), fraction: fc.constantFrom(0.25, 0.5), withPort: fc.boolean(), labelled: fc.boolean() }),
          { maxLength: 2 },
        )
      : fc.constant([]),
  });
}

/** Turns a shape into an agent spec; reservations take at most 75% of each scalar and distinct ports. */
function agentFromShape(id: string, shape: AgentShape, roles: readonly string[]): AgentSpec {
  const resources: ResourceQuantities = { cpus: shape.cpus, mem: shape.memMb };
  if (shape.diskMb > 0) resources.disk = shape.diskMb;
  if (shape.gpus > 0) resources.gpus = shape.gpus;
  const reservations: StaticReservationSpec[] = [];
  let nextPort = PORT_BASE;
  let share = 0;
  for (const reservation of shape.reservations) {
    const fraction = Math.min(reservation.fraction, 0.75 - share);
    if (fraction <= 0) break;
    share += fraction;
    const reserved: ResourceQuantities = {};
    for (const [name, amount] of Object.entries(resources)) if (name !== 'gpus') reserved[name] = floorScalar(amount * fraction);
    const spec: StaticReservationSpec = { role: roles[reservation.roleIndex % roles.length], resources: reserved };
    if (reservation.withPort && nextPort < PORT_BASE + shape.portCount) {
      spec.ports = [[nextPort, nextPort]];
      nextPort++;
    }
    if (reservation.labelled) spec.labels = { resource_id: `${id}-r${reservations.length}` };
    reservations.push(spec);
  }
  const agent: AgentSpec = { id, resources, attributes: { rack: shape.rack } };
  if (shape.portCount > 0) agent.ports = [[PORT_BASE, PORT_BASE + shape.portCount - 1]];
  if (reservations.length > 0) agent.reservations = reservations;
  return agent;
}

export function agentArbitrary(id: string, roles: readonly string[], options: ClusterOptions = {}): fc.Arbitrary<AgentSpec> {
  return agentShapeArbitrary(withDefaults(options)).map((shape) => agentFromShape(id, shape, roles));
}

export function frameworkArbitrary(id: string, roles: readonly string[]): fc.Arbitrary<FrameworkSpec> {
  return plainRecord({
    roles: fc.subarray([...roles], { minLength: 1, maxLength: Math.min(2, roles.length) }),
    capabilities: fc.subarray([...CAPABILITIES]),
    minimums: fc.array(
      fc.option(fc.constantFrom<ResourceQuantities[]>([{ cpus: 1 }], [{ mem: 1024 }], [{ cpus: 0.5 }, { mem: 512 }]), {
        nil: undefined,
        freq: 3,
      }),
      { minLength: 2, maxLength: 2 },
    ),
  }).map(({ roles: frameworkRoles, capabilities, minimums }) => {
    const framework: FrameworkSpec = { id, roles: frameworkRoles, capabilities };
    const minAllocatable: Record<string, ResourceQuantities[]> = {};
    frameworkRoles.forEach((role, i) => {
      if (minimums[i]) minAllocatable[role] = minimums[i]!;
    });
    if (Object.keys(minAllocatable).length > 0) framework.minAllocatable = minAllocatable;
    return framework;
  });
}

/** Sum of the static reservations of a role subtree over the given agents. */
export function subtreeReservations(agents: readonly AgentSpec[], topRole: string): ResourceQuantities {
  const sum: ResourceQuantities = {};
  for (const agent of agents) {
    for (const reservation of agent.reservations ?? []) {
      if (!isSelfOrAncestor(topRole, reservation.role)) continue;
      for (const [name, amount] of Object.entries(reservation.resources)) sum[name] = (sum[name] ?? 0) + amount;
    }
  }
  return sum;
}

/** A quota whose limits are raised, where needed, to hold at least `floor`. */
export function quotaAtLeast(quota: QuotaSpec, floor: ResourceQuantities): QuotaSpec {
  if (!quota.limit) return quota;
  const limit: ResourceQuantities = { ...quota.limit };
  for (const [name, amount] of Object.entries(limit)) limit[name] = Math.max(amount, floor[name] ?? 0);
  return { ...quota, limit };
}

export function clusterArbitrary(options: ClusterOptions = {}): fc.Arbitrary<Cluster> {
  const settings = withDefaults(options);
  return roleNamesArbitrary(settings.rolesMax).chain((names) => {
    const topLevels = [...new Set(names.map(topLevelRole))].filter((top) => !names.includes(top));
    const roleNames = [...names, ...topLevels];
    return fc
      .record({
        weights: fc.array(weightArbitrary(), { minLength: roleNames.length, maxLength: roleNames.length }),
        quotas: fc.array(settings.quota ? fc.option(quotaArbitrary(), { nil: undefined }) : fc.constant(undefined), {
          minLength: roleNames.length,
          maxLength: roleNames.length,
        }),
        agentShapes: fc.array(agentShapeArbitrary(settings), { minLength: 1, maxLength: settings.agentsMax }),
        frameworkCount: fc.integer({ min: 1, max: settings.frameworksMax }),
      })
      .chain(({ weights, quotas, agentShapes, frameworkCount }) => {
        const agents = agentShapes.map((shape, i) => agentFromShape(`agent-${i + 1}`, shape, names));
        const roles = roleNames.map((name, i): RoleConfig => {
          const quota = quotas[i];
          const role: RoleConfig = { name, weight: weights[i] };
          if (quota && !name.includes('/') && (quota.guarantee || quota.limit))
            role.quota = quotaAtLeast(quota, subtreeReservations(agents, name));
          return role;
        });
        const frameworks = Array.from({ length: frameworkCount }, (_, i) => frameworkArbitrary(`fw-${i + 1}`, names));
        return fc.tuple(...frameworks).map((list): Cluster => ({ roles, agents, frameworks: list }));
      });
  });
}

function withDefaults(options: ClusterOptions): Required<ClusterOptions> {
  return {
    agentsMax: options.agentsMax ?? 4,
    frameworksMax: options.frameworksMax ?? 4,
    rolesMax: options.rolesMax ?? 4,
    gpus: options.gpus ?? true,
    quota: options.quota ?? true,
    reservations: options.reservations ?? true,
  };
}
