import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { databaseOwners, shopServices, urlVariable } from '@stitch/manifest';
import YAML from 'yaml';
import { composeServiceName } from './compose';

/** Nothing runs Docker in CI: this parses docker-compose.yml and checks what the emulator and the shop rely on. */
const root = path.resolve(__dirname, '../../..');

interface Service {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  command?: string[];
  ports?: string[];
  deploy?: { replicas?: number };
  networks?: { default?: { aliases?: string[] } };
  depends_on?: string[] | Record<string, { condition: string }>;
}

const compose = YAML.parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const dependencies = (of: Service) => (Array.isArray(of.depends_on) ? of.depends_on : Object.keys(of.depends_on ?? {}));

describe('docker-compose.yml', () => {
  it('runs the Service Bus emulator on the generated Config.json, with its SQL database, in the azure profile', () => {
    const emulator = service('servicebus-emulator');
    expect(emulator.image).toMatch(/^mcr\.microsoft\.com\/azure-messaging\/servicebus-emulator:/);
    expect(emulator.profiles).toEqual(['azure']);
    expect(service('servicebus-sql').profiles).toEqual(['azure']);
    const mount = emulator.volumes?.find((volume) => volume.includes('/ServiceBus_Emulator/ConfigFiles/Config.json'));
    expect(mount).toBeDefined();
    const source = mount!.split(':')[0]!;
    expect(path.normalize(source)).toBe(path.normalize('./infra/azure/emulator/Config.json'));
    expect(existsSync(path.join(root, source))).toBe(true);
    expect(emulator.environment).toMatchObject({
      ACCEPT_EULA: expect.any(String),
      MSSQL_SA_PASSWORD: expect.any(String),
      SQL_SERVER: 'servicebus-sql',
    });
    expect(dependencies(emulator)).toEqual(['servicebus-sql']);
    expect(service('servicebus-sql').image).toMatch(/azure-sql-edge|mssql/);
    for (const port of emulator.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs each service of the manifest on the emulator in the azure profile, once the emulator is healthy', () => {
    for (const entry of shopServices) {
      const shop = service(composeServiceName(entry.name, 'azure'));
      expect(shop.profiles).toEqual(['azure']);
      expect(shop.image).toBe('node:24');
      expect(shop.command?.join(' ')).toContain(`node --require @swc-node/register apps/${entry.name}/src/main.ts`);
      expect(shop.environment).toMatchObject({
        MESSAGING_TRANSPORT: 'azure',
        SERVICEBUS_CONNECTION_STRING:
          'Endpoint=sb://servicebus-emulator;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
        DATABASE_URL: 'postgresql://postgres:postgres@postgres:5432/postgres',
        HOST: '0.0.0.0',
        PORT: String(entry.port),
      });
      expect(shop.depends_on).toEqual({
        install: { condition: 'service_completed_successfully' },
        'servicebus-ready': { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
      });
    }
    expect(dependencies(service('servicebus-ready'))).toEqual(['servicebus-emulator']);
    expect(service('servicebus-ready').command?.join(' ')).toContain('http://servicebus-emulator:5300/health');
  });

  it('runs each service of the manifest on moto in the aws profile, once the topology is applied', () => {
    expect(service('moto').profiles).toEqual(['aws']);
    const topology = service('aws-topology');
    expect(topology.command?.join(' ')).toBe('node --require @swc-node/register tools/topology/src/aws.ts --apply');
    expect(topology.environment).toMatchObject({
      AWS_ENDPOINT_URL: 'http://moto:5000',
      STITCH_SHOP_ID: expect.stringMatching(/^\$\{STITCH_SHOP_ID:\?/),
    });
    for (const entry of shopServices) {
      const shop = service(composeServiceName(entry.name, 'aws'));
      expect(shop.profiles).toEqual(['aws']);
      expect(shop.environment).toMatchObject({
        MESSAGING_TRANSPORT: 'aws',
        AWS_ENDPOINT_URL: 'http://moto:5000',
        PORT: String(entry.port),
      });
      expect(shop.depends_on).toMatchObject({
        install: { condition: 'service_completed_successfully' },
        'aws-topology': { condition: 'service_completed_successfully' },
      });
    }
  });

  it('installs once, before every service, and gives each its database, the URLs it calls, its replicas and its alias', () => {
    expect(service('install').command?.join(' ')).toContain('npm ci --no-audit --no-fund && npx nx run-many -t generate');
    const owners = new Set(databaseOwners().map((owner) => owner.service));
    for (const profile of ['azure', 'aws'] as const) {
      for (const entry of shopServices) {
        const shop = service(composeServiceName(entry.name, profile));
        expect(shop.depends_on).toHaveProperty('install', { condition: 'service_completed_successfully' });
        expect('DATABASE_URL' in (shop.environment ?? {})).toBe(owners.has(entry.name));
        for (const called of entry.calls) {
          const port = shopServices.find((each) => each.name === called)?.port;
          expect(shop.environment?.[urlVariable(called)]).toBe(`http://${called}:${port}`);
        }
        expect(shop.deploy).toEqual({ replicas: entry.replicas });
        expect(shop.networks?.default?.aliases).toEqual([entry.name]);
        expect(shop.ports).toEqual(entry.publicHttp ? [`127.0.0.1:${entry.port}:${entry.port}`] : undefined);
      }
    }
  });

  it('takes the shop id and every secret from the environment, never from the file', () => {
    for (const profile of ['azure', 'aws'] as const) {
      for (const entry of shopServices) {
        const environment = service(composeServiceName(entry.name, profile)).environment ?? {};
        expect(environment['STITCH_SHOP_ID']).toMatch(/^\$\{STITCH_SHOP_ID:\?[^}]+\}$/);
        for (const secret of entry.secrets) expect(environment[secret]).toMatch(new RegExp(`^\\$\\{${secret}:\\?[^}]+\\}$`));
      }
    }
  });

  it("keeps every service in a profile, so one transport's profile starts nothing of the other's", () => {
    const outside = Object.entries(compose.services)
      .filter(([, each]) => !each.profiles?.length)
      .map(([name]) => name);
    expect(outside).toEqual([]);
  });

  it('names only services that exist', () => {
    for (const [name, each] of Object.entries(compose.services)) {
      for (const dependency of dependencies(each))
        expect(`${name} -> ${dependency}: ${dependency in compose.services}`).toBe(`${name} -> ${dependency}: true`);
    }
  });
});
