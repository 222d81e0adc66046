/**
 * Whole simulator scenarios, in the normalized form `parseScenario` returns
 * (every default filled in), so a generated scenario round-trips through JSON
 * and `parseScenario` unchanged. Faults are the kinds the simulator runs today:
 * agent crash / restart / add, task failure, suppress / revive and role
 * updates. So that the state form of the quota law (consumed <= limit) holds,
 * reservations under a quota limit stay put: limits hold them from the start,
 * role updates only raise limits, and agents holding such reservations never
 * crash, restart or join later.
 */
import fc from 'fast-check';
import type { AgentSpec } from '../agents/agent.js';
import type { ResourceQuantities } from '../resources/layout.js';
import type {
  FrameworkCapability,
  Scenario,
  ScenarioAgent,
  ScenarioAllocator,
  ScenarioFault,
  ScenarioFramework,
  ScenarioQuota,
  ScenarioRole,
} from '../sim/scenario.js';
import { topLevelRole } from '../roles/roleName.js';
import { clusterArbitrary, floorScalar, plainRecord } from './arbitraries.js';
import type { RoleConfig } from './arbitraries.js';

export interface ScenarioOptions {
  /** Agents at the start (default 3); up to two more may join through `agent.add` faults. */
  agentsMax?: number;
  frameworksMax?: number;
  faultsMax?: number;
  tasksMax?: number;
  durationMsMax?: number;
}

const CAPABILITIES: readonly FrameworkCapability[] = ['GPU_RESOURCES', 'PARTITION_AWARE', 'TASK_KILLING_STATE'];

export function scenarioAgent(spec: AgentSpec): ScenarioAgent {
  return {
    id: spec.id,
    hostname: spec.hostname ?? spec.id,
    resources: { ...spec.resources },
    ports: (spec.ports ?? []).map(([begin, end]): [number, number] => [begin, end]),
    attributes: { ...(spec.attributes ?? {}) },
    reservations: (spec.reservations ?? []).map((reservation) => ({
      role: reservation.role,
      resources: { ...reservation.resources },
      ports: (reservation.ports ?? []).map(([begin, end]): [number, number] => [begin, end]),
      labels: { ...(reservation.labels ?? {}) },
    })),
  };
}

function scenarioRole(role: RoleConfig): ScenarioRole {
  const out: ScenarioRole = { name: role.name, weight: role.weight };
  if (role.quota) out.quota = copyQuota(role.quota);
  return out;
}

function copyQuota(quota: ScenarioQuota, limitFactor = 1): ScenarioQuota {
  const out: ScenarioQuota = {};
  if (quota.guarantee) out.guarantee = { ...quota.guarantee };
  if (quota.limit)
    out.limit = Object.fromEntries(Object.entries(quota.limit).map(([name, amount]) => [name, floorScalar(amount * limitFactor)]));
  return out;
}

function demandArbitrary(): fc.Arbitrary<ResourceQuantities> {
  return plainRecord({
    cpus: fc.integer({ min: 1, max: 6 }).map((n) => n / 2),
    mem: fc.integer({ min: 1, max: 8 }).map((n) => n * 256),
    disk: fc.constantFrom(0, 0, 512),
  }).map(({ cpus, mem, disk }): ResourceQuantities => (disk > 0 ? { cpus, mem, disk } : { cpus, mem }));
}

function frameworkArbitrary(id: string, roles: readonly string[], durationMs: number, tasksMax: number): fc.Arbitrary<ScenarioFramework> {
  return plainRecord({
    role: fc.constantFrom(...roles),
    count: fc.integer({ min: 0, max: tasksMax }),
    resources: demandArbitrary(),
    ports: fc.constantFrom(0, 0, 1),
    taskDurationMs: fc.option(
      fc.integer({ min: 1, max: 10 }).map((n) => n * 500),
      { nil: null },
    ),
    maxTasksPerOffer: fc.integer({ min: 1, max: 3 }),
    refuseSeconds: fc.constantFrom(0, 1, 5, 30, -1),
    capabilities: fc.subarray([...CAPABILITIES]),
    relaunch: fc.boolean(),
    startAtMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: Math.floor(durationMs / 2) })),
    minAllocatable: fc.option(fc.constantFrom<ResourceQuantities[]>([{ cpus: 1 }], [{ mem: 512 }]), { nil: undefined, freq: 4 }),
  }).map((shape) => {
    const framework: ScenarioFramework = {
      id,
      name: id,
      role: shape.role,
      kind: 'batch',
      tasks: { count: shape.count, resources: shape.resources, ports: shape.ports, durationMs: shape.taskDurationMs },
      maxTasksPerOffer: shape.maxTasksPerOffer,
      refuseSeconds: shape.refuseSeconds,
      capabilities: shape.capabilities,
      partitionAware: shape.capabilities.includes('PARTITION_AWARE'),
      relaunch: shape.relaunch,
      startAtMs: shape.startAtMs,
    };
    if (shape.minAllocatable) framework.minAllocatable = shape.minAllocatable;
    return framework;
  });
}

interface FaultContext {
  durationMs: number;
  /** Agents that may crash and restart. */
  agentIds: string[];
  frameworks: ScenarioFramework[];
  roles: ScenarioRole[];
}

