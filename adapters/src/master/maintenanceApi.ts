/**
 * Maintenance in Mesos's JSON (docs/maintenance.md, the operator API): the
 * schedule (`windows` of `machine_ids` with `unavailability.start`/`duration`
 * in nanoseconds of wall time), the cluster status (`draining_machines` with
 * each framework's inverse-offer answer, `down_machines`), inverse offers and
 * offers' `unavailability`; and the schedule/start/stop changes, shared by
 * the operator API and the classic `/master/maintenance/*` and
 * `/master/machine/{down,up}` endpoints.
 */
import type { InverseOffer, MachineId, MaintenanceWindow } from '@allot/kernel';
import { machineKey } from '@allot/kernel';
import type { HttpFailure } from './httpErrors.js';
import { failure, hostRefusal } from './httpErrors.js';
import type { MasterContext } from './masterContext.js';
import { requestDeadline } from './masterContext.js';

type Json = Record<string, any>;

const WINDOWS_MAX = 1024;
const MACHINES_MAX = 10_000;

/** Wall-clock nanoseconds of a kernel time. Past 2^53, so whole milliseconds times 1e6 (exact for what came in as ms). */
const nanos = (context: MasterContext, kernelMs: number) => ({
  nanoseconds: Math.round(context.host.registry.clockBaseMs + kernelMs) * 1e6,
});

function machineJson(machine: MachineId): Json {
  return { ...(machine.hostname ? { hostname: machine.hostname } : {}), ...(machine.ip ? { ip: machine.ip } : {}) };
}

export function unavailabilityJson(context: MasterContext, startMs: number, durationMs: number | null): Json {
  return { start: nanos(context, startMs), ...(durationMs !== null ? { duration: { nanoseconds: durationMs * 1e6 } } : {}) };
}

export function scheduleJson(context: MasterContext): Json {
  return {
    windows: context.host.master.maintenance.windows.map((window) => ({
      machine_ids: window.machines.map(machineJson),
      unavailability: unavailabilityJson(context, window.startMs, window.durationMs),
    })),
  };
}

export function statusJson(context: MasterContext): Json {
  const maintenance = context.host.master.maintenance;
  const draining: Json[] = [];
  const down: Json[] = [];
  for (const window of maintenance.windows)
    for (const machine of window.machines) {
      const key = machineKey(machine);
      if (maintenance.down.has(key)) {
        down.push(machineJson(machine));
        continue;
      }
      const answers = [...(maintenance.answers.get(key) ?? new Map())].map(([frameworkId, { answer, atMs }]) => ({
        status: answer,
        framework_id: { value: frameworkId },
        timestamp: nanos(context, atMs),
      }));
      draining.push({ id: machineJson(machine), statuses: answers });
    }
  return { draining_machines: draining, down_machines: down };
}

export function inverseOfferJson(context: MasterContext, offer: InverseOffer): Json {
  const endpoint = context.host.registry.agents.get(offer.agentId);
  return {
    id: { value: offer.id },
    framework_id: { value: offer.frameworkId },
    agent_id: { value: offer.agentId },
    url: {
      scheme: 'http',
      address: { hostname: endpoint?.hostname ?? offer.hostname, ip: endpoint?.ip ?? '127.0.0.1', port: endpoint?.port ?? 5051 },
      path: '/slave(1)',
    },
    unavailability: unavailabilityJson(context, offer.startMs, offer.durationMs),
    resources: [],
  };
}

/** An offer's `unavailability` when its agent's machine (hostname and ip) is scheduled for maintenance. */
export function offerUnavailability(context: MasterContext, agentId: string): Json | null {
  const agent = context.host.master.agents.get(agentId);
  const window = agent ? context.host.master.maintenance.windowOf(agent) : null;
  return window ? unavailabilityJson(context, window.startMs, window.durationMs) : null;
}

