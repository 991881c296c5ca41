import {configDefaults, defineConfig} from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests Stryker runs against each mutant (`npm run mutation`): the ones that exercise the mutated code
 * (common/protocol, daemon/handlers, daemon/store) through the protocol or the pure functions. The terminal client's
 * tests (tui/, shell/, compat/) drive built binaries and screens, which mutants never reach, and the reply budget's
 * test (many never-reading sockets) is about daemon/connection.ts alone and too slow once instrumented.
 *
 * MUTATION_TESTS=unit keeps the pure unit tests only (protocol, client, the framer's and parser's properties): the
 * quick, strict way to score common/protocol, where every daemon test would otherwise cover every parser mutant.
 * MUTATION_TESTS=store keeps the tests that drive the SQLite store directly (test/daemon/store-*.test.ts, the
 * migrations, test/store/): the same for daemon/store, which nearly every daemon test covers through the protocol.
 */
const unit = ['test/protocol/**/*.test.ts', 'test/client/**/*.test.ts', 'test/fuzz/line-framer.fuzz.test.ts',
  'test/fuzz/request.fuzz.test.ts'];
const store = ['test/daemon/store-*.test.ts', 'test/daemon/migrations.test.ts', 'test/store/**/*.test.ts'];
const all = ['test/protocol/**/*.test.ts', 'test/daemon/**/*.test.ts', 'test/federation/**/*.test.ts',
  'test/limits/**/*.test.ts', 'test/fuzz/**/*.test.ts', 'test/client/**/*.test.ts'];

// Spread, not mergeConfig: mergeConfig would append these lists to the base config's `include`.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.MUTATION_TESTS === 'unit' ? unit : process.env.MUTATION_TESTS === 'store' ? store : all,
    exclude: [...configDefaults.exclude, 'test/limits/reply-budget.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
