import { shopCatalogue } from '@stitch/contracts';
import { shopServices, urlVariable } from '@stitch/manifest';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { ACR_PULL_ROLE_ID, LIVENESS_PATH, READINESS_PATH, ShopContainerApps, type ShopContainerAppsArgs } from './container-apps';
import { ServiceIdentities } from './identities';
import { ShopMessaging } from './messaging';
import { ShopMonitoring } from './monitoring';
import {
  MOCK_SUBSCRIPTION_ID,
  MOCK_WORKSPACE_KEY,
  isSecretInput,
  ofType,
  unwrapSecrets,
  recordResources,
  settled,
  valueOf,
  type Registered,
} from './pulumi-mocks';
import { consumedEntities, serviceRights } from './service-rights';

interface Env {
  name: string;
  value?: string;
  secretRef?: string;
}
interface Probe {
  type: string;
  httpGet: { path: string; port: number };
}
interface Rule {
  name: string;
  custom: { type: string; metadata: Record<string, string>; identity: string };
}

const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/stitch-rg`;
const identityId = (service: string) => `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop1-${service}`;
const registryId = `${group}/providers/Microsoft.ContainerRegistry/registries/shop1stitch`;
const secretUris = {
  SESSION_SECRET: 'https://shop1-kv.vault.azure.net/secrets/session-secret',
  OPERATOR_TOKEN: 'https://shop1-kv.vault.azure.net/secrets/operator-token',
};

describe('ShopContainerApps', () => {
  const entities = serviceBusEntities(shopCatalogue.topology());
  const maxReplicas = 6;
  let registered: Registered[];
  let containerApps: ShopContainerApps;
  let args: ShopContainerAppsArgs;
  const appOf = (service: string) => {
    const found = ofType(registered, 'azure-native:app:ContainerApp').find((a) => a.inputs['containerAppName'] === service);
    if (!found) throw new Error(`no app ${service}`);
    // The app's secrets make its configuration a secret input as a whole.
    return { ...found, inputs: unwrapSecrets(found.inputs) as Record<string, unknown> };
  };
  const containerOf = (service: string) =>
    (appOf(service).inputs['template'] as { containers: { image: string; env: Env[]; probes: Probe[] }[] }).containers[0]!;
  const envOf = (service: string) => Object.fromEntries(containerOf(service).env.map((e) => [e.name, e]));
  const scaleOf = (service: string) =>
    (appOf(service).inputs['template'] as { scale: { minReplicas: number; maxReplicas: number; rules?: Rule[] } }).scale;

  beforeAll(async () => {
    registered = await recordResources();
    const messaging = new ShopMessaging('shop', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      namespaceName: 'shop1-stitch',
      entities,
    });
    const identities = new ServiceIdentities('identity', {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      subscriptionId: MOCK_SUBSCRIPTION_ID,
      prefix: 'shop1',
      rights: shopServices.map((service) => serviceRights(shopCatalogue, entities, service.name, { operator: 'storefront' })),
      messaging,
    });
    const monitoring = new ShopMonitoring('shop', { resourceGroupName: 'stitch-rg', location: 'westeurope', prefix: 'shop1' });
    args = {
      resourceGroupName: 'stitch-rg',
      location: 'westeurope',
      subscriptionId: MOCK_SUBSCRIPTION_ID,
      prefix: 'shop1',
      services: shopServices,
      identities,
      monitoring,
      serviceBusNamespace: 'shop1-stitch',
      consumes: (service) => consumedEntities(shopCatalogue, service),
      shopId: 'shop1',
      stitchPrefix: 'blue',
      imageTag: '1.2.3',
      maxReplicas,
      secretUris,
    };
    containerApps = new ShopContainerApps('apps', args);
    await settled([...messaging.resources, ...identities.resources, ...monitoring.resources, ...containerApps.resources]);
  });

  it('makes a Basic registry with no admin user, and gives each identity AcrPull on it alone', () => {
    const registries = ofType(registered, 'azure-native:containerregistry:Registry');
    expect(registries).toHaveLength(1);
    expect(registries[0]?.inputs).toMatchObject({ registryName: 'shop1stitch', sku: { name: 'Basic' }, adminUserEnabled: false });
    const acrPull = ofType(registered, 'azure-native:authorization:RoleAssignment').filter((assignment) =>
      String(assignment.inputs['roleDefinitionId']).endsWith(ACR_PULL_ROLE_ID),
    );
    expect(acrPull.map((assignment) => assignment.inputs['principalId']).sort()).toEqual(
      shopServices.map((service) => `identity-${service.name}-principal`).sort(),
    );
    for (const assignment of acrPull) expect(assignment.inputs['scope']).toBe(registryId);
  });

  it('links the environment to the workspace with its shared key, passed as a secret', () => {
    const environments = ofType(registered, 'azure-native:app:ManagedEnvironment');
    expect(environments).toHaveLength(1);
    expect(isSecretInput(environments[0]?.inputs['appLogsConfiguration'])).toBe(true);
    expect(unwrapSecrets(environments[0]?.inputs['appLogsConfiguration'])).toEqual({
      destination: 'log-analytics',
      logAnalyticsConfiguration: { customerId: 'shop-workspace-customer-id', sharedKey: MOCK_WORKSPACE_KEY },
    });
  });

  it('runs each service as its own identity, pulling its tagged image from the registry with it', () => {
    expect(ofType(registered, 'azure-native:app:ContainerApp')).toHaveLength(shopServices.length);
    for (const { name } of shopServices) {
      const inputs = appOf(name).inputs;
      expect(inputs['identity']).toEqual({ type: 'UserAssigned', userAssignedIdentities: [identityId(name)] });
      expect((inputs['configuration'] as { registries: unknown }).registries).toEqual([
        { server: 'shop1stitch.azurecr.io', identity: identityId(name) },
      ]);
      expect(containerOf(name).image).toBe(`shop1stitch.azurecr.io/stitch/${name}:1.2.3`);
    }
  });

  it('exposes exactly one app outside the environment, the storefront, and every app inside it on its port', async () => {
    const ingress = (service: string) => (appOf(service).inputs['configuration'] as { ingress: Record<string, unknown> }).ingress;
    expect(shopServices.filter((service) => ingress(service.name)['external'] === true).map((service) => service.name)).toEqual([
      'storefront',
    ]);
    for (const service of shopServices) expect(ingress(service.name)).toMatchObject({ targetPort: service.port, transport: 'auto' });
    expect(await valueOf(containerApps.storefrontUrl)).toMatch(/^https:\/\/storefront--rev1\..*\.azurecontainerapps\.io$/);
  });

  it('probes liveness and readiness over HTTP on the service port', () => {
    for (const service of shopServices) {
      expect(containerOf(service.name).probes).toEqual([
        expect.objectContaining({ type: 'Liveness', httpGet: expect.objectContaining({ path: LIVENESS_PATH, port: service.port }) }),
        expect.objectContaining({ type: 'Readiness', httpGet: expect.objectContaining({ path: READINESS_PATH, port: service.port }) }),
      ]);
    }
  });

  it('gives each service its transport, identity, shop and the URLs of the services it calls', () => {
    for (const service of shopServices) {
      const env = envOf(service.name);
      expect(env['MESSAGING_TRANSPORT']?.value).toBe('azure');
      expect(env['SERVICEBUS_NAMESPACE']?.value).toBe('shop1-stitch.servicebus.windows.net');
      expect(env['AZURE_CLIENT_ID']?.value).toBe(`identity-${service.name}-client`);
      expect(env['STITCH_SHOP_ID']?.value).toBe('shop1');
      expect(env['STITCH_PREFIX']?.value).toBe('blue');
      expect(env['PORT']?.value).toBe(String(service.port));
      for (const callee of service.calls) expect(env[urlVariable(callee)]?.value).toBe(`http://${callee}`);
    }
    expect(envOf('storefront')['ORDER_URL']?.value).toBe('http://order-service');
  });

  it('passes no secret as a plain value: each is a secretRef to a Container Apps secret from Key Vault or a secret output', () => {
    for (const service of shopServices) {
      for (const env of containerOf(service.name).env) {
        if (/SECRET|TOKEN|PASSWORD|CONNECTION_STRING|KEY/.test(env.name)) {
          expect(env).toEqual({ name: env.name, secretRef: expect.any(String) });
        }
      }
      const secrets = (appOf(service.name).inputs['configuration'] as { secrets: Record<string, string>[] }).secrets;
      for (const name of service.secrets) {
        const ref = envOf(service.name)[name]?.secretRef;
        expect(secrets.find((secret) => secret['name'] === ref)).toEqual({
          name: ref,
          keyVaultUrl: secretUris[name as keyof typeof secretUris],
          identity: identityId(service.name),
        });
      }
      expect(envOf(service.name)['APPLICATIONINSIGHTS_CONNECTION_STRING']?.secretRef).toBeDefined();
      const raw = ofType(registered, 'azure-native:app:ContainerApp').find((a) => a.inputs['containerAppName'] === service.name);
      expect(isSecretInput(raw?.inputs['configuration'])).toBe(true);
    }
  });

  it('scales each consumer on exactly its own queue and subscription, as its own identity, between 1 and maxReplicas', () => {
    for (const service of shopServices) {
      const scale = scaleOf(service.name);
      expect(scale).toMatchObject({ minReplicas: 1, maxReplicas });
      const expected = consumedEntities(shopCatalogue, service.name).map((entity) =>
        entity.kind === 'queue'
          ? { queueName: entity.name }
          : entity.kind === 'subscription'
            ? { topicName: entity.topic, subscriptionName: entity.name }
            : {},
      );
      const rules = scale.rules ?? [];
      expect(rules.map((rule) => rule.custom.metadata)).toEqual(
        expected.map((where) => ({ ...where, namespace: 'shop1-stitch', messageCount: '100' })),
      );
      for (const rule of rules) expect(rule.custom).toMatchObject({ type: 'azure-servicebus', identity: identityId(service.name) });
    }
    expect(
      scaleOf('order-service')
        .rules?.map((rule) => rule.name)
        .sort(),
    ).toEqual(['queue-order-service', 'subscription-events-order-service']);
    expect(scaleOf('storefront').rules ?? []).toEqual([]);
  });

  it('refuses a service whose secret has no Key Vault URI, naming the secret', () => {
    expect(() => new ShopContainerApps('incomplete', { ...args, secretUris: { SESSION_SECRET: secretUris.SESSION_SECRET } })).toThrow(
      /no Key Vault secret URI for OPERATOR_TOKEN/,
    );
  });
});
