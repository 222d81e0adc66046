/**
 * The simulator's behaviour pinned byte for byte: for every built-in scenario
 * (at its own seed and two others) and a handful of chaos seeds, the report
 * JSON and a hash of the whole event trace must equal the recorded ones.
 * Refactors of the kernel (the scheduler contract, the allocator's data
 * layout) must leave both unchanged. A change that means to alter behaviour
 * regenerates the file with `UPDATE_GOLDEN=1 npx vitest run test/kernel/sim/goldenReports.test.ts`
 * and says why in its commit.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, builtinScenarios, findBuiltinScenario, parseScenario, Simulation, traceRecord } from '../../../kernel/src/index.js';

interface Golden {
  report: unknown;
  traceSha256: string;
  events: number;
}

const goldenPath = fileURLToPath(new URL('./goldenReports.json', import.meta.url));
const updating = process.env.UPDATE_GOLDEN === '1';
const recorded: Record<string, Golden> = existsSync(goldenPath) ? JSON.parse(readFileSync(goldenPath, 'utf8')) : {};
const produced: Record<string, Golden> = {};

function run(name: string, seed: number | undefined): Golden {
  const input = findBuiltinScenario(name);
  if (!input) throw new Error(`no built-in scenario ${name}`);
  const parsed = parseScenario(seed === undefined ? input : { ...input, seed });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const hash = createHash('sha256');
  let events = 0;
  let simulation: Simulation | null = null;
  simulation = new Simulation(parsed.scenario, {
    invariants: 'tick',
    onEvent: (event) => {
      events++;
      hash.update(`${JSON.stringify(traceRecord(event, simulation!.master.layout))}\n`);
    },
  });
  simulation.runUntil(parsed.scenario.durationMs);
  return { report: JSON.parse(JSON.stringify(buildReport(simulation))), traceSha256: hash.digest('hex'), events };
}

const cases: Array<[string, string, number | undefined]> = [];
for (const scenario of builtinScenarios) {
  cases.push([`${scenario.name}`, scenario.name, undefined]);
  for (const seed of [2, 3]) cases.push([`${scenario.name}@${seed}`, scenario.name, seed]);
}
for (const seed of [1, 2, 3, 42, 1000]) cases.push([`chaos:${seed}`, `chaos:${seed}`, undefined]);

describe('golden reports: the simulator is unchanged byte for byte', () => {
  it.each(cases)('%s', (key, name, seed) => {
    const golden = run(name, seed);
    produced[key] = golden;
    if (updating) return;
    expect(recorded[key], `no recorded golden for ${key}: run with UPDATE_GOLDEN=1`).toBeDefined();
    expect(golden.events).toBe(recorded[key]!.events);
    expect(golden.report).toEqual(recorded[key]!.report);
    expect(golden.traceSha256).toBe(recorded[key]!.traceSha256);
  });

  afterAll(() => {
    if (updating) writeFileSync(goldenPath, `${JSON.stringify(produced, null, 1)}\n`);
  });
});
