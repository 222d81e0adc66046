#!/usr/bin/env node
// The `allot` command line launcher. It registers tsx so that the TypeScript
// sources of the CLI and the kernel run directly, without a build step; the
// real entry point is src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