function faultArbitrary(context: FaultContext): fc.Arbitrary<ScenarioFault> {
  const atMs = fc.integer({ min: 0, max: context.durationMs });
  const choices: Array<fc.WeightedArbitrary<ScenarioFault>> = [];
  if (context.agentIds.length > 0) {
    const agent = fc.constantFrom(...context.agentIds);
    choices.push({
      weight: 2,
      arbitrary: plainRecord({ atMs, type: fc.constantFrom('agent.crash' as const, 'agent.restart' as const), agent }),
    });
  }
  if (context.frameworks.length > 0) {
    const framework = fc.constantFrom(...context.frameworks);
    choices.push({
      weight: 2,
      arbitrary: plainRecord({ atMs, framework }).map(
        ({ atMs: at, framework: f }): ScenarioFault => ({ atMs: at, type: 'task.fail', framework: f.id }),
      ),
    });
    choices.push({
      weight: 2,
      arbitrary: plainRecord({
        atMs,
        framework,
        type: fc.constantFrom('framework.suppress' as const, 'framework.revive' as const),
        named: fc.boolean(),
      }).map(
        ({ atMs: at, framework: f, type, named }): ScenarioFault =>
          named ? { atMs: at, type, framework: f.id, roles: [f.role] } : { atMs: at, type, framework: f.id },
      ),
    });
  }
  const roles = context.roles;
  choices.push({
    weight: 1,
    // Limits grow with time (1x at 0 ms, 2x at the end), so any number of updates only ever raises them.
    arbitrary: plainRecord({ atMs, role: fc.constantFrom(...roles), weight: fc.constantFrom(0.5, 1, 2, 4), quota: fc.boolean() }).map(
      ({ atMs: at, role, weight, quota }): ScenarioFault =>
        role.quota && quota
          ? { atMs: at, type: 'role.update', role: role.name, quota: copyQuota(role.quota, 1 + at / context.durationMs) }
          : { atMs: at, type: 'role.update', role: role.name, weight },
    ),
  });
  return fc.oneof(...choices);
}

/** Agent-add faults for the extra agents, each at its own time. */
function agentAddFaults(extraAgents: ScenarioAgent[], durationMs: number): fc.Arbitrary<ScenarioFault[]> {
  return fc
    .array(fc.integer({ min: 0, max: durationMs }), { minLength: extraAgents.length, maxLength: extraAgents.length })
    .map((times) => extraAgents.map((agent, i): ScenarioFault => ({ atMs: times[i], type: 'agent.add', agent })));
}

export function scenarioArbitrary(options: ScenarioOptions = {}): fc.Arbitrary<Scenario> {
  const agentsMax = options.agentsMax ?? 3;
  const frameworksMax = options.frameworksMax ?? 3;
  const durationMsMax = options.durationMsMax ?? 15_000;
  return plainRecord({
    cluster: clusterArbitrary({ agentsMax: agentsMax + 2, frameworksMax: 1 }),
    initialAgents: fc.integer({ min: 1, max: agentsMax }),
    seed: fc.integer({ min: 0, max: 0x7fffffff }),
    durationMs: fc.integer({ min: 4, max: Math.max(4, Math.floor(durationMsMax / 500)) }).map((n) => n * 500),
    allocationIntervalMs: fc.constantFrom(500, 1000),
    allocator: allocatorArbitrary(),
    frameworkCount: fc.integer({ min: 1, max: frameworksMax }),
  }).chain(({ cluster, initialAgents, seed, durationMs, allocationIntervalMs, allocator, frameworkCount }) => {
    const all = cluster.agents.map(scenarioAgent);
    const roles = cluster.roles.map(scenarioRole);
    const limited = new Set(roles.filter((role) => role.quota?.limit).map((role) => role.name));
    const reservesForLimited = (agent: ScenarioAgent): boolean =>
      agent.reservations.some((reservation) => limited.has(topLevelRole(reservation.role)));
    const agents = all.slice(0, initialAgents);
    const extraAgents = all.slice(initialAgents).map((agent) => ({
      ...agent,
      id: `extra-${agent.id}`,
      hostname: `extra-${agent.id}`,
      reservations: agent.reservations.filter((reservation) => !limited.has(topLevelRole(reservation.role))),
    }));
    const crashable = agents.filter((agent) => !reservesForLimited(agent)).map((agent) => agent.id);
    const roleNames = roles.map((role) => role.name);
    const frameworks = Array.from({ length: frameworkCount }, (_, i) =>
      frameworkArbitrary(`fw-${i + 1}`, roleNames, durationMs, options.tasksMax ?? 8),
    );
    return fc.tuple(...frameworks).chain((frameworkList) => {
      const context: FaultContext = { durationMs, agentIds: crashable, frameworks: frameworkList, roles };
      return fc
        .tuple(agentAddFaults(extraAgents, durationMs), fc.array(faultArbitrary(context), { maxLength: options.faultsMax ?? 4 }))
        .map(
          ([adds, faults]): Scenario => ({
            name: 'generated',
            description: '',
            seed,
            durationMs,
            allocationIntervalMs,
            allocator,
            roles,
            agents,
            frameworks: frameworkList,
            faults: [...adds, ...faults],
          }),
        );
    });
  });
}

function allocatorArbitrary(): fc.Arbitrary<ScenarioAllocator> {
  return plainRecord({
    roleSorter: fc.constantFrom<'drf' | 'random'>('drf', 'drf', 'drf', 'random'),
    frameworkSorter: fc.constantFrom<'drf' | 'random'>('drf', 'drf', 'drf', 'random'),
    fairSharingExcludedResourceNames: fc.constantFrom<string[]>([], [], ['gpus']),
    minAllocatable: fc.constantFrom<ResourceQuantities[]>([{ cpus: 0.01 }, { mem: 32 }], [{ cpus: 0.01 }, { mem: 32 }], [{ cpus: 0.5 }]),
    offerTimeoutMs: fc.constantFrom<number | null>(null, null, 2000),
  });
}
