// Mutation testing (`npm run mutation`; not part of `npm test`). See docs/TESTING.md.
// One folder at a time: npm run mutation -- --mutate 'common/protocol/**/*.ts'
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: {configFile: 'vitest.mutation.config.ts'},
  mutate: [
    'common/protocol/**/*.ts',
    'daemon/handlers/**/*.ts',
    'daemon/store/**/*.ts',
  ],
  coverageAnalysis: 'perTest',
  // A static mutant (in a module-level constant: the command table's texts, the error messages) is run against
  // every test; they are reported as ignored, and the score counts the others.
  ignoreStatic: true,
  // Two cores: two sandboxes, each running vitest with its own workers.
  concurrency: 2,
  timeoutMS: 20_000,
  ignorePatterns: ['reports', '*.log'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: {fileName: 'reports/mutation/mutation.html'},
  jsonReporter: {fileName: 'reports/mutation/mutation.json'},
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