function parseMachines(list: unknown, at: string): { ok: true; machines: MachineId[] } | { ok: false; problem: HttpFailure } {
  if (!Array.isArray(list)) return { ok: false, problem: failure(400, `${at}: must be an array of machine ids`) };
  if (list.length > MACHINES_MAX) return { ok: false, problem: failure(400, `${at}: at most ${MACHINES_MAX} machines`) };
  const machines: MachineId[] = [];
  for (const [index, item] of list.entries()) {
    const hostname = item?.hostname;
    const ip = item?.ip;
    const validHost = typeof hostname === 'string' && hostname.length > 0 && hostname.length <= 255;
    const validIp = typeof ip === 'string' && /^[0-9a-fA-F:.]{2,45}$/.test(ip);
    if (!validHost && !validIp) return { ok: false, problem: failure(400, `${at}[${index}]: needs a hostname or an ip`) };
    machines.push({ ...(validHost ? { hostname } : {}), ...(validIp ? { ip } : {}) });
  }
  return { ok: true, machines };
}

/** Mesos's int64 nanoseconds: wall times are past 2^53, so any integral number within int64 is taken (to the microsecond or so). */
const nanosValue = (value: unknown): number | null => {
  const nanoseconds = typeof value === 'object' && value !== null ? (value as Json).nanoseconds : undefined;
  return typeof nanoseconds === 'number' && Number.isInteger(nanoseconds) && Math.abs(nanoseconds) < 2 ** 63 ? nanoseconds : null;
};

function parseSchedule(
  context: MasterContext,
  schedule: Json | undefined,
  at: string,
): { ok: true; windows: MaintenanceWindow[] } | { ok: false; problem: HttpFailure } {
  const list = schedule?.windows ?? [];
  if (!Array.isArray(list)) return { ok: false, problem: failure(400, `${at}.windows: must be an array`) };
  if (list.length > WINDOWS_MAX) return { ok: false, problem: failure(400, `${at}.windows: at most ${WINDOWS_MAX} windows`) };
  const windows: MaintenanceWindow[] = [];
  for (const [index, window] of list.entries()) {
    const machines = parseMachines(window?.machine_ids, `${at}.windows[${index}].machine_ids`);
    if (!machines.ok) return machines;
    const start = nanosValue(window?.unavailability?.start);
    if (start === null)
      return { ok: false, problem: failure(400, `${at}.windows[${index}].unavailability.start.nanoseconds: is required (an integer)`) };
    const duration = window.unavailability.duration === undefined ? null : nanosValue(window.unavailability.duration);
    if (window.unavailability.duration !== undefined && (duration === null || duration < 0))
      return { ok: false, problem: failure(400, `${at}.windows[${index}].unavailability.duration.nanoseconds: must be an integer >= 0`) };
    const startMs = Math.round(start / 1e6) - context.host.registry.clockBaseMs;
    windows.push({ machines: machines.machines, startMs, durationMs: duration === null ? null : Math.round(duration / 1e6) });
  }
  return { ok: true, windows };
}

/** UPDATE_MAINTENANCE_SCHEDULE / START_MAINTENANCE / STOP_MAINTENANCE: 200, or 400 naming the problem. */
export async function changeMaintenance(context: MasterContext, type: string, body: Json | undefined): Promise<HttpFailure> {
  const unavailable = context.host.unavailable();
  if (unavailable !== null) return failure(503, unavailable);
  const budget = requestDeadline(context);
  const run = async (build: Parameters<MasterContext['host']['run']>[0]): Promise<HttpFailure> => {
    const result = await context.host.run(build, budget);
    if (result.ok) return { status: 200, message: '' };
    return hostRefusal(result) ?? failure(400, `${result.rejection!.code}: ${result.rejection!.message}`);
  };
  if (type === 'UPDATE_MAINTENANCE_SCHEDULE') {
    const parsed = parseSchedule(context, body?.schedule, 'update_maintenance_schedule.schedule');
    if (!parsed.ok) return parsed.problem;
    return run((nowMs) => ({ type: 'maintenance.schedule', nowMs, windows: parsed.windows }));
  }
  const key = type === 'START_MAINTENANCE' ? 'start_maintenance' : 'stop_maintenance';
  const machines = parseMachines(body?.machines, `${key}.machines`);
  if (!machines.ok) return machines.problem;
  return run((nowMs) => ({
    type: type === 'START_MAINTENANCE' ? 'maintenance.start' : 'maintenance.stop',
    nowMs,
    machines: machines.machines,
  }));
}
