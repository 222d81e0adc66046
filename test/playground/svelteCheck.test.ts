/**
 * Type-checks the playground's .svelte and .ts files with svelte-check (about
 * 20 s here, so it runs with `npm test`). svelte-check needs TypeScript's JS
 * API, which TypeScript 7 (the root's compiler) no longer ships: the
 * playground has its own TypeScript 6 as a devDependency, installed in
 * playground/node_modules, where svelte-check resolves it first.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { PLAYGROUND_ROOT } from './playgroundHarness.js';

test('svelte-check finds no errors or warnings in the playground', () => {
  const bin = join(PLAYGROUND_ROOT, 'node_modules', '.bin', 'svelte-check');
  const run = spawnSync(bin, ['--tsconfig', './tsconfig.json', '--fail-on-warnings', '--output', 'human'], {
    cwd: PLAYGROUND_ROOT,
    encoding: 'utf8',
  });
  const output = `${run.stdout}${run.stderr}`;
  expect(output).toContain('svelte-check found 0 errors and 0 warnings');
  expect(run.status, output).toBe(0);
});
