import path from 'node:path';
import { ESLint } from 'eslint';

const workspaceRoot = path.resolve(__dirname, '../../..');
const eslint = new ESLint({ cwd: workspaceRoot });

/** Lints one import as if it were a new file at `file`, and returns the rules it breaks. */
async function brokenRules(file: string, importedFrom: string): Promise<string[]> {
  const code = `import * as imported from '${importedFrom}';\n\nexport const used = imported;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(workspaceRoot, file) });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? 'parse'}: ${message.message.split('\n')[0]}`);
}

const boundaries = expect.stringMatching(/^@nx\/enforce-module-boundaries: /);
const testingInProduction = expect.stringMatching(/^no-restricted-imports: .* are for tests/);
const persistenceInInfrastructure = expect.stringMatching(
  /^no-restricted-imports: .* Infrastructure takes persistence's database roles from @stitch\/persistence\/database-roles/,
);

describe('the layer rules', () => {
  it.each([
    ['core imports a transport', 'libs/messaging/core/src/layer-probe.ts', '@stitch/messaging-aws'],
    ['core imports the transport selection', 'libs/messaging/core/src/layer-probe.ts', '@stitch/messaging-transports'],
    ['a transport imports another transport', 'libs/messaging/aws/src/layer-probe.ts', '@stitch/messaging-local'],
    ['a transport imports an app', 'libs/messaging/azure-service-bus/src/layer-probe.ts', '@stitch/order-service'],
    ['a transport imports the shop contracts', 'libs/messaging/local/src/layer-probe.ts', '@stitch/contracts'],
    ['the contracts import core', 'libs/contracts/src/layer-probe.ts', '@stitch/messaging-core'],
    ['the catalogue engine imports the shop contracts', 'libs/messaging/catalogue/src/layer-probe.ts', '@stitch/contracts'],
    ['an app imports another app', 'apps/order-service/src/layer-probe.ts', '@stitch/payment-service'],
    ['a library imports a tool', 'libs/persistence/src/layer-probe.ts', '@stitch/launcher'],
    ['an app imports the cloud infrastructure', 'apps/order-service/src/layer-probe.ts', '@stitch/infra-aws'],
    [
      'the telemetry library imports core, which loads Nest before the SDK starts',
      'libs/telemetry/src/layer-probe.ts',
      '@stitch/messaging-core',
    ],
  ])('makes it a lint error when %s', async (_, file, importedFrom) => {
    expect(await brokenRules(file, importedFrom)).toEqual([boundaries]);
  });

  it.each([
    ['an app', 'apps/order-service/src/layer-probe.ts', '@stitch/persistence/testing'],
    ['an app', 'apps/inventory-service/src/layer-probe.ts', '@stitch/messaging-core/testing'],
    ['a transport', 'libs/messaging/azure-service-bus/src/layer-probe.ts', '@stitch/messaging-azure-service-bus/testing'],
    ['the persistence lib', 'libs/persistence/src/layer-probe.ts', '@stitch/messaging-core/testing'],
    ['an app', 'apps/order-service/src/layer-probe.ts', '@stitch/waiting-testing'],
  ])('makes it a lint error when production code of %s imports test support (%s)', async (_, file, importedFrom) => {
    expect(await brokenRules(file, importedFrom)).toContainEqual(testingInProduction);
  });

  it('makes it a lint error when the infrastructure imports the main entry point of persistence, which loads Prisma and Nest', async () => {
    expect(await brokenRules('infra/aws/src/layer-probe.ts', '@stitch/persistence')).toEqual([persistenceInInfrastructure]);
  });

  it.each([
    ['core imports the catalogue engine', 'libs/messaging/core/src/layer-probe.ts', '@stitch/messaging-catalogue'],
    ['a transport imports core', 'libs/messaging/aws/src/layer-probe.ts', '@stitch/messaging-core'],
    ['the transport selection imports a transport', 'libs/messaging/transports/src/layer-probe.ts', '@stitch/messaging-local'],
    ['an app imports the contracts, persistence and the transport selection', 'apps/order-service/src/layer-probe.ts', '@stitch/contracts'],
    ['an app imports the telemetry library', 'apps/order-service/src/layer-probe.ts', '@stitch/telemetry'],
    ["an app's spec imports test support", 'apps/order-service/src/layer-probe.spec.ts', '@stitch/persistence/testing'],
    ["an app's test harness imports the waiting library", 'apps/order-service/test/support/layer-probe.ts', '@stitch/waiting-testing'],
    ["a fault scenario's support imports the waiting library", 'apps/shop-faults/src/support/layer-probe.ts', '@stitch/waiting-testing'],
    ['an end-to-end suite imports the cloud infrastructure', 'apps/shop-e2e/src/layer-probe.e2e-spec.ts', '@stitch/infra-aws'],
    ['the infrastructure imports the database roles of persistence', 'infra/aws/src/layer-probe.ts', '@stitch/persistence/database-roles'],
    [
      "a transport's test support imports its own test double",
      'libs/messaging/azure-service-bus/testing/layer-probe.ts',
      '@stitch/messaging-core/testing',
    ],
  ])('allows it when %s', async (_, file, importedFrom) => {
    expect(await brokenRules(file, importedFrom)).toEqual([]);
  });
});

describe('the tags', () => {
  it('put every project on both axes: one scope and one layer', async () => {
    const { globSync, readFileSync } = await import('node:fs');
    const projects = globSync(['apps/*/project.json', 'libs/**/project.json', 'tools/*/project.json'], { cwd: workspaceRoot }).filter(
      (file) => !file.includes('node_modules'),
    );
    const untagged = projects.flatMap((file) => {
      const { name, tags = [] } = JSON.parse(readFileSync(path.join(workspaceRoot, file), 'utf8')) as { name: string; tags?: string[] };
      const scopes = tags.filter((tag) => tag.startsWith('scope:'));
      const types = tags.filter((tag) => tag.startsWith('type:'));
      return scopes.length === 1 && types.length === 1 ? [] : [`${name}: ${tags.join(', ') || 'no tags'}`];
    });
    expect(projects.length).toBeGreaterThan(20);
    expect(untagged).toEqual([]);
  });
});
