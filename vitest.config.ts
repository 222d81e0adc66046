import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run the current sources: @allot/kernel resolves to kernel/src through the
// "allot-source" export condition, and test/globalSetup.ts rebuilds kernel/dist and
// adapters/dist (what the `allot` launcher runs) when a source is newer than the build.
const conditions = ['allot-source', ...defaultServerConditions];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/globalSetup.ts'],
    // Property and simulation suites are CPU-bound; two workers match the two cores CI has.
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});
