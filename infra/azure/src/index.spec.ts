import * as pulumi from '@pulumi/pulumi';
import { shopCatalogue } from '@stitch/contracts';
import { shopServices } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ACR_PULL_ROLE_ID } from './container-apps';
import { ROLE_DEFINITION_IDS } from './identities';
import {
  MOCK_SUBSCRIPTION_ID,
  mockEntityScope,
  mockRoleDefinitionId,
  ofType,
  recordResources,
  valueOf,
  type Registered,
} from './pulumi-mocks';
import { serviceRights } from './service-rights';

type Program = typeof import('./index');

/** Runs the whole program with the given stack config, as `pulumi up` would with that config set on the stack. */
function runProgram(config: Record<string, string>): Program {
  // Config keys are namespaced by the project (Pulumi.yaml's name), as in a stack's Pulumi.<stack>.yaml.
  pulumi.runtime.setAllConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [`stitch:${key}`, value])));
  let program: Program | undefined;
  // A fresh copy of the module each time: the program runs once per load, at import, as under `pulumi up`.
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dynamic import() of a .ts file needs an extension TypeScript and jest disagree on
    program = require('./index') as Program;
  });
  if (!program) throw new Error('the program did not load');
  return program;
}

describe('the Pulumi program', () => {
  const actionGroupId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/ops/providers/Microsoft.Insights/actionGroups/on-call`;
  const secretUris = { SESSION_SECRET: 'https://kv.vault.azure.net/secrets/s', OPERATOR_TOKEN: 'https://kv.vault.azure.net/secrets/t' };
  const required = { prefix: 'shop1', location: 'westeurope', imageTag: '1.2.3', secretUris: JSON.stringify(secretUris) };
  let registered: Registered[];
  let program: Program;

  beforeAll(async () => {
    registered = await recordResources();
    program = runProgram({ ...required, alertActionGroupId: actionGroupId });
    await valueOf(pulumi.all([...Object.values(program.deadLetterAlertIds), program.storefrontUrl]));
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

  it("gives each service's identity exactly its Service Bus rights and AcrPull on the registry, nothing else", () => {
    const entities = serviceBusEntities(shopCatalogue.topology());
    const scopeOf = mockEntityScope('shop1-stitch', 'shop1-stitch');
    const role = mockRoleDefinitionId;
    const registryId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/shop1-stitch/providers/Microsoft.ContainerRegistry/registries/shop1stitch`;
    const found = new Map<string, string[]>();
    for (const assignment of ofType(registered, 'azure-native:authorization:RoleAssignment')) {
      const principal = String(assignment.inputs['principalId']);
      found.set(
        principal,
        [...(found.get(principal) ?? []), `${String(assignment.inputs['roleDefinitionId'])} ${String(assignment.inputs['scope'])}`].sort(),
      );
    }
    const expected = new Map(
      shopServices.map((service) => [
        `shop-${service.name}-principal`,
        [
          ...serviceRights(shopCatalogue, entities, service.name, { operator: 'storefront' }).grants.map(
            (grant) => `${role(ROLE_DEFINITION_IDS[grant.role])} ${scopeOf(grant.entity)}`,
          ),
          `${role(ACR_PULL_ROLE_ID)} ${registryId}`,
        ].sort(),
      ]),
    );
    expect(found).toEqual(expected);
  });

  it('refuses to run without the Key Vault URIs of the secrets the services read, naming them', () => {
    expect(() => runProgram({ prefix: 'shop1', location: 'westeurope', imageTag: '1.2.3' })).toThrow(
      /no Key Vault secret URI for SESSION_SECRET, OPERATOR_TOKEN/,
    );
  });

  it('refuses a prefix that cannot name the resources, saying which config is wrong', () => {
    expect(() => runProgram({ prefix: 'Shop_1', location: 'westeurope' })).toThrow(/Pulumi config "prefix".*got "Shop_1"/);
  });
});
