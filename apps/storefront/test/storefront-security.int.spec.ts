import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { shopCatalogue } from '@stitch/contracts';
import type { OutgoingMessage, Destination } from '@stitch/messaging-core';
import { InMemoryTransport } from '@stitch/messaging-core/testing';
import { queryServiceDatabase, startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { StubServices } from './support/stub-services';
import { restoreProcessEnv, startTestStorefront } from './support/test-storefront';

/** The in-memory transport, counting what the storefront sends. */
class CountingTransport extends InMemoryTransport {
  sent = 0;
  override async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    this.sent += messages.length;
    await super.send(destination, messages);
  }
}

const transport = new CountingTransport(shopCatalogue.topology());

const operatorToken = `operator-${randomUUID()}`;
let stubs: StubServices;
let postgres: TestPostgres;

/** A storefront with these settings over the int specs' own (test/support/test-storefront.ts). */
function startStorefront(env: Record<string, string | undefined> = {}) {
  return startTestStorefront({ stubs, databaseUrl: postgres.url, operatorToken, transport, env });
}

const signUp = { email: 'ada@example.com', name: 'Ada' };

/** What the storefront sent or put in its outbox to send: a refused request leaves neither. */
async function sentOrQueued(): Promise<number> {
  const [row] = await queryServiceDatabase<{ n: string }>(postgres.url, 'storefront', 'SELECT count(*) AS n FROM stitch_outbox');
  return transport.sent + Number(row?.n ?? 0);
}
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  [stubs, postgres] = await Promise.all([StubServices.start(), startTestPostgres()]);
});

afterAll(async () => {
  await stubs?.close();
  await postgres?.stop();
  restoreProcessEnv();
});

describe('with the default settings', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app, base } = await startStorefront());
  });

  afterAll(async () => {
    await app?.close();
  });

  beforeEach(async () => {
    transport.sent = 0;
    await queryServiceDatabase(postgres.url, 'storefront', 'DELETE FROM stitch_outbox');
  });

  describe('the operator endpoints', () => {
    const replay = (headers: Record<string, string>) =>
      fetch(`${base}/api/dead-letters/replay`, {
        method: 'POST',
        headers: { ...json, ...headers },
        body: JSON.stringify({ source: { kind: 'queue', name: 'order-service' } }),
      });

    it.each([
      ['no token', {}],
      ['a wrong token', { authorization: `Bearer ${operatorToken.slice(0, -1)}x` }],
      ['a wrong token of another length', { authorization: 'Bearer short' }],
      ['the token, but not as a bearer token', { authorization: `Basic ${operatorToken}` }],
    ])('are 401 with %s', async (_case, headers) => {
      for (const response of [await fetch(`${base}/api/dead-letters`, { headers }), await replay(headers)]) {
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ message: 'An operator token is required: Authorization: Bearer <token>' });
        expect(text).not.toContain(operatorToken);
      }
    });

    it('answer with the operator token', async () => {
      const authorization = `Bearer ${operatorToken}`;
      expect((await fetch(`${base}/api/dead-letters`, { headers: { authorization } })).status).toBe(200);
      const replayed = await replay({ authorization });
      expect(replayed.status).toBe(200);
      expect(await replayed.json()).toEqual({ replayed: 0 });
    });
  });

  describe('writes', () => {
    it.each([
      ['/api/users', 'application/x-www-form-urlencoded', 'email=ada%40example.com&name=Ada'],
      [
        '/api/users',
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@example.com\r\n--x--\r\n',
      ],
      ['/api/users', 'text/plain', JSON.stringify(signUp)],
      ['/api/dead-letters/replay', 'application/x-www-form-urlencoded', 'source[kind]=queue&source[name]=order-service'],
    ])('%s refuses a %s body with 415, and sends nothing', async (path, contentType, body) => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${operatorToken}` },
        body,
      });
      expect(response.status).toBe(415);
      expect(await response.json()).toEqual({
        message: 'Invalid request',
        errors: [{ path: '', message: 'the body must be JSON (content-type: application/json)' }],
      });
      expect(await sentOrQueued()).toBe(0);
    });

    it.each([
      ['Origin of another site', { origin: 'http://evil.example' }],
      ['Origin null (a sandboxed frame, a file)', { origin: 'null' }],
      ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ])('refuses a request with %s with 403, form or JSON, and sends nothing', async (_case, headers) => {
      const form = await fetch(`${base}/api/dead-letters/replay`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${operatorToken}`, ...headers },
        body: 'source[kind]=queue&source[name]=order-service',
      });
      expect(form.status).toBe(403);
      const jsonPost = await fetch(`${base}/api/users`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify(signUp) });
      expect(jsonPost.status).toBe(403);
      expect(await jsonPost.json()).toEqual({ message: expect.stringContaining('Cross-site requests are refused') });
      expect(await sentOrQueued()).toBe(0);
    });

    it('takes JSON from the storefront’s own page, and from clients that are not browsers', async () => {
      const ownPage = await fetch(`${base}/api/users`, {
        method: 'POST',
        headers: { ...json, origin: base, 'sec-fetch-site': 'same-origin' },
        body: JSON.stringify(signUp),
      });
      expect(ownPage.status).toBe(201);
      const curl = await fetch(`${base}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(signUp),
      });
      expect(curl.status).toBe(201);
    });

    it('answers no CORS preflight: no Access-Control-* header for another origin', async () => {
      const preflight = await fetch(`${base}/api/users`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://evil.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    });
  });

  describe('headers', () => {
    it.each(['/', '/js/main.mjs', '/api/products', '/health/live', '/asyncapi.json'])(
      '%s carries the security headers and no X-Powered-By',
      async (path) => {
        const response = await fetch(`${base}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('x-powered-by')).toBeNull();
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
        const csp = response.headers.get('content-security-policy') ?? '';
        for (const directive of [
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          "connect-src 'self'",
          "frame-ancestors 'none'",
          "object-src 'none'",
        ]) {
          expect(csp).toContain(directive);
        }
        expect(csp).not.toContain('unsafe');
      },
    );

    it('/docs lets Swagger UI’s inline styles through, and nothing else', async () => {
      const csp = (await fetch(`${base}/docs`)).headers.get('content-security-policy') ?? '';
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
    });

    it('/asyncapi lets the renderer evaluate the validators it compiles, and nothing else', async () => {
      const response = await fetch(`${base}/asyncapi`);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self' 'unsafe-eval';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
    });
  });
});

