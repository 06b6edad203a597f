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
export const MOCK_WORKSPACE_KEY = 'mock-workspace-shared-key';

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
        if (args.token === 'azure-native:authorization:getClientConfig') return { subscriptionId: MOCK_SUBSCRIPTION_ID };
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
