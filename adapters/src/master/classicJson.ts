/**
 * Kernel objects in the JSON of Mesos's classic endpoints (`/master/state`,
 * `/master/frameworks`, ...), which differ from the v1 API: snake_case ids as
 * plain strings (`slave_id`, `framework_id`), resources as one object of
 * amounts (`{"cpus":1,"gpus":0,"mem":128,"disk":0,"ports":"[31000-31005]"}`,
 * the four scalars always present), times in seconds. Field by field as
 * Mesos's `src/common/http.cpp` and `src/master/readonly_handler.cpp` write them.
 */
import type { Master, ResourceLayout, ResourceSet, Task } from '@allot/kernel';
import { addResourceSets, emptyResourceSet, mergeRanges, releasesResources, roundScalar } from '@allot/kernel';
import type { Ranges } from '@allot/kernel';
import type { KernelFramework } from './completedHistory.js';
import type { MasterContext } from './masterContext.js';
import type { FrameworkRecord } from './hostRegistry.js';
import { fromResourceSet } from './mesosResources.js';

type Json = Record<string, unknown>;

const rangesText = (ranges: Ranges) => `[${ranges.map(([begin, end]) => `${begin}-${end}`).join(', ')}]`;

/** Mesos's resources model: amounts by name, reserved parts included; ports as Mesos prints ranges. */
export function resourcesModel(set: ResourceSet, layout: ResourceLayout): Json {
  const out: Json = { cpus: 0, gpus: 0, mem: 0, disk: 0 };
  const scalars = set.scalars.slice();
  let ports: Ranges = set.ports;
  for (const part of set.reserved) {
    for (let slot = 0; slot < scalars.length; slot++) scalars[slot] += part.scalars[slot];
    ports = mergeRanges(ports, part.ports);
  }
  for (let slot = 0; slot < scalars.length; slot++)
    if (scalars[slot] !== 0 || layout.names[slot] in out) out[layout.names[slot]] = roundScalar(scalars[slot]);
  if (ports.length > 0) out.ports = rangesText(ports);
  return out;
}

export function sumResources(master: Master, sets: Iterable<ResourceSet>): ResourceSet {
  let sum = emptyResourceSet(master.layout.size);
  for (const set of sets) sum = addResourceSets(sum, set);
  return sum;
}

const seconds = (context: MasterContext, kernelMs: number) => context.host.wallSeconds(kernelMs);

export function classicTask(context: MasterContext, task: Task): Json {
  const layout = context.host.master.layout;
  const containerId = context.containers.get(task.frameworkId, task.id);
  const statuses = task.history.map((entry, index) => {
    const last = index === task.history.length - 1;
    return {
      state: entry.state,
      timestamp: seconds(context, entry.atMs),
      ...(last && task.latest?.healthy !== undefined ? { healthy: task.latest.healthy } : {}),
      ...(containerId && entry.state !== 'TASK_STAGING' ? { container_status: { container_id: { value: containerId } } } : {}),
    };
  });
  return {
    id: task.id,
    name: task.name,
    framework_id: task.frameworkId,
    executor_id: task.executorId === task.id ? '' : task.executorId,
    slave_id: task.agentId,
    state: task.state,
    resources: resourcesModel(task.resources, layout),
    role: task.role,
    statuses,
  };
}

/** `Summary<Framework>`: what /master/state-summary shows of a framework. */
export function frameworkSummary(
  context: MasterContext,
  framework: KernelFramework,
  record: FrameworkRecord | undefined,
  active: boolean,
): Json {
  const master = context.host.master;
  const info = (record?.info ?? {}) as Json;
  const used = [...framework.tasks.values()]
    .filter((task) => !releasesResources(task.state))
    .map((task) => task.resources)
    .concat(master.executors.ofFramework(framework.id).map((executor) => executor.resources));
  const offers = active ? master.offers.ofFramework(framework.id) : [];
  return {
    id: framework.id,
    name: framework.name,
    used_resources: resourcesModel(sumResources(master, used), master.layout),
    offered_resources: resourcesModel(
      sumResources(
        master,
        offers.map((offer) => offer.resources),
      ),
      master.layout,
    ),
    capabilities: [...framework.capabilities],
    hostname: typeof info.hostname === 'string' ? info.hostname : '',
    webui_url: typeof info.webui_url === 'string' ? info.webui_url : '',
    active: active && framework.connected,
    connected: active && framework.connected && context.frameworks.current(framework.id) !== undefined,
    recovered: false,
  };
}

