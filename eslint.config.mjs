import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { readFileSync } from 'node:fs';

// The scope of each service's app, from the service manifest. ESLint loads this file as plain JavaScript, so the
// names are read from the manifest's source: one `name: '<service>',` line per entry.
const manifest = readFileSync(new URL('./libs/manifest/src/manifest.ts', import.meta.url), 'utf8');
const serviceScopes = [...manifest.matchAll(/^ {4}name: '([a-z0-9-]+)',$/gm)].map(([, name]) => name.replace(/-service$/, ''));
if (serviceScopes.length === 0) throw new Error('eslint.config.mjs: no service found in libs/manifest/src/manifest.ts');

const testFiles = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts'];

/**
 * The layers, one `type:` tag each, and what each may import. Spelled out so that these are lint errors: core
 * importing a transport; a transport importing another transport, an app or the shop's contracts; the contracts
 * importing core; an app importing another app. Specs live beside the code they test, so the rules for test files
 * add the shop's contracts and manifest (a transport's tests run the shop's catalogue) and the testing libs; what
 * keeps test doubles out of shipped code is the `no-restricted-imports` rule further down.
 */
// Every library something shipped may be built on; tools, test libraries and end-to-end suites may use any of them.
const libraries = [
  'type:contracts',
  'type:manifest',
  'type:catalogue',
  'type:core',
  'type:transport',
  'type:transport-selection',
  'type:persistence',
  'type:telemetry',
];
const layers = {
  'type:catalogue': [],
  'type:manifest': [],
  // Started before anything else an app loads, so it may import nothing that loads Nest, pg or http.
  'type:telemetry': [],
  'type:contracts': ['type:catalogue', 'type:manifest'],
  'type:core': ['type:catalogue'],
  'type:transport': ['type:core', 'type:catalogue'],
  'type:transport-selection': ['type:transport', 'type:core', 'type:catalogue'],
  'type:persistence': ['type:core', 'type:catalogue'],
  'type:app': [
    'type:contracts',
    'type:manifest',
    'type:catalogue',
    'type:core',
    'type:persistence',
    'type:transport-selection',
    'type:telemetry',
  ],
  'type:tool': ['type:tool', ...libraries],
  'type:testing': ['type:testing', ...libraries],
  // An end-to-end run on a cloud transport checks what it did against the infrastructure's policies.
  'type:e2e': ['type:tool', 'type:testing', 'type:infra', ...libraries],
  // Cloud infrastructure reads the catalogue and the manifest, and a transport's own naming of its entities; it
  // applies the services' database roles with persistence's (its `database-roles` entry point only: rule below).
  'type:infra': ['type:contracts', 'type:manifest', 'type:catalogue', 'type:transport', 'type:persistence'],
};
const whatTestsAdd = ['type:contracts', 'type:manifest', 'type:testing'];
// An app's end-to-end test drives the embedded transport's file directly, as a second process would.
const whatAppTestsAdd = [...whatTestsAdd, 'type:transport'];

function testAllowance(sourceTag, allowed) {
  if (sourceTag === 'type:catalogue' || sourceTag === 'type:manifest' || sourceTag === 'type:telemetry') return allowed;
  const added = { 'type:app': whatAppTestsAdd }[sourceTag] ?? whatTestsAdd;
  return [...new Set([...allowed, ...added])];
}

function boundaries({ forTests }) {
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      ...Object.entries(layers).map(([sourceTag, allowed]) => ({
        sourceTag,
        onlyDependOnLibsWithTags: forTests ? testAllowance(sourceTag, allowed) : allowed,
      })),
      // A service's app imports only shared libs; operator tools (npm run dlq) too, and nothing imports them.
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
      ...serviceScopes.map((scope) => ({ sourceTag: `scope:${scope}`, onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'] })),
    ],
  };
}

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.data/**',
      '**/.tools/**',
      '**/coverage/**',
      '.nx/**',
      '**/generated/prisma/**',
      '**/public/vendor/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries({ forTests: false })],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ forTests: true })] },
  },
  {
    // Shipped code: the source of every app, lib and tool (the libs' operator tools too), but not tests or test support.
    files: ['apps/*/src/**/*.ts', 'libs/**/src/**/*.ts', 'libs/**/tools/**/*.ts', 'tools/*/src/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*.e2e-spec.ts',
      '**/src/testing/**',
      '**/src/test-support/**',
      'apps/shop-e2e/**',
      'apps/shop-faults/**',
      'apps/workshop-e2e/**',
      'libs/messaging/testing/**',
      'libs/testing/**',
    ],
    rules: {
      // Test doubles (an in-memory transport, a fake broker) stand in for the real thing only where a test put them.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@stitch/[^/]+/testing$', message: 'Test doubles are for tests: shipped code cannot import a testing entry point.' },
            {
              regex: '^@stitch/(messaging|shop|waiting)-testing$',
              message: 'Test libraries are for tests: shipped code cannot import them.',
            },
            {
              regex: '^\\.{1,2}/(.+/)?(testing|test-support|test)(/|$)',
              message: 'Test support is for tests: shipped code cannot import it.',
            },
          ],
        },
      ],
    },
  },
  {
    // A function the infrastructure bundles (esbuild) would carry Prisma and Nest with persistence's main entry point.
    files: ['infra/*/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^@stitch/persistence$',
              message:
                "Infrastructure takes persistence's database roles from @stitch/persistence/database-roles, which loads neither Prisma nor Nest.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
