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
    // Three workers on the two cores CI has: the daemon, HA and browser suites spend most of their time
    // waiting on real processes, etcd leases and timers, and a third worker overlaps that waiting with the
    // CPU-bound property and simulation suites (on a busy 2-core machine: about 3 min instead of 5).
    maxWorkers: 3,
    // Liveness bounds for a 2-core machine shared with other work (load averages of 20 and more were seen):
    // a test or hook that needs longer than this is stuck, not slow.
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
