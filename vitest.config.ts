import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts', 'web/src/**/*.test.ts'],
    // The browser and serving tests need the built pages: rebuilt here only when web/ changed since.
    globalSetup: ['test/pages/build-pages.global.ts'],
    // Engine tests start worker pools that load real models: give them time, and run at most two files at
    // once on this 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    pool: 'forks',
  },
});
