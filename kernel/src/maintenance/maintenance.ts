/**
 * Mesos's maintenance primitives, as kernel state: a schedule of windows
 * (machines, unavailability start and duration), machine modes (UP; DRAINING
 * while scheduled; DOWN after START_MAINTENANCE, until STOP_MAINTENANCE),
 * inverse offers to the frameworks running tasks on a draining machine's
 * agents, and each framework's answer. A machine is its (hostname, ip), the
 * hostname case-insensitive; it matches an agent when both match the agent's
 * (as Mesos requires), and a machine given with only one of them matches on
 * that one (in Mesos the missing one is "", which no agent with an address
 * matches). Pure data and decisions: the master's
 * maintenance handlers (maintenanceHandlers.ts) act on them.
 */

export interface MachineId {
  readonly hostname?: string;
  readonly ip?: string;
}

export interface MaintenanceWindow {
  readonly machines: readonly MachineId[];
  /** Kernel time the machines become unavailable. */
  readonly startMs: number;
  /** How long they stay unavailable; null = indefinitely. */
  readonly durationMs: number | null;
}

export type MachineMode = 'UP' | 'DRAINING' | 'DOWN';
export type InverseOfferAnswer = 'UNKNOWN' | 'ACCEPT' | 'DECLINE';

export interface InverseOffer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly hostname: string;
  readonly startMs: number;
  readonly durationMs: number | null;
}

export interface MaintenanceSnapshot {
  windows: MaintenanceWindow[];
  down: string[];
  answers: Array<{ machine: string; frameworkId: string; answer: InverseOfferAnswer; atMs: number }>;
}

/** What maintenance knows of an agent to find its machine. */
export interface MachineOfAgent {
  readonly hostname: string;
  readonly ip?: string;
}

/** A machine's normalised id: `hostname|ip`, the hostname lowercased, a missing field empty. */
export function machineKey(machine: MachineId): string {
  return `${(machine.hostname ?? '').toLowerCase()}|${machine.ip ?? ''}`;
}

/** Keys written before machines were (hostname, ip) pairs: `host:NAME` or `ip:ADDRESS`. */
function upgradedKey(key: string): string {
  if (key.startsWith('host:')) return `${key.slice(5)}|`;
  if (key.startsWith('ip:')) return `|${key.slice(3)}`;
  return key;
}

/** A machine key as people write it: `host (ip)`, or whichever is given. */
export function describeKey(key: string): string {
  const [hostname, ip] = key.split('|');
  return hostname && ip ? `${hostname} (${ip})` : hostname || ip;
}

/** Why a schedule is not valid (Mesos's rules), or null. */
export function scheduleProblem(windows: readonly MaintenanceWindow[], down: ReadonlySet<string>): string | null {
  const seen = new Set<string>();
  for (const [index, window] of windows.entries()) {
    if (window.machines.length === 0) return `windows[${index}].machine_ids: must name at least one machine`;
    if (!Number.isFinite(window.startMs)) return `windows[${index}].unavailability.start: must be a time`;
    if (window.durationMs !== null && !(window.durationMs >= 0)) return `windows[${index}].unavailability.duration: must be >= 0`;
    for (const machine of window.machines) {
      if (!machine.hostname && !machine.ip) return `windows[${index}].machine_ids: each needs a hostname or an ip`;
      const key = machineKey(machine);
      if (seen.has(key)) return `machine ${describeKey(key)} is in more than one window`;
      seen.add(key);
    }
  }
  for (const key of down)
    if (!seen.has(key)) return `machine ${describeKey(key)} is DOWN and must stay in the schedule until STOP_MAINTENANCE`;
  return null;
}

export class Maintenance {
  #windows: MaintenanceWindow[] = [];
  readonly #windowOf = new Map<string, MaintenanceWindow>();
  readonly down = new Set<string>();
  /** machine key -> framework id -> its latest answer to an inverse offer. */
  readonly answers = new Map<string, Map<string, { answer: InverseOfferAnswer; atMs: number }>>();
  readonly outstanding = new Map<string, InverseOffer>();
  /** `${frameworkId}\n${agentId}` -> kernel time until which a declined inverse offer is not made again. */
  readonly declinedUntil = new Map<string, number>();
  #nextId = 1;

