// Lint: typescript-eslint's recommended rules, plus the layer rule of CONVENTIONS.md: dependencies
// point one way (entry layers → store/models/messaging/config → domain), never back up.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const LAYERS = ['domain', 'models', 'config', 'store', 'messaging', 'observability', 'simulator', 'ingest', 'jobs', 'api', 'cli'];

/** What each layer may import from the project (cli, scripts and tests compose everything). */
const ALLOWED = {
  domain: ['domain'],
  models: ['domain', 'models'],
  config: ['domain', 'config'],
  store: ['domain', 'store'],
  messaging: ['domain', 'messaging'],
  observability: ['observability'],
  simulator: ['domain', 'models', 'simulator'],
  ingest: ['domain', 'models', 'config', 'store', 'messaging', 'observability', 'ingest'],
  jobs: ['domain', 'models', 'config', 'store', 'messaging', 'observability', 'jobs'],
  api: ['domain', 'models', 'config', 'store', 'messaging', 'observability', 'api'],
};

const layerRules = Object.entries(ALLOWED).map(([layer, allowed]) => ({
  files: [`${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: LAYERS.filter((other) => !allowed.includes(other)).map((other) => ({
          group: [`**/${other}/**`, `../${other}/*`, `./${other}/*`],
          message: `${layer}/ must not import ${other}/ (layers: see CONVENTIONS.md habit 5 and eslint.config.js)`,
        })),
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['node_modules/**', 'build/**', 'data/**', 'notebooks/**', 'coverage/**', '.scratch/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', structuredClone: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // Published numeric coefficients (Cody, Wichura) carry more digits than a double; that is harmless.
      'no-loss-of-precision': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  ...layerRules,
);
