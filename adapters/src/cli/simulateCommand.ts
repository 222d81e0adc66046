/**
 * `allot simulate FILE|NAME`: runs a scenario in the discrete-event simulator
 * and prints its report, as tables or (with --json) as the JSON report alone.
 * Exit code 1 when the report lists invariant violations, so scripts and CI
 * can use a simulation as a check.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Simulation, buildReport, compareWithSilos, runWhatIf, traceRecord } from '@allot/kernel';
import type { Scenario, SiloComparison, SimulationReport } from '@allot/kernel';
import type { InjectedFault } from './faultSummary.js';
import { formatFaults, injectedFaults } from './faultSummary.js';
import { formatSilos } from './siloSummary.js';
import { EXIT_CODES_HELP, EXIT_OK, EXIT_PROBLEM_FOUND } from './exitCodes.js';
import { parseNonNegativeMs, parseSeed } from './flagValues.js';
import { createProgress } from './progressBar.js';
import { formatReport } from './reportSummary.js';
import { loadScenario } from './scenarioSource.js';
import { TraceWriter } from './traceWriter.js';
import type { WhatIfFlags } from './whatIfFlags.js';
import { collect, formatWhatIf, hasWhatIf, whatIfEdits } from './whatIfFlags.js';

interface SimulateFlags extends WhatIfFlags {
  json?: boolean;
  seed?: number;
  until?: number;
  trace?: string;
  silos?: boolean;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('run a scenario (a JSON file or a built-in name) in the simulator and print its report')
    .argument('<file|name>', 'a scenario JSON file, or the name of a built-in scenario (see `allot scenarios`)')
    .option('--json', 'print only the JSON report on stdout')
    .option('--seed <n>', "override the scenario's seed (an integer)", parseSeed)
    .option('--until <ms>', "stop at this simulated time instead of the scenario's durationMs", parseNonNegativeMs)
    .option('--trace <file>', 'write every kernel event to FILE as NDJSON (one JSON object per line)')
    .option('--silos', 'also run the frameworks on a static partition of the same agents and compare (report field "silos")')
    .option('--drain <agents>', 'what-if: drain these agents (comma-separated ids) at --at')
    .option('--remove-agents <n|agents>', 'what-if: lose these agents for good (ids, or a count: the busiest N) at --at')
    .option('--quota <role=name:amount,...>', 'what-if: set a quota limit of a role at --at (repeatable)', collect)
    .option('--add-service <svc.yml>', 'what-if: deploy this SDK service (svc.yml or JSON spec) at --at (repeatable)', collect)
    .option('--at <ms>', 'what-if: when the edits happen (default 1000)', parseNonNegativeMs)
    .addHelpText(
      'after',
      '\nExamples:\n  allot simulate drf-paper\n  allot simulate my-scenario.json --seed 7 --json > report.json\n  allot simulate drf-paper --until 5000 --trace trace.ndjson\n\n' +
        EXIT_CODES_HELP,
    )
    .action((fileOrName: string, flags: SimulateFlags) => {
      process.exitCode = runSimulate(fileOrName, flags);
    });
}

function runSimulate(fileOrName: string, flags: SimulateFlags): number {
  const scenario = loadScenario(fileOrName);
  if (hasWhatIf(flags)) return runWhatIfFlags(scenario, flags);
  const report: SimulationReport & { faults?: InjectedFault[]; silos?: SiloComparison } = simulateWithTrace(scenario, fileOrName, flags);
  // Only for scenarios with faults, so that the report of every other scenario stays exactly the kernel's.
  if (scenario.faults.length > 0) report.faults = injectedFaults(scenario.faults, report.simulatedMs);
  if (flags.silos) report.silos = compareWithSilos(flags.seed === undefined ? scenario : { ...scenario, seed: flags.seed });
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const color = Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined;
    process.stdout.write(formatReport(report, { color, replayCommand: replayCommand(fileOrName, report.seed, flags.until) }));
    if (report.faults) process.stdout.write(formatFaults(report.faults, scenario.faults.length));
    if (report.silos) process.stdout.write(formatSilos(report.silos));
  }
  return report.invariantViolations.length === 0 ? EXIT_OK : EXIT_PROBLEM_FOUND;
}

function simulateWithTrace(scenario: Scenario, fileOrName: string, flags: SimulateFlags): SimulationReport {
  const trace = flags.trace === undefined ? undefined : new TraceWriter(flags.trace);
  const progress = createProgress(!flags.json);
  const endMs = flags.until ?? scenario.durationMs;
  // The same options as the kernel's simulate(), spelled out because the trace needs the simulation's layout.
  const simulation: Simulation = new Simulation(scenario, {
    invariants: 'tick',
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(trace === undefined ? {} : { onEvent: (event) => trace.write(traceRecord(event, simulation.master.layout)) }),
  });
  try {
    simulation.runUntil(endMs, (nowMs) => progress.update(nowMs, endMs));
  } catch (error) {
    // A crash inside the simulator is a bug; say how to reproduce it before the stack trace is printed.
    const replay = replayCommand(fileOrName, simulation.seed, flags.until);
    throw new Error(`the simulation failed at ${simulation.nowMs} ms (seed ${simulation.seed}); replay with: ${replay}`, { cause: error });
  } finally {
    progress.stop();
    if (trace) {
      trace.close();
      // On stderr, so that stdout keeps only the report (JSON under --json).
      process.stderr.write(`trace: ${trace.linesWritten} kernel events written to ${resolve(trace.path)}\n`);
    }
  }
  return buildReport(simulation);
}

function replayCommand(fileOrName: string, seed: number, untilMs: number | undefined): string {
  const until = untilMs === undefined ? '' : ` --until ${untilMs}`;
  return `allot simulate ${shellQuote(fileOrName)} --seed ${seed}${until}`;
}

function shellQuote(argument: string): string {
  return /^[\w./:@%+=,-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", "'\\''")}'`;
}

/** A run with what-if edits: the unchanged and the edited run side by side (whatIfFlags.ts). */
function runWhatIfFlags(scenario: Scenario, flags: SimulateFlags): number {
  const edits = whatIfEdits(flags, scenario);
  const outcome = runWhatIf(scenario, edits, {
    ...(flags.until !== undefined ? { untilMs: flags.until } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ whatIf: outcome }, null, 2)}\n`);
  else process.stdout.write(formatWhatIf(outcome));
  const violations = outcome.whatIf.invariantViolations.length + outcome.unchanged.invariantViolations.length;
  return violations === 0 ? EXIT_OK : EXIT_PROBLEM_FOUND;
}