  get windows(): readonly MaintenanceWindow[] {
    return this.#windows;
  }

  /** Replaces the schedule; returns the machine keys that left it (their answers and inverse offers go). */
  setSchedule(windows: readonly MaintenanceWindow[]): string[] {
    const before = new Set(this.#windowOf.keys());
    this.#windows = windows.map((window) => ({ ...window, machines: window.machines.map((machine) => ({ ...machine })) }));
    this.#windowOf.clear();
    for (const window of this.#windows) for (const machine of window.machines) this.#windowOf.set(machineKey(machine), window);
    const removed = [...before].filter((key) => !this.#windowOf.has(key));
    for (const key of removed) this.answers.delete(key);
    return removed;
  }

  /**
   * The key of the scheduled machine the agent is on, or null: the machine named with both its
   * hostname and ip first, then one named by hostname alone, then by ip alone.
   */
  machineOf(agent: MachineOfAgent): string | null {
    const hostname = agent.hostname.toLowerCase();
    const ip = agent.ip ?? '';
    for (const key of [`${hostname}|${ip}`, `${hostname}|`, ip ? `|${ip}` : null]) if (key !== null && this.#windowOf.has(key)) return key;
    return null;
  }

  windowOf(agent: MachineOfAgent): MaintenanceWindow | null {
    const key = this.machineOf(agent);
    return key === null ? null : this.#windowOf.get(key)!;
  }

  modeOf(agent: MachineOfAgent): MachineMode {
    const key = this.machineOf(agent);
    if (key === null) return 'UP';
    return this.down.has(key) ? 'DOWN' : 'DRAINING';
  }

  /** Whether the machine (by key) covers the agent. */
  covers(key: string, agent: MachineOfAgent): boolean {
    return this.machineOf(agent) === key;
  }

  isScheduled(machine: MachineId): boolean {
    return this.#windowOf.has(machineKey(machine));
  }

  newInverseOffer(frameworkId: string, agentId: string, hostname: string, window: MaintenanceWindow, epoch: number): InverseOffer {
    const id = `I${epoch === 1 ? '' : `${epoch}-`}${this.#nextId++}`;
    const offer: InverseOffer = { id, frameworkId, agentId, hostname, startMs: window.startMs, durationMs: window.durationMs };
    this.outstanding.set(id, offer);
    return offer;
  }

  /** `machine`: a machine key (machineOf). */
  answer(machine: string, frameworkId: string, answer: InverseOfferAnswer, atMs: number): void {
    const key = machine;
    let byFramework = this.answers.get(key);
    if (!byFramework) this.answers.set(key, (byFramework = new Map()));
    byFramework.set(frameworkId, { answer, atMs });
  }

  answerOf(machine: string, frameworkId: string): InverseOfferAnswer {
    return this.answers.get(machine)?.get(frameworkId)?.answer ?? 'UNKNOWN';
  }

  hasOutstanding(frameworkId: string, agentId: string): boolean {
    for (const offer of this.outstanding.values()) if (offer.frameworkId === frameworkId && offer.agentId === agentId) return true;
    return false;
  }

  snapshot(): MaintenanceSnapshot {
    return {
      windows: this.#windows.map((window) => ({ ...window, machines: [...window.machines] })),
      down: [...this.down],
      answers: [...this.answers].flatMap(([machine, byFramework]) =>
        [...byFramework].map(([frameworkId, { answer, atMs }]) => ({ machine, frameworkId, answer, atMs })),
      ),
    };
  }

  restore(snapshot: MaintenanceSnapshot): void {
    this.setSchedule(snapshot.windows);
    for (const key of snapshot.down) this.down.add(upgradedKey(key));
    for (const { machine, frameworkId, answer, atMs } of snapshot.answers) {
      const key = upgradedKey(machine);
      let byFramework = this.answers.get(key);
      if (!byFramework) this.answers.set(key, (byFramework = new Map()));
      byFramework.set(frameworkId, { answer, atMs });
    }
  }
}
