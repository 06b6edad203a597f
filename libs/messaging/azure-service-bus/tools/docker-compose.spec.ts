import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** Nothing runs Docker in CI: this parses docker-compose.yml and checks what the emulator and the shop rely on. */
const root = path.resolve(__dirname, '../../../..');

interface Service {
  image?: string;
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  command?: string[];
  ports?: string[];
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
    expect(emulator.environment).toMatchObject({ ACCEPT_EULA: expect.any(String), MSSQL_SA_PASSWORD: expect.any(String), SQL_SERVER: 'servicebus-sql' });
    expect(dependencies(emulator)).toEqual(['servicebus-sql']);
    expect(service('servicebus-sql').image).toMatch(/azure-sql-edge|mssql/);
    for (const port of emulator.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('runs the shop on the emulator in the azure profile, through the launcher, once the emulator is healthy', () => {
    const shop = service('shop');
    expect(shop.profiles).toEqual(['azure']);
    expect(shop.image).toBe('node:24');
    expect(shop.command?.join(' ')).toContain('node --require @swc-node/register tools/launcher/src/main.ts');
    expect(shop.environment).toMatchObject({
      MESSAGING_TRANSPORT: 'azure',
      SERVICEBUS_CONNECTION_STRING: 'Endpoint=sb://servicebus-emulator;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
      DATABASE_URL: 'postgresql://postgres:postgres@postgres:5432/postgres',
    });
    expect(shop.depends_on).toEqual({ 'servicebus-ready': { condition: 'service_completed_successfully' }, postgres: { condition: 'service_healthy' } });
    expect(dependencies(service('servicebus-ready'))).toEqual(['servicebus-emulator']);
    expect(service('servicebus-ready').command?.join(' ')).toContain('http://servicebus-emulator:5300/health');
  });

  it('keeps every service in a profile, so one transport\'s profile starts nothing of the other\'s', () => {
    const outside = Object.entries(compose.services).filter(([, each]) => !each.profiles?.length).map(([name]) => name);
    expect(outside).toEqual([]);
  });

  it('names only services that exist', () => {
    for (const [name, each] of Object.entries(compose.services)) {
      for (const dependency of dependencies(each)) expect(`${name} -> ${dependency}: ${dependency in compose.services}`).toBe(`${name} -> ${dependency}: true`);
    }
  });
});
