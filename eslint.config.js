// Lint: typescript-eslint's recommended rules plus the layer boundaries of docs/architecture.md,
// written as no-restricted-imports zones (ESLint's own config does the same per internal folder).
// A boundary exception is an inline `eslint-disable-next-line no-restricted-imports -- why` at the import.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node built-ins that read or change the host. */
const HOST_MODULES = [
  'node:fs',
  'node:fs/promises',
  'node:child_process',
  'node:http',
  'node:https',
  'node:net',
  'node:dgram',
  'node:readline',
  'node:readline/promises',
  'node:os',
  'node:process',
];
const BARE_BUILTINS = ['fs', 'fs/promises', 'child_process', 'http', 'https', 'net', 'dgram', 'os', 'path', 'process'];

const PURE = 'this layer is pure: it judges a recorded snapshot and never reads the host (see docs/architecture.md)';
// bare built-ins by exact name: a gitignore-style group 'path' would also match '../path/index.js'
const NO_NODE = { group: ['node:*'], message: PURE };
const NO_BARE_NODE = { regex: `^(${BARE_BUILTINS.join('|')})$`, message: PURE };
const NO_COLLECT = { group: ['**/collect/**'], message: 'judging layers read the snapshot, never a collector' };
const NO_EDGE = {
  group: ['**/cli/**', '**/exporter/**', '**/watch/**', '**/remedy/execute*'],
  message: 'the CLI, the exporter, watch and the executor are edges: nothing inside imports them',
};
const NO_JUDGE = {
  group: ['**/rules/**', '**/verdict*', '**/diagnose*', '**/remedy/**', '**/portmap*'],
  message: 'collectors gather facts; they never judge them (rules, verdict and remedies come after the snapshot)',
};
const NO_EXECUTOR = { group: ['**/remedy/execute*'], message: 'only the CLI runs the executor' };
const NO_CLI = { group: ['**/cli/**'], message: 'nothing imports the CLI' };
const HOST_ONLY_AT_EDGES = {
  paths: HOST_MODULES.map((name) => ({
    name,
    message: 'only the host-I/O layer (src/collect/host-io.ts), the CLI and the executor touch the host',
  })),
};

/** One boundary zone: files and what they may not import (null: no restriction). */
const zone = (files, restrict) => ({
  files,
  rules: { 'no-restricted-imports': restrict ? ['error', restrict] : 'off' },
});

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        queueMicrotask: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-control-regex': 'off', // parsers match control characters on purpose
    },
  },

  // ---- layer boundaries (src/ only). Flat config: for one file the last matching block wins, so the
  // blocks go from the general to the specific.
  zone(['src/**/*.ts'], { ...HOST_ONLY_AT_EDGES, patterns: [NO_EXECUTOR] }),
  // the edges: the CLI may import anything; the others may touch the host but not run the executor
  zone(['src/cli/**/*.ts'], null),
  zone(['src/exporter/server.ts'], { patterns: [NO_EXECUTOR] }),
  zone(['src/remedy/execute.ts', 'src/remedy/execute-journal.ts'], { patterns: [NO_CLI] }),
  zone(['src/snapshot/io.ts'], { patterns: [NO_COLLECT, NO_EDGE] }),
  // collectors gather facts (host access only through host-io.ts) and never judge them
  zone(['src/collect/**/*.ts'], { ...HOST_ONLY_AT_EDGES, patterns: [NO_JUDGE, NO_EDGE] }),
  zone(['src/collect/host-io.ts'], { patterns: [NO_JUDGE, NO_EDGE] }),
  // the judging layers are pure: no node:*, no collector, no edge
  zone(
    [
      'src/model.ts',
      'src/rules/**/*.ts',
      'src/verdict.ts',
      'src/diagnose.ts',
      'src/port-query.ts',
      'src/symptom.ts',
      'src/path/**/*.ts',
      'src/docs/**/*.ts',
      'src/remedy/plan.ts',
      'src/remedy/preconditions.ts',
      'src/remedy/remedies/**/*.ts',
      'src/snapshot/index.ts',
      'src/snapshot/redact.ts',
      'src/portmap.ts',
      'src/owners/**/*.ts',
      'src/explain/**/*.ts',
      'src/compose/rules/**/*.ts',
      'src/path/**/*.ts',
      'src/util/cidr.ts',
    ],
    { patterns: [NO_NODE, NO_BARE_NODE, NO_COLLECT, NO_EDGE] },
  ),
);