describe('the rate limit', () => {
  it('throttles POSTs past the default 60 a minute per client with 429 and Retry-After; reads go on', async () => {
    const { app, base } = await startStorefront();
    try {
      // Invalid sign-ups: counted like any other POST, and nothing is published for them.
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) {
        statuses.push((await fetch(`${base}/api/users`, { method: 'POST', headers: json, body: '{}' })).status);
      }
      expect(statuses.slice(0, 60).every((status) => status === 400)).toBe(true);
      expect(statuses[60]).toBe(429);
      const throttled = await fetch(`${base}/api/orders`, { method: 'POST', headers: json, body: '{}' });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await throttled.json()).toEqual({ message: expect.stringContaining('Too many requests') });
      // X-Forwarded-For is nobody's word here (TRUST_PROXY is off): still the same client.
      expect(
        (await fetch(`${base}/api/users`, { method: 'POST', headers: { ...json, 'x-forwarded-for': '203.0.113.7' }, body: '{}' })).status,
      ).toBe(429);
      expect((await fetch(`${base}/api/products`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('behind a proxy', () => {
  const post = (base: string, forwardedFor: string) =>
    fetch(`${base}/api/users`, { method: 'POST', headers: { ...json, 'x-forwarded-for': forwardedFor }, body: '{}' }).then(
      (response) => response.status,
    );

  it('ignores X-Forwarded-For unless TRUST_PROXY trusts the proxy it came through', async () => {
    const untrusted = await startStorefront({ RATE_LIMIT_POSTS_PER_MINUTE: '2' });
    try {
      expect([
        await post(untrusted.base, '198.51.100.1'),
        await post(untrusted.base, '198.51.100.2'),
        await post(untrusted.base, '198.51.100.3'),
      ]).toEqual([400, 400, 429]);
    } finally {
      await untrusted.app.close();
    }
    const trusted = await startStorefront({ RATE_LIMIT_POSTS_PER_MINUTE: '2', TRUST_PROXY: 'loopback' });
    try {
      expect([
        await post(trusted.base, '198.51.100.1'),
        await post(trusted.base, '198.51.100.2'),
        await post(trusted.base, '198.51.100.3'),
      ]).toEqual([400, 400, 400]);
      expect([await post(trusted.base, '198.51.100.1'), await post(trusted.base, '198.51.100.1')]).toEqual([400, 429]);
    } finally {
      await trusted.app.close();
    }
  });
});

describe('configured otherwise', () => {
  it('without an operator token, keeps the operator endpoints closed', async () => {
    const { app, base } = await startStorefront({ OPERATOR_TOKEN: undefined });
    try {
      const response = await fetch(`${base}/api/dead-letters`, { headers: { authorization: 'Bearer anything-at-all-1234' } });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: 'Operator endpoints are closed: no OPERATOR_TOKEN is configured' });
    } finally {
      await app.close();
    }
  });

  it('takes writes from an allowed origin, answering its CORS preflight', async () => {
    const { app, base } = await startStorefront({ ALLOWED_ORIGINS: 'https://shop.example' });
    try {
      const preflight = await fetch(`${base}/api/users`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example');
      const allowed = await fetch(`${base}/api/users`, {
        method: 'POST',
        headers: { ...json, origin: 'https://shop.example', 'sec-fetch-site': 'cross-site' },
        body: JSON.stringify(signUp),
      });
      expect(allowed.status).toBe(201);
      const other = await fetch(`${base}/api/users`, {
        method: 'POST',
        headers: { ...json, origin: 'http://evil.example' },
        body: JSON.stringify(signUp),
      });
      expect(other.status).toBe(403);
    } finally {
      await app.close();
    }
  });
});
