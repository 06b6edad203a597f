import { shopServices } from '@stitch/manifest';
import { DATABASE_ROLES_MAIN } from './database-roles-job';
import {
  MOCK_SUBSCRIPTION_ID,
  isSecretInput,
  ofType,
  programSettled,
  recordResources,
  runProgram,
  unwrapSecrets,
  type Registered,
} from './pulumi-mocks';

const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/shop1-stitch`;
const identity = `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop1-database-roles`;
const vaultSecretUri = (name: string) => `https://shop1-stitch-kv.vault.azure.net/secrets/${name}`;

interface Env {
  name: string;
  value?: string;
  secretRef?: string;
}

describe('the database-roles job', () => {
  let registered: Registered[];
  let job: Registered;
  let container: { image: string; command: string[]; env: Env[] };
  const dataOwners = shopServices.filter((service) => service.database);

  beforeAll(async () => {
    registered = await recordResources();
    await programSettled(runProgram({ prefix: 'shop1', location: 'westeurope' }));
    const [found] = ofType(registered, 'azure-native:app:Job');
    if (!found) throw new Error('no job');
    job = { ...found, inputs: unwrapSecrets(found.inputs) as Record<string, unknown> };
    container = (job.inputs['template'] as { containers: (typeof container)[] }).containers[0]!;
  });

  it("runs on demand in the shop's environment, as its own identity, in a data-owning service's image, the roles runner", () => {
    expect(job.inputs).toMatchObject({
      jobName: 'database-roles',
      environmentId: `${group}/providers/Microsoft.App/managedEnvironments/shop1-stitch`,
      identity: { type: 'UserAssigned', userAssignedIdentities: [identity] },
      configuration: expect.objectContaining({
        triggerType: 'Manual',
        registries: [{ server: 'shop1stitch.azurecr.io', identity }],
      }),
    });
    expect(container.image).toMatch(new RegExp(`^shop1stitch\\.azurecr\\.io/stitch/${dataOwners[0]?.name}@sha256:`));
    expect(container.command).toEqual(['node', DATABASE_ROLES_MAIN]);
  });

  it('asks for one role and database per data-owning service, each password from its own vault secret', () => {
    const env = Object.fromEntries(container.env.map((each) => [each.name, each]));
    const secrets = (job.inputs['configuration'] as { secrets: Record<string, string>[] }).secrets;
    const fromVault = (variable: string) => secrets.find((secret) => secret['name'] === env[variable]?.secretRef);
    expect(env['DATABASE_HOST']?.value).toBe('shop1-stitch.postgres.database.azure.com');
    expect(env['DATABASE_ADMIN_USER']?.value).toBe('stitchadmin');
    expect(env['DATABASE_TLS']?.value).toBe('verify-full');
    expect(fromVault('DATABASE_ADMIN_PASSWORD')).toEqual(
      expect.objectContaining({ keyVaultUrl: vaultSecretUri('database-admin-password'), identity }),
    );
    const roles = JSON.parse(String(env['DATABASE_ROLES']?.value)) as {
      service: string;
      database: string;
      username: string;
      passwordVariable: string;
    }[];
    expect(roles.map(({ service, database, username }) => ({ service, database, username }))).toEqual(
      dataOwners.map((service) => ({ service: service.name, database: service.database, username: service.name.replace(/-/g, '_') })),
    );
    for (const role of roles) {
      expect(fromVault(role.passwordVariable)).toEqual(
        expect.objectContaining({ keyVaultUrl: vaultSecretUri(`${role.service}-database-password`) }),
      );
    }
    for (const each of container.env)
      if (/PASSWORD/.test(each.name)) expect(each).toEqual({ name: each.name, secretRef: expect.any(String) });
  });

  it('is run by each deploy whose roles or image changed, waiting for its end, before any app starts', () => {
    const run = ofType(registered, 'command:local:Command').find((each) => each.name === 'database-roles-run');
    expect(run?.inputs['create']).toMatch(/run-job\.sh"$/);
    expect(run?.inputs['environment']).toEqual({ JOB: 'database-roles', RESOURCE_GROUP: 'shop1-stitch' });
    expect(run?.inputs['triggers']).toEqual([expect.stringContaining('"passwordVariable"'), container.image]);
    expect(isSecretInput(run?.inputs['triggers'])).toBe(false);
  });
});
