import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { databaseOwners, shopServices, urlVariable } from '@stitch/manifest';
import YAML from 'yaml';
import { CONTAINER_DATA_DIR, composeProfiles, composeServiceName, dataVolume, liveCheck, shopImage, thirdPartyImages } from './compose';

/** Nothing runs Docker in CI: this parses docker-compose.yml and checks what the emulators and the shop rely on. */
const root = path.resolve(__dirname, '../../..');

interface Service {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  profiles?: string[];
  volumes?: string[];
  environment?: Record<string, string | null>;
  env_file?: unknown;
  command?: string[];
  entrypoint?: string[];
  ports?: string[];
  network_mode?: string;
  deploy?: { replicas?: number };
  networks?: { default?: { aliases?: string[] } };
  healthcheck?: { test?: string[] };
  depends_on?: string[] | Record<string, { condition: string }>;
}

const text = readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
const compose = YAML.parse(text) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const dependencies = (of: Service) => (Array.isArray(of.depends_on) ? of.depends_on : Object.keys(of.depends_on ?? {}));
const shopNames = new Set(composeProfiles.flatMap((profile) => shopServices.map((entry) => composeServiceName(entry.name, profile))));

describe('docker-compose.yml', () => {
  it('runs the Service Bus emulator on the generated Config.json, with its SQL Server, in the azure profile', () => {
    const emulator = service('servicebus-emulator');
    expect(emulator.image).toBe('${SERVICEBUS_EMULATOR_IMAGE:-mcr.microsoft.com/azure-messaging/servicebus-emulator:2.0.1}');
    expect(emulator.profiles).toEqual(['azure']);
    expect(service('servicebus-sql').profiles).toEqual(['azure']);
    const mount = emulator.volumes?.find((volume) => volume.includes('/ServiceBus_Emulator/ConfigFiles/Config.json'));
    expect(mount).toBeDefined();
    const source = mount!.split(':')[0]!;
    expect(path.normalize(source)).toBe(path.normalize('./infra/azure/emulator/Config.json'));
    expect(mount).toMatch(/:ro$/);
    expect(existsSync(path.join(root, source))).toBe(true);
    // The password is passed through from the environment or .env: the key is there with no value.
    expect(emulator.environment).toEqual({ ACCEPT_EULA: '${ACCEPT_EULA:-N}', MSSQL_SA_PASSWORD: null, SQL_SERVER: 'servicebus-sql' });
    expect(service('servicebus-sql').environment).toEqual({ ACCEPT_EULA: '${ACCEPT_EULA:-N}', MSSQL_SA_PASSWORD: null });
    expect(emulator.depends_on).toEqual({ 'servicebus-sql': { condition: 'service_healthy' } });
    expect(service('servicebus-sql').image).toMatch(/^\$\{MSSQL_IMAGE:-mcr\.microsoft\.com\/mssql\/server:2022-CU\d+-ubuntu-22\.04\}$/);
    expect(service('servicebus-sql').healthcheck?.test?.join(' ')).toContain('sqlcmd');
    for (const port of emulator.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('waits for the emulator with a one-shot on the shop’s own image before any service of the azure profile starts', () => {
    const ready = service('servicebus-ready');
    expect(ready.image).toBe(shopImage('storefront'));
    expect(ready.build?.args).toMatchObject({ SERVICE: 'storefront' });
    expect(ready.entrypoint?.join(' ')).toContain('http://servicebus-emulator:5300/health');
    expect(dependencies(ready)).toEqual(['servicebus-emulator']);
  });

  it('builds each shop service from the repository Dockerfile and runs it from its image, on every transport', () => {
    const transport = { local: 'local', azure: 'azure', aws: 'aws' } as const;
    for (const profile of composeProfiles) {
      for (const entry of shopServices) {
        const shop = service(composeServiceName(entry.name, profile));
        expect(shop.profiles).toEqual([profile]);
        expect(shop.build).toEqual({
          context: '.',
          dockerfile: 'Dockerfile',
          args: { SERVICE: entry.name, BASE: '${NODE_BASE_IMAGE:-node:24-bookworm-slim}' },
        });
        expect(shop.image).toBe(`\${STITCH_IMAGE_PREFIX:-localhost/stitch}/${entry.name}:\${STITCH_IMAGE_TAG:-local}`);
        // The image's own command; nothing mounted from the checkout, nothing installed.
        expect(shop.command).toBeUndefined();
        expect(shop.entrypoint).toBeUndefined();
        expect(shop.volumes).toEqual([`${dataVolume(profile)}:${CONTAINER_DATA_DIR}`]);
        expect(shop.healthcheck?.test).toEqual(liveCheck(entry.port));
        expect(shop.environment).toMatchObject({
          MESSAGING_TRANSPORT: transport[profile],
          NODE_ENV: 'production',
          STITCH_DATA_DIR: CONTAINER_DATA_DIR,
          HOST: '0.0.0.0',
          PORT: String(entry.port),
        });
      }
    }
  });

  it('shares one data volume among the services of the local profile, so they share the embedded bus file', () => {
    const volumes = shopServices.map((entry) => service(composeServiceName(entry.name, 'local')).volumes);
    expect(new Set(volumes.map((each) => JSON.stringify(each))).size).toBe(1);
    expect(compose.volumes).toHaveProperty(dataVolume('local'));
    for (const entry of shopServices) expect(service(composeServiceName(entry.name, 'local')).depends_on).not.toHaveProperty('moto');
  });

  it('starts the azure profile once the emulator is ready and the aws profile once moto is healthy', () => {
    for (const entry of shopServices) {
      expect(service(composeServiceName(entry.name, 'azure')).environment).toMatchObject({
        SERVICEBUS_CONNECTION_STRING:
          'Endpoint=sb://servicebus-emulator;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;',
      });
      expect(service(composeServiceName(entry.name, 'azure')).depends_on).toHaveProperty('servicebus-ready', {
        condition: 'service_completed_successfully',
      });
      expect(service(composeServiceName(entry.name, 'aws')).environment).toMatchObject({ AWS_ENDPOINT_URL: 'http://moto:5000' });
      expect(service(composeServiceName(entry.name, 'aws')).depends_on).toHaveProperty('moto', { condition: 'service_healthy' });
    }
    expect(service('moto').healthcheck?.test?.join(' ')).toContain('http://127.0.0.1:5000/');
  });

  it('gives each service its database, the URLs it calls, its replicas and its alias, and waits for what it needs', () => {
    const owners = new Set(databaseOwners().map((owner) => owner.service));
    for (const profile of composeProfiles) {
      for (const entry of shopServices) {
        const shop = service(composeServiceName(entry.name, profile));
        expect('DATABASE_URL' in (shop.environment ?? {})).toBe(owners.has(entry.name));
        if (owners.has(entry.name)) expect(shop.depends_on).toHaveProperty('postgres', { condition: 'service_healthy' });
        for (const called of entry.calls) {
          const port = shopServices.find((each) => each.name === called)?.port;
          expect(shop.environment?.[urlVariable(called)]).toBe(`http://${called}:${port}`);
          expect(shop.depends_on).toHaveProperty(composeServiceName(called, profile), { condition: 'service_healthy' });
        }
        expect(shop.deploy).toEqual({ replicas: entry.replicas });
        expect(shop.networks?.default?.aliases).toEqual([entry.name]);
        expect(shop.ports).toEqual(entry.publicHttp ? [`127.0.0.1:${entry.port}:${entry.port}`] : undefined);
      }
    }
  });

  it('passes the shop id and every secret through from the environment, with no value in the file', () => {
    for (const profile of composeProfiles) {
      for (const entry of shopServices) {
        const environment = service(composeServiceName(entry.name, profile)).environment ?? {};
        expect(environment).toHaveProperty('STITCH_SHOP_ID', null);
        for (const secret of entry.secrets) expect(environment).toHaveProperty(secret, null);
      }
    }
    for (const each of Object.values(compose.services)) expect(each.env_file).toBeUndefined();
  });

  it('uses no host networking, publishes only on the loopback interface, and checks the health of every long-running service', () => {
    for (const [name, each] of Object.entries(compose.services)) {
      expect(`${name}: ${each.network_mode ?? 'bridge'}`).toBe(`${name}: bridge`);
      for (const port of each.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
      // A one-shot finishes instead of serving; the emulator is waited for by one (servicebus-ready).
      const oneShot = Object.values(compose.services).some(
        (other) =>
          (other.depends_on as Record<string, { condition: string }> | undefined)?.[name]?.condition === 'service_completed_successfully',
      );
      if (!oneShot && name !== 'servicebus-emulator') expect(`${name}: ${(each.healthcheck?.test?.length ?? 0) > 0}`).toBe(`${name}: true`);
    }
  });

  it("keeps every service in a profile, so one transport's profile starts nothing of the other's", () => {
    const outside = Object.entries(compose.services)
      .filter(([, each]) => !each.profiles?.length)
      .map(([name]) => name);
    expect(outside).toEqual([]);
    expect([...shopNames].every((name) => name in compose.services)).toBe(true);
  });

  it('names only services that exist', () => {
    for (const [name, each] of Object.entries(compose.services)) {
      for (const dependency of dependencies(each))
        expect(`${name} -> ${dependency}: ${dependency in compose.services}`).toBe(`${name} -> ${dependency}: true`);
    }
  });

  it('pins every third-party image under its override variable', () => {
    for (const [variable, pinned] of Object.entries(thirdPartyImages)) {
      expect(text).toContain(`\${${variable}:-${pinned}}`);
      expect(pinned).not.toMatch(/:latest$|^[^:]+$/);
    }
  });
});
