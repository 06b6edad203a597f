import { outcome, TemporaryWorkspace } from '@stitch/workspace-testing';

// Generates into a copy of the workspace, then lints, typechecks, tests and starts the new service; minutes.
const generousMs = 25 * 60_000;

describe('nx g @stitch/nx-plugin:service', () => {
  let workspace: TemporaryWorkspace;

  beforeAll(() => {
    workspace = TemporaryWorkspace.create();
  });

  afterAll(() => workspace?.remove());

  it(
    'adds a data-owning service with one call: it lints, typechecks, passes its tests and drift test, starts and builds',
    async () => {
      const generated = await workspace.nx('g', '@stitch/nx-plugin:service', 'returns-service', '--database', '--no-interactive');
      expect(outcome(generated)).toEqual({ code: 0, tail: '' });

      const changed = workspace.changedFiles();
      const migration = changed.find((file) => /^apps\/returns-service\/prisma\/migrations\/\d{14}_init\/migration\.sql$/.test(file));
      expect(migration).toBeDefined();
      expect(changed.filter((file) => file !== migration)).toEqual(
        [
          'apps/returns-service/.gitignore',
          'apps/returns-service/README.md',
          'apps/returns-service/jest.config.js',
          'apps/returns-service/package.json',
          'apps/returns-service/prisma.config.ts',
          'apps/returns-service/prisma/migrations/migration_lock.toml',
          'apps/returns-service/prisma/schema/schema.prisma',
          'apps/returns-service/project.json',
          'apps/returns-service/src/app.module.spec.ts',
          'apps/returns-service/src/app.module.ts',
          'apps/returns-service/src/main.int.spec.ts',
          'apps/returns-service/src/main.ts',
          'apps/returns-service/src/telemetry.ts',
          'apps/returns-service/src/schema-drift.int.spec.ts',
          'apps/returns-service/tsconfig.json',
          'docker-compose.yml',
          'libs/manifest/src/manifest.ts',
          'package-lock.json',
        ].sort(),
      );
      expect(workspace.read(migration!)).toMatch(/CREATE TABLE "stitch_outbox"/);
      expect(workspace.read('docker-compose.yml')).toContain('returns-service');
      expect(JSON.parse(workspace.read('package-lock.json')).packages['apps/returns-service']).toMatchObject({
        name: '@stitch/returns-service',
      });

      const checked = await workspace.nx(
        'run-many',
        '-t',
        'lint',
        'typecheck',
        'test',
        'int-test',
        'build',
        '-p',
        'returns-service',
        'manifest',
        'launcher',
        '--outputStyle=static',
      );
      expect(outcome(checked)).toEqual({ code: 0, tail: '' });
    },
    generousMs,
  );

  it('refuses a name that is already a service, writing nothing', async () => {
    const before = workspace.changedFiles();
    const refused = await workspace.nx('g', '@stitch/nx-plugin:service', 'order-service', '--no-interactive');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('"order-service" is already in the service manifest.');
    expect(workspace.changedFiles()).toEqual(before);
  });
});
