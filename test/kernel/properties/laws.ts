/**
 * Shared set-up of the property suites: how many runs, how to replay a
 * failure, and the "check after every master step" loop.
 *
 * Replay: a failing law prints its seed and counterexample path; rerun just
 * that case with
 *   ALLOT_SEED=<seed> ALLOT_PATH="<path>" npx vitest run <test file>
 * ALLOT_SEED alone reruns the whole sequence from that seed; ALLOT_RUNS=<n>
 * changes the number of runs (default 1000), e.g. for a longer soak.
 */
import type { LawOptions, Violation, Workload, WorkloadStepReport } from '../../../kernel/src/testing/index.js';
import { expectNoViolations, runWorkload, workloadMasterOptions } from '../../../kernel/src/testing/index.js';
import type { MasterOptions } from '../../../kernel/src/master/master.js';
import { Master } from '../../../kernel/src/master/master.js';

export const NUM_RUNS = process.env.ALLOT_RUNS ? Number(process.env.ALLOT_RUNS) : 1000;

export function lawOptions(testFile: string): LawOptions {
  const options: LawOptions = { numRuns: NUM_RUNS, replay: `ALLOT_SEED={seed} ALLOT_PATH="{path}" npx vitest run ${testFile}` };
  if (process.env.ALLOT_SEED) options.seed = Number(process.env.ALLOT_SEED);
  if (process.env.ALLOT_PATH) options.path = process.env.ALLOT_PATH;
  return options;
}

/** Runs the workload on a fresh master and throws at the first step after which `check` finds violations. */
export function checkEveryStep(
  workload: Workload,
  check: (master: Master, report: WorkloadStepReport) => Violation[],
  overrides: Partial<MasterOptions> = {},
): void {
  const master = new Master(workloadMasterOptions(workload, overrides));
  runWorkload(master, workload, (report) => {
    const where =
      report.index < 0
        ? `after setup command ${report.command.type}`
        : `after step ${report.index} (${report.command.type} at ${report.command.nowMs} ms)`;
    expectNoViolations(check(master, report), where);
  });
}
