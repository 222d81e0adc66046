/**
 * Runs once before the test files: rebuilds kernel/dist and adapters/dist when
 * a source is newer than the last build (scripts/build.mjs). Suites that spawn
 * `allot` (the CLI, the daemons) run that build, so they always run the
 * current sources, also right after a rebase or an edit.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
}
