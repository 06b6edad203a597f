import { shopCatalogue } from '@stitch/contracts';
import { shopServices, urlVariable } from '@stitch/manifest';
import { LIVENESS_PATH, READINESS_PATH } from './container-apps';
import { APPS_SUBNET } from './network';
import {
  MOCK_SUBSCRIPTION_ID,
  isSecretInput,
  ofType,
  programSettled,
  recordResources,
  runProgram,
  unwrapSecrets,
  valueOf,
  type Registered,
} from './pulumi-mocks';
import { consumedEntities } from './service-rights';

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

const group = `/subscriptions/${MOCK_SUBSCRIPTION_ID}/resourceGroups/shop1-stitch`;
const identityId = (name: string) => `${group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/shop1-${name}`;
const vaultSecretUri = (name: string) => `https://shop1-stitch-kv.vault.azure.net/secrets/${name}`;

describe('the shop in Container Apps', () => {
  const maxReplicas = 6;
  let registered: Registered[];
  let program: ReturnType<typeof runProgram>;
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
  const secretsOf = (service: string) => (appOf(service).inputs['configuration'] as { secrets: Record<string, string>[] }).secrets;

  beforeAll(async () => {
    registered = await recordResources();
    program = runProgram({ prefix: 'shop1', location: 'westeurope', maxReplicas: String(maxReplicas), stitchPrefix: 'blue' });
    await programSettled(program);
  });

  it('runs each service as its own identity, pulling its image by digest from the registry with it', () => {
    expect(ofType(registered, 'azure-native:app:ContainerApp')).toHaveLength(shopServices.length);
    for (const { name } of shopServices) {
      const inputs = appOf(name).inputs;
      const scaler = consumedEntities(shopCatalogue, name).length > 0 ? [identityId(`${name}-scaler`)] : [];
      expect(inputs['identity']).toEqual({ type: 'UserAssigned', userAssignedIdentities: [identityId(name), ...scaler] });
      expect((inputs['configuration'] as { registries: unknown }).registries).toEqual([
        { server: 'shop1stitch.azurecr.io', identity: identityId(name) },
      ]);
      expect(containerOf(name).image).toMatch(new RegExp(`^shop1stitch\\.azurecr\\.io/stitch/${name}@sha256:[0-9a-z]{64}$`));
    }
  });

  it('runs every app in the environment inside the apps subnet, on the Consumption profile', () => {
    const [environment, ...others] = ofType(registered, 'azure-native:app:ManagedEnvironment');
    expect(others).toHaveLength(0);
    expect(environment?.inputs).toMatchObject({
      vnetConfiguration: {
        infrastructureSubnetId: `${group}/providers/Microsoft.Network/virtualNetworks/shop1-stitch/subnets/apps`,
        internal: false,
      },
      workloadProfiles: [{ name: 'Consumption', workloadProfileType: 'Consumption' }],
    });
    for (const { name } of shopServices) {
      expect(appOf(name).inputs).toMatchObject({ managedEnvironmentId: environment?.id, workloadProfileName: 'Consumption' });
    }
  });

  it('exposes exactly one app outside the environment, the storefront, and every app inside it on its port', async () => {
    const ingress = (service: string) => (appOf(service).inputs['configuration'] as { ingress: Record<string, unknown> }).ingress;
    expect(shopServices.filter((service) => ingress(service.name)['external'] === true).map((service) => service.name)).toEqual([
      'storefront',
    ]);
    for (const service of shopServices) expect(ingress(service.name)).toMatchObject({ targetPort: service.port, transport: 'auto' });
    expect(await valueOf(program.storefrontUrl)).toMatch(/^https:\/\/storefront--rev1\..*\.azurecontainerapps\.io$/);
  });

  it("names each app's telemetry after its service, and leaves the OTLP endpoint and protocol to the environment's agent", () => {
    for (const service of shopServices) {
      const env = envOf(service.name);
      expect(env['OTEL_SERVICE_NAME']).toEqual({ name: 'OTEL_SERVICE_NAME', value: service.name });
      expect(Object.keys(env).filter((name) => name.startsWith('OTEL_EXPORTER_OTLP_'))).toEqual([]);
    }
  });

  it('gives every replica the same size, the one the cost figures assume', () => {
    for (const service of shopServices)
      expect(appOf(service.name).inputs).toMatchObject({ template: { containers: [{ resources: { cpu: 0.5, memory: '1Gi' } }] } });
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
      expect(env['AZURE_CLIENT_ID']?.value).toBe(`shop-${service.name}-client`);
      expect(env['STITCH_SHOP_ID']?.value).toBe('shop1');
      expect(env['STITCH_PREFIX']?.value).toBe('blue');
      expect(env['PORT']?.value).toBe(String(service.port));
      for (const callee of service.calls) expect(env[urlVariable(callee)]?.value).toBe(`http://${callee}`);
    }
    expect(envOf('storefront')['ORDER_URL']?.value).toBe('http://order-service');
  });

  it('trusts forwarded addresses on the storefront from the ingress proxies in the apps subnet alone', () => {
    expect(envOf('storefront')['TRUST_PROXY']?.value).toBe(APPS_SUBNET);
    for (const service of shopServices.filter((each) => !each.publicHttp)) expect(envOf(service.name)['TRUST_PROXY']).toBeUndefined();
  });

  it('connects each data-owning service to its own database as its own role, over verified TLS, its password from the vault', () => {
    for (const service of shopServices) {
      const env = envOf(service.name);
      if (!service.database) {
        expect(env['DATABASE_URL']).toBeUndefined();
        continue;
      }
      const role = service.name.replace(/-/g, '_');
      expect(env['DATABASE_URL']?.value).toBe(
        `postgresql://${role}@shop1-stitch.postgres.database.azure.com:5432/${service.database}?sslmode=verify-full`,
      );
      expect(secretsOf(service.name).find((secret) => secret['name'] === env['DATABASE_PASSWORD']?.secretRef)).toEqual({
        name: 'database-password',
        keyVaultUrl: vaultSecretUri(`${service.name}-database-password`),
        identity: identityId(service.name),
      });
    }
  });

  it('passes no secret as a plain value: each is a secretRef to a Container Apps secret from Key Vault or a secret output', () => {
    for (const service of shopServices) {
      for (const env of containerOf(service.name).env) {
        if (/SECRET|TOKEN|PASSWORD|CONNECTION_STRING|KEY/.test(env.name)) {
          expect(env).toEqual({ name: env.name, secretRef: expect.any(String) });
        }
      }
      const secrets = secretsOf(service.name);
      for (const name of service.secrets) {
        const ref = envOf(service.name)[name]?.secretRef;
        expect(secrets.find((secret) => secret['name'] === ref)).toEqual({
          name: ref,
          keyVaultUrl: vaultSecretUri(name.toLowerCase().replace(/_/g, '-')),
          identity: identityId(service.name),
        });
      }
      expect(envOf(service.name)['APPLICATIONINSIGHTS_CONNECTION_STRING']?.secretRef).toBeDefined();
      const raw = ofType(registered, 'azure-native:app:ContainerApp').find((a) => a.inputs['containerAppName'] === service.name);
      expect(isSecretInput(raw?.inputs['configuration'])).toBe(true);
    }
  });

  it('scales each consumer on exactly its own queue and subscription, as its scaler identity, between 1 and maxReplicas', () => {
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
      for (const rule of rules)
        expect(rule.custom).toMatchObject({ type: 'azure-servicebus', identity: identityId(`${service.name}-scaler`) });
    }
    expect(
      scaleOf('order-service')
        .rules?.map((rule) => rule.name)
        .sort(),
    ).toEqual(['queue-order-service', 'subscription-events-order-service']);
    expect(scaleOf('storefront').rules ?? []).toEqual([]);
  });
});
