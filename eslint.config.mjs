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
 * A service never imports another service: services share only libs, and libs never reach into apps. The
 * transports know the catalogue engine and no shop: only their tests may use the shop's messages.
 */
function boundaries({ messagingTestsUseTheShop }) {
  const shared = ['type:contracts', 'type:catalogue', 'type:manifest', 'type:messaging', 'type:data', 'type:util', 'type:testing'];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: shared },
      { sourceTag: 'type:tool', onlyDependOnLibsWithTags: shared },
      { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:tool', ...shared] },
      { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts', 'type:catalogue', 'type:manifest', 'type:messaging', 'type:util'] },
      {
        sourceTag: 'type:messaging',
        onlyDependOnLibsWithTags: ['type:catalogue', 'type:messaging', 'type:util', ...(messagingTestsUseTheShop ? ['type:contracts', 'type:manifest'] : [])],
      },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: shared },
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:catalogue', 'type:manifest', 'type:util'] },
      { sourceTag: 'type:catalogue', onlyDependOnLibsWithTags: ['type:util'] },
      { sourceTag: 'type:manifest', onlyDependOnLibsWithTags: [] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      // Operator tools (npm run dlq) use the shared libs only, and nothing imports them.
      { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:shared'] },
      ...serviceScopes.map((scope) => ({ sourceTag: `scope:${scope}`, onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'] })),
    ],
  };
}

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', '**/.tools/**', '**/coverage/**', '.nx/**', '**/generated/prisma/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries({ messagingTestsUseTheShop: false })],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: testFiles,
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ messagingTestsUseTheShop: true })] },
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
            { regex: '^@stitch/(messaging|shop)-testing$', message: 'Test libraries are for tests: shipped code cannot import them.' },
            { regex: '^\\.{1,2}/(.+/)?(testing|test-support|test)(/|$)', message: 'Test support is for tests: shipped code cannot import it.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
