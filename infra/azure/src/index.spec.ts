import * as pulumi from '@pulumi/pulumi';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ROLE_DEFINITION_IDS } from './identities';
import { KEY_VAULT_SECRETS_USER_ROLE_ID } from './key-vault';
import {
  MOCK_DEPLOYER_OBJECT_ID,
  MOCK_SUBSCRIPTION_ID,
  mockEntityScope,
  mockRoleDefinitionId,
  ofType,
  programSettled,
  recordResources,
  runProgram,
  valueOf,
  type Registered,
} from './pulumi-mocks';
import { ACR_PULL_ROLE_ID } from './registry';
import { SERVICE_BUS_DATA_OWNER_ROLE_ID } from './scaler-identities';
import { consumedEntities, serviceRights } from './service-rights';

type Program = ReturnType<typeof runProgram>;

describe('the Pulumi program', () => {
  const actionGroupId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/on-call`;
  const required = { prefix: 'shop1', location: 'westeurope' };
  let registered: Registered[];
  let program: Program;

  beforeAll(async () => {
    registered = await recordResources();
    program = runProgram({ ...required, alertActionGroupId: actionGroupId });
    await programSettled(program);
  });

  it('exports where the shop runs and how its services authenticate', async () => {
    expect(await valueOf(program.resourceGroupName)).toBe('shop1-stitch');
    expect(await valueOf(program.serviceBusNamespace)).toBe('shop1-stitch');
    expect(await valueOf(program.serviceBusHost)).toBe('shop1-stitch.servicebus.windows.net');
    expect(Object.keys(program.serviceIdentityClientIds).sort()).toEqual(shopServices.map((service) => service.name).sort());
    for (const clientId of Object.values(program.serviceIdentityClientIds)) expect(await valueOf(clientId)).toMatch(/-client$/);
  });

  it('exports the monitoring ids, and the Application Insights connection string as a secret', async () => {
    expect(await valueOf(program.logAnalyticsWorkspaceId)).toMatch(
      /\/providers\/Microsoft\.OperationalInsights\/workspaces\/shop1-stitch$/,
    );
    expect(await valueOf(program.appInsightsId)).toMatch(/\/providers\/Microsoft\.Insights\/components\/shop1-stitch$/);
    expect(await valueOf(program.appInsightsConnectionString)).toMatch(/^InstrumentationKey=/);
    expect(await pulumi.isSecret(program.appInsightsConnectionString)).toBe(true);
  });

  it('exports one dead-letter alert per watched entity, each notifying the configured action group', () => {
    const alerts = ofType(registered, 'azure-native:monitor:MetricAlert');
    expect(Object.keys(program.deadLetterAlertIds).sort()).toEqual(expect.arrayContaining(['events', 'order-service']));
    expect(alerts).toHaveLength(Object.keys(program.deadLetterAlertIds).length);
    for (const alert of alerts) expect(alert.inputs['actions']).toEqual([{ actionGroupId }]);
  });

  it('grants role definitions in the subscription the credentials are for', () => {
    const assignments = ofType(registered, 'azure-native:authorization:RoleAssignment');
    expect(assignments.length).toBeGreaterThan(0);
    for (const assignment of assignments) {
      expect(String(assignment.inputs['roleDefinitionId'])).toMatch(new RegExp(`^/subscriptions/${MOCK_SUBSCRIPTION_ID}/providers/`));
    }
  });

  it('runs every service in a container app, the storefront reachable over HTTPS', async () => {
    expect(ofType(registered, 'azure-native:app:ContainerApp')).toHaveLength(shopServices.length);
    expect(await valueOf(program.storefrontUrl)).toMatch(/^https:\/\/storefront/);
    expect(await valueOf(program.containerRegistryLoginServer)).toBe('shop1stitch.azurecr.io');
    const scale = ofType(registered, 'azure-native:app:ContainerApp').map((app) => (app.inputs['template'] as { scale: unknown }).scale);
    for (const each of scale) expect(each).toMatchObject({ minReplicas: 1, maxReplicas: 4 });
  });

  it('gives every identity exactly the roles its part needs, at the narrowest scope, and nobody else any role', () => {
    const entities = serviceBusEntities(shopCatalogue.topology());
    const scopeOf = mockEntityScope('shop1-stitch', 'shop1-stitch');
    const role = mockRoleDefinitionId;
    const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/shop1-stitch`;
    const registryId = `${group}/providers/Microsoft.ContainerRegistry/registries/shop1stitch`;
    const secretId = (name: string) => `${group}/providers/Microsoft.KeyVault/vaults/shop1-stitch-kv/secrets/${name}`;
    const pull = `${role(ACR_PULL_ROLE_ID)} ${registryId}`;
    const reads = (secret: string) => `${role(KEY_VAULT_SECRETS_USER_ROLE_ID)} ${secretId(secret)}`;
    const found = new Map<string, string[]>();
    for (const assignment of ofType(registered, 'azure-native:authorization:RoleAssignment')) {
      const principal = String(assignment.inputs['principalId']);
      found.set(
        principal,
        [...(found.get(principal) ?? []), `${String(assignment.inputs['roleDefinitionId'])} ${String(assignment.inputs['scope'])}`].sort(),
      );
    }
    const dataOwners = shopServices.filter((service) => service.database);
    const expected = new Map<string, string[]>([
      ...shopServices.map((service): [string, string[]] => [
        `shop-${service.name}-principal`,
        [
          ...serviceRights(shopCatalogue, entities, service.name, { operator: 'storefront' }).grants.map(
            (grant) => `${role(ROLE_DEFINITION_IDS[grant.role])} ${scopeOf(grant.entity)}`,
          ),
          pull,
          ...service.secrets.map((secret) => reads(secret.toLowerCase().replace(/_/g, '-'))),
          ...(service.database ? [reads(`${service.name}-database-password`)] : []),
        ].sort(),
      ]),
      ...shopServices
        .filter((service) => consumedEntities(shopCatalogue, service.name).length > 0)
        .map((service): [string, string[]] => [
          `scalers-${service.name}-principal`,
          consumedEntities(shopCatalogue, service.name)
            .map((entity) => `${role(SERVICE_BUS_DATA_OWNER_ROLE_ID)} ${scopeOf(entity)}`)
            .sort(),
        ]),
      // The deployer marks the namespace for the shop (topology:azure), which takes managing it.
      [
        MOCK_DEPLOYER_OBJECT_ID,
        [`${role(SERVICE_BUS_DATA_OWNER_ROLE_ID)} ${group}/providers/Microsoft.ServiceBus/namespaces/shop1-stitch`],
      ],
      [
        'database-roles-identity-principal',
        [pull, reads('database-admin-password'), ...dataOwners.map((service) => reads(`${service.name}-database-password`))].sort(),
      ],
    ]);
    expect(found).toEqual(expected);
  });

  it('refuses a prefix that cannot name the resources, saying which config is wrong', () => {
    expect(() => runProgram({ prefix: 'Shop_1', location: 'westeurope' })).toThrow(/Pulumi config "prefix".*got "Shop_1"/);
  });
});
