// ESLint 9 flat config for the whole repository (`npm run lint`). Syntax-level rules only:
// type-aware linting doubles the run time on this codebase and `tsc --noEmit` (npm run
// typecheck) already enforces the type rules that matter (strict, noUncheckedIndexedAccess).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Generated or downloaded output only; every source folder is linted.
    ignores: ['**/node_modules/**', '**/dist/**', '**/cdk.out/**', '**/.scratch/**', 'var/**', '**/var/**', 'bench/results/**', 'test-artifacts/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter kept for an interface's shape or a value left out on purpose.
      // A warning, not an error: work in progress often leaves an import behind for a while; the
      // warnings are printed on every run and tsc catches the unused code that matters.
      '@typescript-eslint/no-unused-vars': [
        'warn',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Input validation and the WAF normaliser match control characters on purpose.
      'no-control-regex': 'off',
      // Patterns over tool output (pgBackRest, ps) match its literal column spacing.
      'no-regex-spaces': 'off',
      // `as` casts must carry a comment (STYLE.md); `any` stays forbidden.
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['apps/web/src/client/**', '**/*.browser.{ts,tsx,js}'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
