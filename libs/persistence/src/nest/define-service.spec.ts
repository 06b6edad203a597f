import 'reflect-metadata';
import path from 'node:path';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { STITCH_MESSAGING_OPTIONS, bootstrapService, type StitchMessagingOptions } from '@stitch/messaging-core';
import { tinyCatalogue } from '../../test/support/tiny-catalogue';
import { defineService, runService } from './define-service';
import { PersistenceModule } from './persistence.module';
import { INBOX, OUTBOX_DISPATCHER } from './persistence.tokens';

jest.mock('@stitch/messaging-core', () => ({ ...jest.requireActual('@stitch/messaging-core'), bootstrapService: jest.fn() }));

@Module({})
class FeatureModule {}

const GUARD = Symbol('GUARD');
const createClient = jest.fn();
const definition = (inbox?: boolean) =>
  defineService({
    service: 'order-service',
    catalogue: tinyCatalogue,
    prisma: { dir: '/srv/order-service/prisma', createClient },
    ...(inbox === undefined ? {} : { inbox }),
    imports: [FeatureModule],
    providers: [{ provide: GUARD, useValue: 'guard' }],
    http: { configure: () => undefined },
  });

/** What the service hands StitchMessagingModule. */
function messagingOptions(root: DynamicModule): StitchMessagingOptions {
  const messaging = root.imports?.[0] as DynamicModule;
  const provider = messaging.providers?.find(
    (p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === STITCH_MESSAGING_OPTIONS,
  );
  return (provider as { useValue: StitchMessagingOptions }).useValue;
}

describe('defineService', () => {
  const local = jest.fn();

  it('puts the database, the outbox, the inbox and the feature modules under a root module named after the service', () => {
    const forRoot = jest.spyOn(PersistenceModule, 'forRoot');
    const root = definition().forRoot({ transports: { local } });

    expect((root.module as { name: string }).name).toBe('OrderServiceModule');
    expect(forRoot).toHaveBeenCalledWith({
      service: 'order-service',
      schemaPath: path.join('/srv/order-service/prisma', 'schema'),
      migrationsDir: path.join('/srv/order-service/prisma', 'migrations'),
      createClient,
    });
    expect(messagingOptions(root)).toEqual({
      service: 'order-service',
      catalogue: tinyCatalogue,
      transports: { local },
      imports: [forRoot.mock.results[0]?.value],
      dispatcher: OUTBOX_DISPATCHER,
      handlerWrapper: INBOX,
    });
    expect(root.imports?.slice(1)).toEqual([FeatureModule]);
    expect(root.providers).toEqual([{ provide: GUARD, useValue: 'guard' }]);
    forRoot.mockRestore();
  });

  it('leaves the inbox out for a service that handles no messages', () => {
    expect(messagingOptions(definition(false).forRoot({ transports: { local } }))).not.toHaveProperty('handlerWrapper');
  });

  it('builds a fresh database and messaging module on each call, so two replicas can run in one process', () => {
    const service = definition();
    const [first, second] = [service.forRoot({ transports: { local } }), service.forRoot({ transports: { local } })];
    expect(first.module).toBe(second.module);
    expect(messagingOptions(first).imports?.[0]).not.toBe(messagingOptions(second).imports?.[0]);
    expect(first.imports?.[0]).not.toBe(second.imports?.[0]);
  });

  it('runs the service with its own HTTP set-up on the port it is given', async () => {
    const service = definition();
    await runService(service, { transports: { local }, defaultPort: 3001 });
    const [root, options] = jest.mocked(bootstrapService).mock.calls[0] ?? [];
    expect((root as DynamicModule).module).toBe(service.forRoot({ transports: { local } }).module);
    expect(messagingOptions(root as DynamicModule).transports).toEqual({ local });
    expect(options).toEqual({ defaultPort: 3001, configure: service.http.configure });
  });
});
