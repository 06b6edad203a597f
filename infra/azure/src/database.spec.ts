import { shopServices } from '@stitch/manifest';
import { ADDRESS_SPACE, APPS_SUBNET, DATABASE_SUBNET } from './network';
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
const network = `${group}/providers/Microsoft.Network/virtualNetworks/shop1-stitch`;

describe("the shop's network, vault and database", () => {
  let registered: Registered[];
  const only = (type: string) => {
    const [resource, ...others] = ofType(registered, type);
    if (!resource || others.length > 0) throw new Error(`expected exactly one ${type}, found ${others.length + (resource ? 1 : 0)}`);
    return resource;
  };

  beforeAll(async () => {
    registered = await recordResources();
    await programSettled(runProgram({ prefix: 'shop1', location: 'westeurope' }));
  });

  it('splits the network into an apps subnet for Container Apps and a database subnet for PostgreSQL, neither with default outbound access', () => {
    expect(only('azure-native:network:VirtualNetwork').inputs).toMatchObject({ addressSpace: { addressPrefixes: [ADDRESS_SPACE] } });
    const subnets = Object.fromEntries(
      ofType(registered, 'azure-native:network:Subnet').map((subnet) => [subnet.inputs['subnetName'], subnet.inputs]),
    );
    expect(subnets).toEqual({
      apps: expect.objectContaining({
        addressPrefix: APPS_SUBNET,
        delegations: [expect.objectContaining({ serviceName: 'Microsoft.App/environments' })],
        defaultOutboundAccess: false,
      }),
      database: expect.objectContaining({
        addressPrefix: DATABASE_SUBNET,
        delegations: [expect.objectContaining({ serviceName: 'Microsoft.DBforPostgreSQL/flexibleServers' })],
        defaultOutboundAccess: false,
      }),
    });
  });

  it('keeps the database private: injected into its subnet, resolved through a private zone linked to the network, no public access', () => {
    const zone = only('azure-native:privatedns:PrivateZone');
    expect(zone.inputs['privateZoneName']).toBe('shop1-stitch.private.postgres.database.azure.com');
    expect(only('azure-native:privatedns:VirtualNetworkLink').inputs).toMatchObject({
      virtualNetwork: { id: network },
      registrationEnabled: false,
    });
    expect(only('azure-native:dbforpostgresql:Server').inputs['network']).toEqual({
      delegatedSubnetResourceId: `${network}/subnets/database`,
      privateDnsZoneArmResourceId: zone.id,
      publicNetworkAccess: 'Disabled',
    });
    expect(ofType(registered, 'azure-native:dbforpostgresql:FirewallRule')).toEqual([]);
  });

  it('runs PostgreSQL 18 on a Burstable B1ms with password sign-in, its generated admin password passed as a secret', () => {
    const server = only('azure-native:dbforpostgresql:Server');
    expect(server.inputs).toMatchObject({
      serverName: 'shop1-stitch',
      version: '18',
      sku: { name: 'Standard_B1ms', tier: 'Burstable' },
      storage: { storageSizeGB: 32 },
      administratorLogin: 'stitchadmin',
      authConfig: { passwordAuth: 'Enabled', activeDirectoryAuth: 'Disabled' },
    });
    expect(isSecretInput(server.inputs['administratorLoginPassword'])).toBe(true);
  });

  it('requires TLS on every connection', () => {
    expect(only('azure-native:dbforpostgresql:Configuration').inputs).toMatchObject({
      configurationName: 'require_secure_transport',
      value: 'on',
    });
  });

  it('keeps the session key, the operator credential and every database password in one RBAC-authorized vault, as secrets', () => {
    const vault = only('azure-native:keyvault:Vault');
    expect(vault.inputs).toMatchObject({
      vaultName: 'shop1-stitch-kv',
      properties: expect.objectContaining({ enableRbacAuthorization: true, sku: { family: 'A', name: 'standard' } }),
    });
    expect((vault.inputs['properties'] as Record<string, unknown>)['accessPolicies']).toBeUndefined();
    const secrets = ofType(registered, 'azure-native:keyvault:Secret');
    expect(secrets.map((secret) => secret.inputs['secretName']).sort()).toEqual(
      [
        'session-secret',
        'operator-token',
        'database-admin-password',
        ...shopServices.filter((service) => service.database).map((service) => `${service.name}-database-password`),
      ].sort(),
    );
    for (const secret of secrets) {
      // An object holding a secret reaches the engine as a secret as a whole.
      expect(isSecretInput(secret.inputs['properties'])).toBe(true);
      expect(String((unwrapSecrets(secret.inputs['properties']) as { value: string }).value)).toMatch(/^\S{48,}$/);
    }
  });
});
