/**
 * The DeclineOffers grid: which points to run, what each is expected to cost
 * (so that points over the time or memory budget are skipped with a reason
 * instead of running for an hour or dying), and running one point in a fresh
 * child process so that points do not share a heap, a JIT state or a GC debt.
 * Points run one after another, never in parallel: parallel runs would time
 * each other on a 2-core machine.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PointOptions, PointResult } from './declineOffersPoint.js';
import { totalMemMb } from './machine.js';

export interface GridPoint {
  agents: number;
  frameworks: number;
}

export const FULL_AGENTS: readonly number[] = [1000, 5000, 10000, 20000];
export const FULL_FRAMEWORKS: readonly number[] = [50, 200, 1000, 2000];
export const QUICK_GRID: readonly GridPoint[] = [
  { agents: 1000, frameworks: 50 },
  { agents: 1000, frameworks: 200 },
];

export function crossGrid(agents: readonly number[], frameworks: readonly number[]): GridPoint[] {
  return agents.flatMap((a) => frameworks.map((f) => ({ agents: a, frameworks: f })));
}

/** Adds points not already present and orders by cost (agents x frameworks), cheapest first. */
export function withPoints(grid: readonly GridPoint[], extra: readonly GridPoint[]): GridPoint[] {
  const points = [...grid];
  for (const point of extra) if (!points.some((p) => p.agents === point.agents && p.frameworks === point.frameworks)) points.push(point);
  return points.sort((a, b) => a.agents * a.frameworks - b.agents * b.frameworks || a.agents - b.agents);
}

export interface Estimate {
  seconds: number;
  memoryMb: number;
}

// Cost model, fitted on the 2-core machine of the README's results (fast path):
// on the full grid's 17 points it is within 1.4x of each point's measured time
// (the model it replaces, with 16 us per offer and 1.5 s to start a child, was
// 2.5-3.3x too high on the small points a first run meets, e.g. `--quick`).
// Every agent is offered to every framework once (A x F offers); an offer costs
// OFFER_US to make, record and decline, plus OFFER_US_PER_1000_AGENTS for each
// thousand agents (the working set outgrows the caches); walking past filtered
// frameworks costs about CHECK_NS per (agent, framework) pair visited, and an
// agent is offered to its k-th framework after about F / (F - k) visits
// (A x F x H(F) in total). A skipped agent costs SKIP_NS. The reference path
// walks every framework on every agent in every round once all offers are
// filtered. When agents do not divide evenly among frameworks, the L frameworks
// tied at the lowest share always sort first; once an agent has filtered them
// all, it walks past those L in each of the remaining F - L offer rounds:
// A x L x (F - L) more checks at LONG_WALK_CHECK_NS (measured: 1000 x 2000 and
// 5000 x 2000). A point in its own child process also pays CHILD_START_S.
const OFFER_US = 10;
const OFFER_US_PER_1000_AGENTS = 0.4;
const CHECK_NS = 25;
const LONG_WALK_CHECK_NS = 70;
const SKIP_NS = 150;
const SETUP_US_PER_AGENT = 100;
const CHILD_START_S = 0.5;
// Memory: per agent its objects and task; per (agent, framework-capacity) slot
// the offer filter table (16 bytes); per round the transient offers and events.
const AGENT_BYTES = 4096;
const FILTER_SLOT_BYTES = 16;
const OFFER_BYTES = 1536;
const BASE_MB = 80;

export function estimate(point: GridPoint, rounds: number, fastPaths: boolean, inChild = true): Estimate {
  const { agents, frameworks } = point;
  const offeringRounds = Math.min(rounds + 1, frameworks);
  const idleRounds = Math.max(0, rounds + 1 - frameworks);
  const harmonic = Math.log(offeringRounds) + 0.5772;
  let seconds = (inChild ? CHILD_START_S : 0) + (agents * SETUP_US_PER_AGENT) / 1e6;
  seconds += (agents * offeringRounds * (OFFER_US + (OFFER_US_PER_1000_AGENTS * agents) / 1000)) / 1e6;
  seconds += (agents * frameworks * harmonic * CHECK_NS) / 1e9;
  const lowestShareTies = agents % frameworks === 0 ? 0 : agents < frameworks ? frameworks - agents : frameworks - (agents % frameworks);
  const roundsAfterTies = Math.max(0, offeringRounds - lowestShareTies);
  seconds += (agents * lowestShareTies * roundsAfterTies * LONG_WALK_CHECK_NS) / 1e9;
  seconds += fastPaths ? (agents * idleRounds * SKIP_NS) / 1e9 : (agents * frameworks * idleRounds * CHECK_NS) / 1e9;
  let filterCapacity = 16;
  while (filterCapacity < frameworks) filterCapacity *= 2;
  const bytes = agents * (AGENT_BYTES + filterCapacity * FILTER_SLOT_BYTES) + agents * OFFER_BYTES;
  return { seconds: Math.round(seconds * 10) / 10, memoryMb: Math.round(BASE_MB + bytes / 2 ** 20) };
}

/** Why a point should not run within these limits, or null when it may. */
export function skipReason(_point: GridPoint, cost: Estimate, maxMinutes: number): string | null {
  const memoryLimitMb = totalMemMb() * 0.7;
  if (cost.memoryMb > memoryLimitMb) {
    return `estimated ${cost.memoryMb} MB exceeds 70% of this machine's ${Math.round(totalMemMb())} MB`;
  }
  if (maxMinutes > 0 && cost.seconds > maxMinutes * 60) {
    return `estimated ${Math.round(cost.seconds / 60)} min exceeds --max-minutes ${maxMinutes} (raise it to run this point)`;
  }
  return null;
}

export interface ChildOptions {
  heapMb: number;
  timeoutMs: number;
}

/** Runs one point in a fresh Node process (through run.ts) and parses the PointResult it prints. */
export function runPointInChild(options: PointOptions, child: ChildOptions): Promise<PointResult> {
  const runScript = fileURLToPath(new URL('../run.ts', import.meta.url));
  const tsxLoader = import.meta.resolve('tsx');
  const nodeArgs = [`--max-old-space-size=${child.heapMb}`, ...(options.gcBetweenRounds ? ['--expose-gc'] : []), '--import', tsxLoader];
  const benchArgs = [
    'decline-offers',
    '--child',
    '--json',
    `--agents=${options.agents}`,
    `--frameworks=${options.frameworks}`,
    `--rounds=${options.rounds}`,
    `--task-ports=${options.taskPorts}`,
    `--seed=${options.seed}`,
    ...(options.fastPaths ? [] : ['--reference']),
    ...(options.gcBetweenRounds ? ['--gc'] : []),
    ...(options.keepRounds ? ['--rounds-detail'] : []),
  ];
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [...nodeArgs, runScript, ...benchArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process_.kill('SIGKILL');
    }, child.timeoutMs);
    process_.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    process_.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    process_.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`timed out after ${Math.round(child.timeoutMs / 60000)} min`));
      if (code !== 0)
        return reject(
          new Error(
            `child exited with ${signal ?? `code ${code}`}${code === 134 || signal === 'SIGABRT' ? ' (out of memory? raise --heap-mb)' : ''}`,
          ),
        );
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as PointResult);
      } catch (error) {
        reject(new Error(`child printed no valid JSON: ${(error as Error).message}`));
      }
    });
  });
}
