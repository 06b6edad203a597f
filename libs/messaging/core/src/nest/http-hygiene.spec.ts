import 'reflect-metadata';
import { Body, Controller, Get, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import { InMemoryTransport } from '../../testing';
import { MessagingRuntime } from '../runtime';
import { bootstrapService } from './bootstrap';
import { trustProxySchema } from './http.config';
import { StitchMessagingModule } from './stitch-messaging.module';

@Controller('things')
class ThingsController {
  @Get(':id')
  find(@Param('id') id: string) {
    return { id };
  }

  @Post()
  create(@Body() body: unknown) {
    return { body };
  }
}

@Module({
  imports: [
    StitchMessagingModule.forRoot({
      service: 'storefront',
      catalogue: shopCatalogue,
      transports: { local: () => new InMemoryTransport(shopCatalogue.topology()) },
    }),
  ],
  controllers: [ThingsController],
})
class ServiceModule {}

describe('every service port’s HTTP hygiene', () => {
  let app: INestApplication;
  let base: string;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    Object.assign(process.env, { INSTANCE_ID: 'storefront-9', LOG_LEVEL: 'silent', MESSAGING_FLOW: 'off', HOST: '127.0.0.1' });
    app = await bootstrapService(ServiceModule, { defaultPort: 0 });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    process.env = savedEnv;
  });

  it('sends the security headers and no X-Powered-By', async () => {
    const response = await fetch(`${base}/health/live`);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('answers a client error raised below the routes in fixed words, logged at warn without a stack', async () => {
    const { logger } = app.get(MessagingRuntime);
    const warn = jest.spyOn(logger, 'warn');
    const error = jest.spyOn(logger, 'error');
    try {
      const tooLarge = await fetch(`${base}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'x'.repeat(200_000) }),
      });
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toEqual({ statusCode: 413, message: 'the body is too large' });

      const badParam = await fetch(`${base}/things/%FF`);
      expect(badParam.status).toBe(400);
      const text = await badParam.text();
      expect(JSON.parse(text)).toEqual({ statusCode: 400, message: 'a path parameter is not valid percent-encoding' });
      expect(text).not.toContain('%FF');

      const notJson = await fetch(`${base}/things`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"secret": "4242',
      });
      expect(notJson.status).toBe(400);
      expect(await notJson.text()).not.toContain('4242');

      expect(error).not.toHaveBeenCalled();
      const lines = warn.mock.calls.map(([fields]) => fields as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ status: 413, msg: 'client error 413: the body is too large' }),
        expect.objectContaining({ status: 400, msg: 'client error 400: a path parameter is not valid percent-encoding' }),
      ]);
      for (const fields of lines) expect(fields).not.toHaveProperty('stack');
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['off', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('%s is trust proxy %o', (value, expected) => {
    expect(trustProxySchema.parse(value)).toEqual(expected);
  });

  it.each(['true', 'everyone', '10.0.0.0/99'])('refuses %s', (value) => {
    expect(trustProxySchema.safeParse(value).success).toBe(false);
  });
});
