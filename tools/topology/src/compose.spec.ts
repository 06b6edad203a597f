import { readFileSync } from 'node:fs';
import path from 'node:path';
import { serviceNames, shopServices, type ServiceManifestEntry } from '@stitch/manifest';
import YAML from 'yaml';
import { COMPOSE_GENERATE_COMMAND, composeProfiles, composeServiceName, renderCompose } from './compose';

const committed = path.resolve(__dirname, '../../../docker-compose.yml');

interface Service {
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: string[];
  build?: { args?: Record<string, string> };
  deploy?: { replicas?: number };
  networks?: { default?: { aliases?: string[] } };
  depends_on?: Record<string, { condition: string }>;
}

describe('docker-compose.yml', () => {
  it(`is committed as the manifest renders it (regenerate: ${COMPOSE_GENERATE_COMMAND})`, () => {
    const rendered = renderCompose();
    const onDisk = readFileSync(committed, 'utf8');
    if (onDisk !== rendered)
      throw new Error(`docker-compose.yml differs from what the service manifest renders: run ${COMPOSE_GENERATE_COMMAND} and commit it`);
  });

  it('runs a new service of the manifest in every profile, built from its own image and reached by its name', () => {
    const extra: ServiceManifestEntry = {
      name: 'gift-card-service',
      port: 3006,
      database: 'stitch_gift_card',
      publicHttp: false,
      replicas: 2,
      calls: ['order-service'],
      secrets: [],
      description: 'gift cards',
    };
    const compose = YAML.parse(renderCompose([...shopServices, extra])) as { services: Record<string, Service> };
    for (const profile of composeProfiles) {
      const service = compose.services[composeServiceName(extra.name, profile)];
      expect(service?.profiles).toEqual([profile]);
      expect(service?.build?.args).toMatchObject({ SERVICE: 'gift-card-service' });
      expect(service?.deploy).toEqual({ replicas: 2 });
      expect(service?.networks?.default?.aliases).toEqual(['gift-card-service']);
      expect(service?.environment).toMatchObject({
        ORDER_URL: 'http://order-service:3001',
        PORT: '3006',
        DATABASE_URL: expect.any(String),
      });
      expect(service?.ports).toBeUndefined();
    }
    expect(Object.keys(compose.services).filter((name) => serviceNames.some((each) => name.startsWith(each)))).toHaveLength(
      composeProfiles.length * serviceNames.length,
    );
  });
});
