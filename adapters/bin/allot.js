#!/usr/bin/env node
// The `allot` command line launcher: it runs the built JavaScript in ../dist
// (src/cli/main.ts compiled by `npm install`'s prepare step or `npm run build`).
// In a repository checkout it first rebuilds when a source of the kernel or the
// adapters is newer than the build (scripts/build.mjs, under a second), so that
// `npx allot` never runs stale code. An installed package has no sources and
// skips the check.
import { existsSync } from 'node:fs';

const buildScript = new URL('../../scripts/build.mjs', import.meta.url);
if (existsSync(new URL('../src', import.meta.url)) && existsSync(buildScript)) {
  const { buildIfStale } = await import(buildScript.href);
  if (buildIfStale()) process.stderr.write('allot: rebuilt kernel/dist and adapters/dist (sources had changed since the last build)\n');
}
await import('../dist/cli/main.js');
