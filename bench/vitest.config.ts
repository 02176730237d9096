/** The bench helpers' own tests: `npx vitest run --config bench/vitest.config.ts` (fast, no dnsperf or knot needed). */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vite's cache under the gitignored bench/out/, not a bench/node_modules/ of its own.
  cacheDir: 'out/.vite',
  test: {
    root: import.meta.dirname,
    include: ['*.test.ts', 'lib/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