/** `FullFrameworkWriter`: a framework with its tasks, offers and executors. */
export function fullFramework(
  context: MasterContext,
  framework: KernelFramework,
  record: FrameworkRecord | undefined,
  completedTasks: readonly Task[],
  removedAtMs: number | null,
): Json {
  const master = context.host.master;
  const active = removedAtMs === null;
  const summary = frameworkSummary(context, framework, record, active);
  const info = (record?.info ?? {}) as Json;
  const live = [...framework.tasks.values()].filter((task) => task.state !== 'TASK_UNREACHABLE' && !completedTasks.includes(task));
  const roles = record?.roles ?? framework.roles;
  const multiRole = framework.capabilities.has('MULTI_ROLE');
  return {
    ...summary,
    user: typeof info.user === 'string' ? info.user : '',
    failover_timeout: typeof info.failover_timeout === 'number' ? info.failover_timeout : 0,
    checkpoint: info.checkpoint === true,
    registered_time: seconds(context, record?.registeredAtMs ?? 0),
    unregistered_time: removedAtMs === null ? 0 : seconds(context, removedAtMs),
    ...(typeof info.principal === 'string' ? { principal: info.principal } : {}),
    resources: resourcesModel(
      sumResources(master, [
        ...live.filter((task) => !releasesResources(task.state)).map((task) => task.resources),
        ...(active ? master.offers.ofFramework(framework.id).map((offer) => offer.resources) : []),
      ]),
      master.layout,
    ),
    ...(multiRole ? { roles } : { role: roles[0] ?? '*' }),
    tasks: live.filter((task) => !releasesResources(task.state) || task.state === 'TASK_KILLING').map((task) => classicTask(context, task)),
    unreachable_tasks: [...framework.tasks.values()]
      .filter((task) => task.state === 'TASK_UNREACHABLE')
      .map((task) => classicTask(context, task)),
    completed_tasks: completedTasks.map((task) => classicTask(context, task)),
    offers: active
      ? master.offers.ofFramework(framework.id).map((offer) => ({
          id: offer.id,
          framework_id: offer.frameworkId,
          allocation_info: { role: offer.role },
          slave_id: offer.agentId,
          resources: resourcesModel(offer.resources, master.layout),
        }))
      : [],
    executors: context.executors.ofFramework(framework.id).map((executor) => ({ ...executor.classic, slave_id: executor.agentId })),
    ...(info.labels && typeof info.labels === 'object' ? { labels: (info.labels as Json).labels ?? [] } : {}),
    offer_constraints: {},
  };
}

/** `SlaveWriter`: an agent with its resources split by use and by reservation. */
export function classicSlave(context: MasterContext, agentId: string, full: boolean): Json | null {
  const master = context.host.master;
  const agent = master.agents.get(agentId);
  if (!agent) return null;
  const layout = master.layout;
  const endpoint = context.host.registry.agents.get(agentId);
  const used = sumResources(
    master,
    master
      .liveTasksOn(agentId)
      .filter((task) => !releasesResources(task.state))
      .map((task) => task.resources)
      .concat(master.executors.onAgent(agentId).map((executor) => executor.resources)),
  );
  const offered = sumResources(
    master,
    master.offers.ofAgent(agentId).map((offer) => offer.resources),
  );
  const reservedByRole = new Map<string, ResourceSet>();
  for (const part of agent.total.reserved) {
    const set: ResourceSet = { scalars: layout.zero(), ports: [], reserved: [part] };
    reservedByRole.set(part.role, addResourceSets(reservedByRole.get(part.role) ?? emptyResourceSet(layout.size), set));
  }
  const unreserved: ResourceSet = { scalars: agent.total.scalars, ports: agent.total.ports, reserved: [] };
  const slave: Json = {
    id: agent.id,
    hostname: agent.hostname,
    port: endpoint?.port ?? 5051,
    attributes: { ...agent.attributes },
    pid: `slave(1)@${endpoint?.ip ?? '127.0.0.1'}:${endpoint?.port ?? 5051}`,
    registered_time: seconds(context, endpoint?.registeredAtMs ?? 0),
    resources: resourcesModel(agent.total, layout),
    used_resources: resourcesModel(used, layout),
    offered_resources: resourcesModel(offered, layout),
    reserved_resources: Object.fromEntries([...reservedByRole].map(([role, set]) => [role, resourcesModel(set, layout)])),
    unreserved_resources: resourcesModel(unreserved, layout),
    active: agent.connection === 'active' || agent.connection === 'draining',
    deactivated: agent.connection === 'draining',
    version: context.settings.version,
    capabilities: ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'],
    ...(agent.connection === 'draining'
      ? { drain_info: { state: agent.drained ? 'DRAINED' : 'DRAINING', config: { mark_gone: agent.markGoneWhenDrained } } }
      : {}),
  };
  if (!full) return slave;
  return {
    ...slave,
    reserved_resources_full: Object.fromEntries([...reservedByRole].map(([role, set]) => [role, fromResourceSet(set, layout)])),
    unreserved_resources_full: fromResourceSet(unreserved, layout),
    used_resources_full: fromResourceSet(used, layout),
    offered_resources_full: fromResourceSet(offered, layout),
  };
}
