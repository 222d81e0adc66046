/**
 * Generated fault-injection scenarios: `chaos:<seed>` names a cluster, a mix
 * of frameworks (partition-aware or not, relaunching, short and long tasks)
 * and a schedule of agent crashes and restarts, partitions and heals, task
 * failures and master failovers, all drawn from the seed. A failing run is
 * replayed exactly with `npx allot simulate chaos:<seed>`.
 */
import { createPrng } from '../../prng.js';
import type { ScenarioFaultInput, ScenarioFrameworkInput, ScenarioInput } from '../scenario.js';

export const CHAOS_PREFIX = 'chaos:';

export interface ChaosOptions {
  agents?: number;
  frameworks?: number;
  durationMs?: number;
  faults?: number;
}

export function chaosScenario(seed: number, options: ChaosOptions = {}): ScenarioInput {
  const prng = createPrng(seed);
  const agentCount = options.agents ?? 4 + prng.nextInt(5);
  const durationMs = options.durationMs ?? 600_000;
  const frameworks: ScenarioFrameworkInput[] = [];
  for (let i = 0; i < (options.frameworks ?? 2 + prng.nextInt(3)); i++) {
    frameworks.push({
      id: `f${i}`,
      role: ['web', 'batch', 'eng/ml', 'eng/etl'][prng.nextInt(4)],
      kind: 'batch',
      partitionAware: prng.next() < 0.5,
      relaunch: prng.next() < 0.7,
      tasks: {
        count: 4 + prng.nextInt(20),
        resources: { cpus: [0.5, 1, 2][prng.nextInt(3)], mem: [256, 1024, 2048][prng.nextInt(3)] },
        durationMs: prng.next() < 0.5 ? null : 5_000 + prng.nextInt(120_000),
      },
      maxTasksPerOffer: 1 + prng.nextInt(4),
      refuseSeconds: [0, 1, 5, 30][prng.nextInt(4)],
      startAtMs: prng.nextInt(20_000),
    });
  }
  const agentIds = Array.from({ length: agentCount }, (_, i) => `agent-${i + 1}`);
  const faults: ScenarioFaultInput[] = [];
  const faultCount = options.faults ?? 6 + prng.nextInt(10);
  for (let i = 0; i < faultCount; i++) {
    const atMs = prng.nextInt(durationMs - 200_000);
    const agent = agentIds[prng.nextInt(agentIds.length)];
    const pick = prng.nextInt(6);
    if (pick === 0)
      faults.push({ atMs, type: 'agent.crash', agent }, { atMs: atMs + 10_000 + prng.nextInt(150_000), type: 'agent.restart', agent });
    else if (pick === 1)
      faults.push(
        { atMs, type: 'network.partition', agents: [agent] },
        { atMs: atMs + 5_000 + prng.nextInt(150_000), type: 'network.heal', agents: [agent] },
      );
    else if (pick === 2) faults.push({ atMs, type: 'master.failover' });
    else faults.push({ atMs, type: 'task.fail', framework: frameworks[prng.nextInt(frameworks.length)].id });
  }
  faults.sort((a, b) => a.atMs - b.atMs);
  return {
    name: `${CHAOS_PREFIX}${seed}`,
    description: `Generated fault injection from seed ${seed}: crashes, partitions, task failures and master failovers.`,
    seed,
    durationMs,
    roles: [{ name: 'web', weight: 2 }, { name: 'batch' }, { name: 'eng' }],
    agents: [{ id: 'agent', count: agentCount, resources: { cpus: 8, mem: 16384 } }],
    frameworks,
    faults,
  };
}

/**
 * The seed of a `chaos:<seed>` name, or null: decimal digits only (no "1e21",
 * "0x10" or "") and a safe integer, the scenario file's rule for seeds.
 */
export function chaosSeed(name: string): number | null {
  if (!name.startsWith(CHAOS_PREFIX)) return null;
  const text = name.slice(CHAOS_PREFIX.length);
  const seed = Number(text);
  return /^-?\d{1,16}$/.test(text) && Number.isSafeInteger(seed) ? seed : null;
}
