import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          globalSetup: ['test/helpers/build-once.ts'],
        },
      },
      {
        test: {
          name: 'live',
          include: ['test/live/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // live tests share one dockerd and one set of NAT tables: one file at a time
          fileParallelism: false,
          sequence: { concurrent: false },
        },
      },
    ],
  },
});
