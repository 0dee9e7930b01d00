// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'models/**', 'test-artifacts/**', 'web/src/api/schema.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.mjs', 'src/biometrics/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A module reaches another module's data through the repositories it is handed (typed through
    // src/repositories.ts), never by importing that module's repository file.
    files: ['src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./[^/]+/[^/]+\\.repository\\.js$',
              message: "take it through the constructor, typed Repositories['name'] (src/repositories.ts)",
            },
          ],
        },
      ],
    },
  },
  {
    // Relying-party applications reach the registry only through its services (src/services/registry.ts),
    // with their own principal: never its repositories, its matcher or its template store.
    files: ['src/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(repositories|modules/[^/]+/[^/]+\\.repository)\\.js$',
              message: "a service owns its own repositories; the registry's are reached through its services",
            },
            {
              regex: '(^|/)(matcher|modules/templates|modules/keys)/',
              message: 'a service decides through the registry (src/services/registry.ts), never the matcher or store',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and benchmarks assert on JSON response bodies and error data (typed `any` by nature); `expect`
    // does the checking there.
    files: ['test/**/*.ts', '**/*.test.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The pages run in the browser (web/tsconfig.json gives them the DOM and no Node types).
    files: ['web/src/**/*.ts', 'web/src/**/*.tsx'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: globals.node },
  },
);
