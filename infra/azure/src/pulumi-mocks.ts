import * as pulumi from '@pulumi/pulumi';
import type { EntityRef } from './service-rights';

/** A resource the program registered, with its inputs as the engine received them (every Output resolved). */
export interface Registered {
  readonly type: string;
  readonly name: string;
  readonly id: string;
  readonly inputs: Record<string, unknown>;
}

export const MOCK_SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const MOCK_TENANT_ID = '11111111-1111-1111-1111-111111111111';
export const MOCK_DEPLOYER_OBJECT_ID = '22222222-2222-2222-2222-222222222222';
export const MOCK_WORKSPACE_KEY = 'mock-workspace-shared-key';
export const MOCK_ARM_TOKEN = 'mock-arm-access-token';
/** What the mock registries answer a token exchange with: the password the images are pushed with. */
export const MOCK_REGISTRY_TOKEN = 'mock-registry-refresh-token';

/**
 * The resource id Azure would give a resource, for the types whose id another resource refers to (role assignment
 * scopes, alert scopes), so a test can compare scopes with entity names; other types get a placeholder.
 */
export function mockResourceId(type: string, inputs: Record<string, unknown>): string | undefined {
  const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${String(inputs['resourceGroupName'])}`;
  const namespace = `${group}/providers/Microsoft.ServiceBus/namespaces/${String(inputs['namespaceName'])}`;
  switch (type) {
    case 'azure-native:resources:ResourceGroup':
      return group;
    case 'azure-native:servicebus:Namespace':
      return namespace;
    case 'azure-native:servicebus:Queue':
      return `${namespace}/queues/${String(inputs['queueName'])}`;
    case 'azure-native:servicebus:Topic':
      return `${namespace}/topics/${String(inputs['topicName'])}`;
    case 'azure-native:servicebus:Subscription':
      return `${namespace}/topics/${String(inputs['topicName'])}/subscriptions/${String(inputs['subscriptionName'])}`;
    case 'azure-native:operationalinsights:Workspace':
      return `${group}/providers/Microsoft.OperationalInsights/workspaces/${String(inputs['workspaceName'])}`;
    case 'azure-native:applicationinsights:Component':
      return `${group}/providers/Microsoft.Insights/components/${String(inputs['resourceName'])}`;
    case 'azure-native:managedidentity:UserAssignedIdentity':
      return `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${String(inputs['resourceName'])}`;
    case 'azure-native:containerregistry:Registry':
      return `${group}/providers/Microsoft.ContainerRegistry/registries/${String(inputs['registryName'])}`;
    case 'azure-native:app:ManagedEnvironment':
      return `${group}/providers/Microsoft.App/managedEnvironments/${String(inputs['environmentName'])}`;
    case 'azure-native:app:ContainerApp':
      return `${group}/providers/Microsoft.App/containerApps/${String(inputs['containerAppName'])}`;
    case 'azure-native:app:Job':
      return `${group}/providers/Microsoft.App/jobs/${String(inputs['jobName'])}`;
    case 'azure-native:network:VirtualNetwork':
      return `${group}/providers/Microsoft.Network/virtualNetworks/${String(inputs['virtualNetworkName'])}`;
    case 'azure-native:network:Subnet':
      return `${group}/providers/Microsoft.Network/virtualNetworks/${String(inputs['virtualNetworkName'])}/subnets/${String(inputs['subnetName'])}`;
    case 'azure-native:privatedns:PrivateZone':
      return `${group}/providers/Microsoft.Network/privateDnsZones/${String(inputs['privateZoneName'])}`;
    case 'azure-native:keyvault:Vault':
      return `${group}/providers/Microsoft.KeyVault/vaults/${String(inputs['vaultName'])}`;
    case 'azure-native:keyvault:Secret':
      return `${group}/providers/Microsoft.KeyVault/vaults/${String(inputs['vaultName'])}/secrets/${String(inputs['secretName'])}`;
    case 'azure-native:dbforpostgresql:Server':
      return `${group}/providers/Microsoft.DBforPostgreSQL/flexibleServers/${String(inputs['serverName'])}`;
    default:
      return undefined;
  }
}

/** The outputs Azure computes that the program or a test reads. */
function mockOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    // A resource's `name` output is the name it was given, an input whose key differs per type.
    case 'azure-native:resources:ResourceGroup':
      return { name: inputs['resourceGroupName'] };
    case 'azure-native:servicebus:Namespace':
      return { name: inputs['namespaceName'] };
    // An identity's principal id is Azure's to give; role assignments refer to it.
    case 'azure-native:managedidentity:UserAssignedIdentity':
      return { principalId: `${name}-principal`, clientId: `${name}-client` };
    case 'azure-native:operationalinsights:Workspace':
      return { name: inputs['workspaceName'], customerId: `${name}-customer-id` };
    case 'azure-native:containerregistry:Registry':
      return { loginServer: `${String(inputs['registryName'])}.azurecr.io` };
    case 'azure-native:network:VirtualNetwork':
      return { name: inputs['virtualNetworkName'] };
    case 'azure-native:privatedns:PrivateZone':
      return { name: inputs['privateZoneName'] };
    case 'azure-native:keyvault:Vault':
      return { name: inputs['vaultName'], properties: { vaultUri: `https://${String(inputs['vaultName'])}.vault.azure.net/` } };
    case 'azure-native:dbforpostgresql:Server':
      return { name: inputs['serverName'], fullyQualifiedDomainName: `${String(inputs['serverName'])}.postgres.database.azure.com` };
    case 'azure-native:app:Job':
      return { name: inputs['jobName'] };
    case 'random:index/randomPassword:RandomPassword':
      return { result: `${name}-generated-${'x'.repeat(Number(inputs['length'] ?? 16))}` };
    case 'docker-build:index:Image': {
      const [tag] = (inputs['tags'] as string[] | undefined) ?? [];
      return {
        ref: `${String(tag).replace(/:[^:/]*$/, '')}@sha256:${name
          .replace(/[^a-z0-9]/g, '')
          .padEnd(64, '0')
          .slice(0, 64)}`,
      };
    }
    case 'azure-native:app:ContainerApp':
      return { latestRevisionFqdn: `${String(inputs['containerAppName'])}--rev1.mockenv-1234.westeurope.azurecontainerapps.io` };
    case 'azure-native:applicationinsights:Component':
      return {
        connectionString: `InstrumentationKey=${name}-key;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
      };
    default:
      return {};
  }
}

/**
 * Runs the program under Pulumi's mocks (no CLI, no cloud) and records every resource it registers. Call before
 * creating any resource; `settled` waits until the given resources are registered.
 */
export async function recordResources(): Promise<Registered[]> {
  const registered: Registered[] = [];
  answerRegistryTokenExchanges();
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        const inputs = args.inputs as Record<string, unknown>;
        const id = mockResourceId(args.type, inputs) ?? `${args.name}-id`;
        registered.push({ type: args.type, name: args.name, id, inputs });
        return { id, state: { ...inputs, ...mockOutputs(args.type, args.name, inputs) } };
      },
      call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        // The program reads the subscription it deploys to from the provider's credentials.
        if (args.token === 'azure-native:authorization:getClientConfig')
          return { subscriptionId: MOCK_SUBSCRIPTION_ID, tenantId: MOCK_TENANT_ID, objectId: MOCK_DEPLOYER_OBJECT_ID };
        // The images are pushed with the deployer's own Azure sign-in, exchanged for a registry token.
        if (args.token === 'azure-native:authorization:getClientToken') return { token: MOCK_ARM_TOKEN };
        // The Container Apps environment reads the workspace's key to ship logs to it.
        if (args.token === 'azure-native:operationalinsights:getSharedKeys') {
          return { primarySharedKey: MOCK_WORKSPACE_KEY, secondarySharedKey: `${MOCK_WORKSPACE_KEY}-2` };
        }
        return args.inputs as Record<string, unknown>;
      },
    },
    'stitch',
    'test',
    false,
  );
  return registered;
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Resolves once every one of `resources` has been registered with the (mock) engine. */
export async function settled(resources: readonly pulumi.Resource[]): Promise<void> {
  await valueOf(pulumi.all(resources.map((resource) => resource.urn)));
}

export function ofType(registered: readonly Registered[], type: string): Registered[] {
  return registered.filter((resource) => resource.type === type);
}

/** How the engine receives a secret input: the value, wrapped with Pulumi's special signature for secrets. */
const SIGNATURE_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

export function isSecretInput(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** `value` with every secret wrapper removed, to compare inputs that hold a secret somewhere inside. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretInput(value)) return unwrapSecrets((value as Record<string, unknown>)['value']);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  }
  return value;
}

/** The scope a role assignment on a Service Bus entity has under the mocks: the entity's id in the mock namespace. */
export function mockEntityScope(resourceGroup: string, namespace: string): (entity: EntityRef) => string {
  const namespaceId = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/${resourceGroup}/providers/Microsoft.ServiceBus/namespaces/${namespace}`;
  return (entity) =>
    entity.kind === 'queue'
      ? `${namespaceId}/queues/${entity.name}`
      : entity.kind === 'topic'
        ? `${namespaceId}/topics/${entity.name}`
        : `${namespaceId}/topics/${entity.topic}/subscriptions/${entity.name}`;
}

/** A built-in role's definition id in the mock subscription. */
export function mockRoleDefinitionId(guid: string): string {
  return `/subscriptions/${MOCK_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}

/**
 * Stands in for every Azure Container Registry's token exchange (`https://<registry>.azurecr.io/oauth2/exchange`), the
 * one request the program makes itself: it answers the mock ARM token with MOCK_REGISTRY_TOKEN and refuses any other
 * request, so nothing under the mocks reaches a network.
 */
function answerRegistryTokenExchanges(): void {
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const form = new URLSearchParams(String(init?.body ?? ''));
    if (url.hostname.endsWith('.azurecr.io') && url.pathname === '/oauth2/exchange' && form.get('access_token') === MOCK_ARM_TOKEN) {
      return Response.json({ refresh_token: MOCK_REGISTRY_TOKEN });
    }
    return new Response('not under the mocks', { status: 404 });
  }) as typeof fetch;
}

type Program = typeof import('./index');

/** Runs the whole program with the given stack config, as `pulumi up` would with that config set on the stack. */
export function runProgram(config: Record<string, string>): Program {
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

/** Every resource of the program registered: the engine has them all once the exports resolve. */
export async function programSettled(program: Program): Promise<void> {
  await valueOf(
    pulumi.all([
      ...Object.values(program.deadLetterAlertIds),
      program.storefrontUrl,
      program.databaseRolesJob,
      program.keyVaultUri,
      program.databaseHost,
    ]),
  );
}
