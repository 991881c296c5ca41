import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Daemon tests bind real loopback sockets and spawn children; two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
