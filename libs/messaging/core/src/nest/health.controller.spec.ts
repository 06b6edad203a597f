import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { InMemoryTransport } from '../in-memory-transport';
import { bootstrapService } from './bootstrap';
import { CORRELATION_HEADER } from './request-context.middleware';
import { StitchMessagingModule } from './stitch-messaging.module';

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'storefront',
      catalogue: shopCatalogue,
      transports: { local: () => new InMemoryTransport(shopCatalogue.topology()) },
    }),
  ],
})
class StorefrontModule {}

describe('every app over HTTP', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    Object.assign(process.env, { INSTANCE_ID: 'storefront-7', LOG_LEVEL: 'silent', MESSAGING_FLOW: 'off' });
    app = await bootstrapService(StorefrontModule, { defaultPort: 0 });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers /health with its service and replica once it is receiving', async () => {
    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'storefront', instance: 'storefront-7' });
  });

  it('keeps a caller-given correlation id and makes one up otherwise', async () => {
    const given = await fetch(`${base}/health`, { headers: { [CORRELATION_HEADER]: 'checkout-42' } });
    expect(given.headers.get(CORRELATION_HEADER)).toBe('checkout-42');
    const made = await fetch(`${base}/health`, { headers: { [CORRELATION_HEADER]: 'not ok; drop table' } });
    expect(made.headers.get(CORRELATION_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
