import {defineConfig} from 'vitest/config';

// better-sqlite3 reads this once, as its addon loads: the SQLite store opens its database with a URI (exclusive
// locking, daemon/store/sqlite-open.ts), and a test file whose first database is a plain one must not turn that off.
process.env.SQLITE_USE_URI ??= '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Daemon tests bind real loopback sockets and spawn children; two workers fit a 2-core machine.
    maxWorkers: 2,
  },
});
