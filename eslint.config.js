import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', '**/node_modules/**', 'test-results/**', 'playwright-report/**', '.tmp/**', 'data/**', 'e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-control-regex': 'off',
    },
  },
  // Rules of hooks and the React Compiler checks on the client, all as errors.
  { files: ['client/src/**/*.{ts,tsx}'], ...reactHooks.configs.flat.recommended },
  { files: ['client/src/**/*.{ts,tsx}'], rules: { 'react-hooks/exhaustive-deps': 'error' } },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
