import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { InMemoryTransport } from '../../testing';
import { bootstrapService } from './bootstrap';
import { CORRELATION_HEADER } from './request-context.middleware';
import { Readiness } from './readiness';
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

  it('answers /health/live with its service and replica, whatever its dependencies say', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', service: 'storefront', instance: 'storefront-7' });
  });

  it('is ready while the transport answers, and says which dependency does not, and why, when one fails', async () => {
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { transport: { status: 'up' } } });

    app.get(Readiness).add('database', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    for (const route of ['/health/ready', '/health']) {
      const down = await fetch(`${base}${route}`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'error',
        info: { transport: { status: 'up' } },
        error: { database: { status: 'down', reason: 'connect ECONNREFUSED 127.0.0.1:5432' } },
      });
    }
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
  });

  it('keeps a caller-given correlation id and makes one up otherwise', async () => {
    const given = await fetch(`${base}/health`, { headers: { [CORRELATION_HEADER]: 'checkout-42' } });
    expect(given.headers.get(CORRELATION_HEADER)).toBe('checkout-42');
    const made = await fetch(`${base}/health`, { headers: { [CORRELATION_HEADER]: 'not ok; drop table' } });
    expect(made.headers.get(CORRELATION_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
