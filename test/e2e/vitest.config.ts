import { defineConfig } from 'vitest/config';

/**
 * End-to-end tests in real Chromium (Debian's /usr/bin/chromium through playwright-core; no browser is ever
 * downloaded). Run with `npm run test:e2e` (`vitest run --config test/e2e/vitest.config.ts`). Screenshots go to
 * test-artifacts/ (gitignored). The flows share one server and depend on each other, so files and tests run
 * one at a time.
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
