import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property and simulation suites are CPU-bound; two workers match the two cores CI has.
    maxWorkers: 2,
    testTimeout: 120_000,
  },
});
