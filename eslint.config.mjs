import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.forecast-guard/**', 'infra/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The rollback core: functions short enough to read whole, and no '!' hiding a lookup that can miss.
    files: ['shared/services/rollback/**/*.ts', 'shared/domain/rollback/**/*.ts'],
    rules: {
      'max-lines-per-function': ['error', { max: 60 }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    // Alerting reads like its pipeline: small functions and no non-null assertions.
    files: [
      'shared/services/alert-dispatch/**/*.ts',
      'shared/services/daily-summary/**/*.ts',
      'shared/domain/alerting/**/*.ts',
    ],
    rules: {
      'max-lines-per-function': ['error', { max: 60 }],
      '@typescript-eslint/no-non-null-assertion': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
