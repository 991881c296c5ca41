// Lint: the recommended rules of ESLint and typescript-eslint, plus React's hook rules for the TUI.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const COMMON_ONLY = ['**/daemon/**', '**/tui/**', '**/bench/**'];

/** A lint rule that files matching `files` import nothing matching `patterns`. */
function restrictImports(files, patterns) {
  return {files, rules: {'no-restricted-imports': ['error', {patterns: [{group: patterns, message: 'see docs/ARCHITECTURE.md, "Who may import whom"'}]}]}};
}

export default tseslint.config(
  {ignores: ['dist/', 'node_modules/', 'coverage/', 'reports/', '.stryker-tmp/']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.tsx', 'tui/**/*.ts'],
    plugins: {'react-hooks': reactHooks},
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  // Who may import whom (docs/ARCHITECTURE.md): common/ is below daemon/ and tui/, which never import each other;
  // in tui/, app/ and shell/ both sit on shared/ and never import each other (tui/cli.ts picks between them).
  // Later entries replace earlier ones for the files they match, so each repeats what it inherits.
  restrictImports(['common/**'], COMMON_ONLY),
  // The protocol core and the client's protocol core do no I/O (no node: modules at all).
  restrictImports(['common/protocol/**', 'common/util/**', 'common/client/client-protocol.ts'], [...COMMON_ONLY, 'node:*', '**/client/chat-client.js']),
  restrictImports(['daemon/**'], ['**/tui/**', '**/bench/**', '**/common/client/**']),
  restrictImports(['tui/shared/**'], ['**/app/**', '**/shell/**', '**/daemon/**']),
  restrictImports(['tui/app/**'], ['**/shell/**', '**/daemon/**']),
  restrictImports(['tui/shell/**'], ['**/app/**', '**/daemon/**']),
  {
    rules: {
      // `_`-prefixed names mark intentionally unused parameters.
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
    },
  },
);
