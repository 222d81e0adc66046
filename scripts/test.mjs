#!/usr/bin/env node
// Runs the whole test suite the way CI does and ends with one plain summary line
// ("tests: N passed, N failed, N skipped") that CI reads, since vitest's own
// summary is not in a format CI recognises.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

await import('./ensureChromium.mjs').then(({ ensureChromium }) => ensureChromium());
await import('./ensureEtcd.mjs').then(({ ensureEtcd }) => ensureEtcd());
// The linter and formatter check first: a formatting slip fails fast, before minutes of suites.
const lint = spawnSync('npx', ['biome', 'check', '--error-on-warnings', '.'], { stdio: 'inherit' });
if (lint.status !== 0) {
  console.log('tests: 0 passed, 1 failed (npm run lint found problems; npm run format fixes formatting)');
  process.exit(1);
}
// The type-check covers the kernel, adapters, benchmarks, scripts and tests (svelte-check covers the playground).
const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.log('tests: 0 passed, 1 failed (npm run typecheck found errors)');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'allot-test-'));
const jsonFile = join(dir, 'results.json');
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${jsonFile}`, ...process.argv.slice(2)];
const run = spawnSync('npx', args, { stdio: 'inherit' });

let summary;
try {
  const results = JSON.parse(readFileSync(jsonFile, 'utf8'));
  const skipped = results.numPendingTests + results.numTodoTests;
  // A file that fails outside any test (a hook timing out, an import error) fails no test of its own:
  // count it as one failure, so that the summary never says 0 failed while the run failed.
  const brokenFiles = (results.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  ).length;
  summary = `tests: ${results.numPassedTests} passed, ${results.numFailedTests + brokenFiles} failed, ${skipped} skipped`;
} catch {
  summary = 'tests: 0 passed, 1 failed (the test runner produced no results)';
}
rmSync(dir, { recursive: true, force: true });
console.log(summary);
process.exit(run.status ?? 1);
