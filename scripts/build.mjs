#!/usr/bin/env node
/**
 * Builds the JavaScript that runs outside the repository's development tools:
 * kernel/dist (what `@allot/kernel` resolves to for plain Node and for
 * consumers) and adapters/dist (what the `allot` launcher runs). Inside the
 * repository, vitest, Vite and the type-check read the TypeScript sources
 * instead (the "allot-source" export condition), so this build is only about
 * running `allot` and packing the packages.
 *
 *   node scripts/build.mjs             a clean build now (`npm run build`; `npm install` runs it as `prepare`)
 *   node scripts/build.mjs --if-stale  build only when a source is newer than the last build
 *
 * The same staleness check runs before every test run (test/globalSetup.ts)
 * and in the `allot` launcher of a checkout, so neither ever runs a stale
 * build. It compares modification times: every file under kernel/src and
 * adapters/src against the stamp the last build wrote, dated when that build
 * started (an edit made during a build makes the next check build again). A
 * rebase or checkout touches the files it changes, so it counts as an edit.
 *
 * The build only transpiles and writes declarations (`--noCheck`, well under
 * a second); `npm run typecheck` (part of `npm test`) is the type check.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = [join(ROOT, 'kernel', 'src'), join(ROOT, 'adapters', 'src')];
// In build order: the adapters' declarations of @allot/kernel come from kernel/dist.
const PROJECTS = [join(ROOT, 'kernel', 'tsconfig.build.json'), join(ROOT, 'adapters', 'tsconfig.build.json')];
// Outside the packages, so that it is never packed; in node_modules, so that a fresh install builds afresh.
const STAMP = join(ROOT, 'node_modules', '.cache', 'allot', 'build-stamp');
const OUTPUT_DIRS = [join(ROOT, 'kernel', 'dist'), join(ROOT, 'adapters', 'dist')];
const OUTPUTS = [join(ROOT, 'kernel', 'dist', 'index.js'), join(ROOT, 'adapters', 'dist', 'cli', 'main.js')];

/** The newest modification time (ms) of any file under `dir`, 0 for none. */
function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mtimeMs = entry.isDirectory() ? newestMtimeMs(path) : statSync(path).mtimeMs;
    if (mtimeMs > newest) newest = mtimeMs;
  }
  return newest;
}

/** True when there is no build yet, or a source changed after the last build started. */
export function isStale() {
  if (!OUTPUTS.every((output) => existsSync(output))) return true;
  let builtAtMs;
  try {
    builtAtMs = statSync(STAMP).mtimeMs;
  } catch {
    return true;
  }
  return SOURCE_DIRS.some((dir) => newestMtimeMs(dir) > builtAtMs);
}

/**
 * Builds kernel/dist then adapters/dist; throws with the compiler's output when it fails.
 * `clean` empties them first, so that nothing of a deleted source is left to be packed.
 */
export function build({ clean = false } = {}) {
  const startedAt = new Date();
  if (clean) for (const output of OUTPUT_DIRS) rmSync(output, { recursive: true, force: true });
  // The package's exports do not list its bin, so find it beside the package.json.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  for (const project of PROJECTS) {
    const run = spawnSync(process.execPath, [tsc, '-p', project, '--noCheck'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`building ${project} failed:\n${run.stdout}${run.stderr}`);
  }
  mkdirSync(dirname(STAMP), { recursive: true });
  closeSync(openSync(STAMP, 'w'));
  utimesSync(STAMP, startedAt, startedAt);
}

/** Builds when stale; returns whether it built. */
export function buildIfStale() {
  if (!isStale()) return false;
  build();
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes('--if-stale')) buildIfStale();
    else build({ clean: true });
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}
