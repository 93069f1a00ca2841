// Lint: typescript-eslint's recommended rules, plus the import boundaries of DESIGN.md. The
// pure layers (src/api, src/plan) must not reach for I/O or the Kubernetes client, so that the
// controller and the local runner can share them and tests stay fast and deterministic.
import tseslint from 'typescript-eslint';

const IO_MODULES = [
  'fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls',
  'worker_threads', 'cluster', 'readline', 'process', 'os', 'vm', 'inspector',
].flatMap((m) => [m, `node:${m}`]);

const pureLayer = {
  paths: IO_MODULES.map((name) => ({ name, message: 'src/api and src/plan are pure: pass data in, do I/O in synth, runner or controller.' })),
  patterns: [
    { group: ['@kubernetes/client-node', '@kubernetes/client-node/*'], message: 'The Kubernetes client belongs in src/controller.' },
    { group: ['esbuild', 'ts-morph', 'commander', 'yaml'], message: 'Tooling belongs outside the pure layers.' },
    { group: ['**/synth/**', '**/runner/**', '**/controller/**', '**/webhook/**', '**/feedback/**', '**/codegen/**', '**/cli/**'], message: 'Imports flow cli → (synth | runner | controller | webhook | codegen) → plan → api.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '**/dist/', '**/build/', '**/build-*/', '**/.kayci/', 'scratch/', 'coverage/', 'test/.tmp/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/api/**/*.ts', 'src/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', pureLayer],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'No network in the pure layers.' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Pass configuration in; the pure layers read no environment.' },
        { object: 'Date', property: 'now', message: 'Inject the clock.' },
        { object: 'Math', property: 'random', message: 'Inject randomness.' },
      ],
    },
  },
  {
    files: ['src/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...pureLayer, patterns: [...pureLayer.patterns, { group: ['**/constructs/**', 'cdk8s', 'constructs'], message: 'The planner works on API types only.' }] }],
    },
  },
  {
    files: ['constructs/**/*.ts', 'recipes/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@kubernetes/client-node', '@kubernetes/client-node/*'], message: 'Authoring code never talks to a cluster.' },
          { group: ['**/src/controller/**', '**/src/runner/**', '**/src/webhook/**', '**/src/cli/**', '**/src/synth/**'], message: 'constructs and recipes depend on src/api only.' },
        ],
      }],
    },
  },
);
