/**
 * The agent's side of resources in Mesos JSON: its flags (totals with static
 * reservations carved out) as the Resource list it registers with, and a
 * task's Resource list summed into the plain amounts the runtime enforces
 * (every reservation counts: a reserved cpu is still a cpu).
 */
import type { AgentResources } from '../agent/resources.js';

type Json = Record<string, any>;

export function agentResourcesJson(agent: AgentResources): Json[] {
  const unreserved: Record<string, number> = { ...agent.resources };
  let ports = agent.ports.map(([begin, end]) => [begin, end] as [number, number]);
  const out: Json[] = [];
  for (const reservation of agent.reservations) {
    const stack = { role: reservation.role, reservations: [{ type: 'STATIC', role: reservation.role }] };
    for (const [name, value] of Object.entries(reservation.resources)) {
      unreserved[name] = Math.max(0, (unreserved[name] ?? 0) - value);
      if (value > 0) out.push({ name, type: 'SCALAR', scalar: { value }, ...stack });
    }
    if (reservation.ports && reservation.ports.length > 0) {
      const reserved = reservation.ports.map(([begin, end]) => [begin, end] as [number, number]);
      ports = ports.flatMap(([begin, end]) => subtractRange([begin, end], reserved));
      out.push({ name: 'ports', type: 'RANGES', ranges: { range: reserved.map(([begin, end]) => ({ begin, end })) }, ...stack });
    }
  }
  for (const [name, value] of Object.entries(unreserved)) if (value > 0) out.unshift({ name, type: 'SCALAR', scalar: { value } });
  if (ports.length > 0) out.push({ name: 'ports', type: 'RANGES', ranges: { range: ports.map(([begin, end]) => ({ begin, end })) } });
  return out;
}

function subtractRange(range: [number, number], holes: ReadonlyArray<[number, number]>): Array<[number, number]> {
  let pieces: Array<[number, number]> = [range];
  for (const [holeBegin, holeEnd] of holes) {
    pieces = pieces.flatMap(([begin, end]): Array<[number, number]> => {
      if (holeEnd < begin || holeBegin > end) return [[begin, end]];
      const left: Array<[number, number]> = holeBegin > begin ? [[begin, holeBegin - 1]] : [];
      const right: Array<[number, number]> = holeEnd < end ? [[holeEnd + 1, end]] : [];
      return [...left, ...right];
    });
  }
  return pieces;
}

export interface TaskAmounts {
  cpus?: number;
  mem?: number;
  disk?: number;
  gpus?: number;
  ports?: Array<[number, number]>;
}

/** A persistent volume's disk is the volume's own (its directory has its quota), not the sandbox's. */
export function taskAmounts(resources: readonly Json[]): TaskAmounts {
  const out: TaskAmounts = {};
  const ports: Array<[number, number]> = [];
  for (const resource of resources) {
    if (resource.disk?.persistence) continue;
    if (resource.name === 'ports') for (const range of resource.ranges?.range ?? []) ports.push([range.begin, range.end]);
    else if (['cpus', 'mem', 'disk', 'gpus'].includes(resource.name) && typeof resource.scalar?.value === 'number') {
      const name = resource.name as 'cpus' | 'mem' | 'disk' | 'gpus';
      out[name] = (out[name] ?? 0) + resource.scalar.value;
    }
  }
  if (ports.length > 0) out.ports = ports;
  return out;
}
