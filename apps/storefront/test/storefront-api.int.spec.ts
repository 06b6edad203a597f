import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { shopAsyncApiOptions, shopCatalogue } from '@stitch/contracts';
import type { Topology } from '@stitch/messaging-catalogue';
import {
  asyncApiDocument,
  createEnvelope,
  toOutgoingMessage,
  type DeadLetteredMessage,
  type Destination,
  type IncomingMessage,
  type OutgoingMessage,
  type Source,
} from '@stitch/messaging-core';
import { InMemoryTransport, readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { envelopeOf } from '@stitch/messaging-testing';
import { runService } from '@stitch/persistence';
import { queryServiceDatabase, startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import { Storefront } from '../src/app.module';
import { openEventStream } from './support/sse';
import { newOrderId } from '../src/orders/order-id';
import { StubServices, stubProducts } from './support/stub-services';

/** The in-memory transport, remembering everything handed to it, so a test can say "nothing was sent". */
class RecordingTransport extends InMemoryTransport {
  readonly sent: { destination: Destination; message: OutgoingMessage }[] = [];
  /** Set to make every send fail after it was recorded, as a broker that cannot be reached. */
  failing: Error | undefined;

  constructor(topology: Topology) {
    super(topology);
  }

  override async send(destination: Destination, messages: readonly OutgoingMessage[]): Promise<void> {
    for (const message of messages) this.sent.push({ destination, message });
    if (this.failing) throw this.failing;
    await super.send(destination, messages);
  }
}

const transport = new RecordingTransport(shopCatalogue.topology());

let stubs: StubServices;
let postgres: TestPostgres;
let app: INestApplication;
let base: string;
const line = { sku: 'TEE-WHT-M', quantity: 1 };
const savedEnv = { ...process.env };
const SESSION_SECRET = 'a-test-key-of-the-storefront-int-spec-0123456789';

/** A customer who signed up: their id and the session cookie the storefront gave the browser. */
interface Customer {
  readonly userId: string;
  readonly cookie: string;
}

/** Ada, signed up once; the customer of most tests. */
let ada: Customer;
let userId: string;

async function signUp(name = 'Ada'): Promise<Customer> {
  const response = await post('/api/users', { email: `${name.toLowerCase()}-${randomUUID()}@example.com`, name });
  expect(response.status).toBe(201);
  const cookie = response.headers.getSetCookie().find((header) => header.startsWith('stitch_session='));
  if (!cookie) throw new Error('sign-up gave no session cookie');
  return { userId: ((await response.json()) as { userId: string }).userId, cookie: cookie.split(';')[0]! };
}
const operatorToken = `operator-${randomUUID()}`;

beforeAll(async () => {
  [stubs, postgres] = await Promise.all([StubServices.start(), startTestPostgres()]);
  Object.assign(process.env, {
    DATABASE_URL: postgres.url,
    SESSION_SECRET,
    INVENTORY_URL: stubs.inventoryUrl,
    ORDER_URL: stubs.orderUrl,
    NOTIFICATION_URL: stubs.notificationUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    INSTANCE_ID: 'storefront-1',
    LOG_LEVEL: 'silent',
    MESSAGING_TRANSPORT: 'local',
    OPERATOR_TOKEN: operatorToken,
    // These tests post far more than a shopper would; the default limit is proven in storefront-security.int.spec.ts.
    RATE_LIMIT_POSTS_PER_MINUTE: '100000',
  });
  app = await runService(Storefront, { transports: { local: () => transport }, defaultPort: 0 });
  base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  ada = await signUp('Ada');
  userId = ada.userId;
  await until("the relay to send Ada's UserSignedUp", () => transport.sent.length > 0);
});

afterAll(async () => {
  await app?.close();
  await Promise.all([stubs?.close(), postgres?.stop()]);
  process.env = savedEnv;
});

beforeEach(async () => {
  // What an earlier test put in the outbox has gone out, and what it sent to the order queue is taken off it, before
  // this one looks: a test that failed before draining the queue would otherwise hand its PlaceOrder to the next.
  await drainOrderQueue();
  transport.sent.length = 0;
});

// After every test, passed or failed: a transport left failing would keep the next beforeEach's outbox from emptying.
afterEach(() => {
  transport.failing = undefined;
  stubs.inventoryFailing = false;
});

/** Waits until the outbox relay has sent every committed row. */
async function settleOutbox(): Promise<void> {
  await until('the relay to send every committed row', async () => (await outboxRows()) === 0, {
    timeoutMs: 10_000,
    state: async () => `${await outboxRows()} rows left`,
  });
}

async function outboxRows(): Promise<number> {
  const [row] = await queryServiceDatabase<{ count: string }>(postgres.url, 'storefront', 'SELECT count(*) AS count FROM stitch_outbox');
  return Number(row!.count);
}

/** A POST as a customer (their session cookie), with other headers (the operator's token), or anonymous. */
function post(path: string, body: unknown, as?: Customer | Record<string, string>): Promise<Response> {
  const headers = as === undefined ? {} : 'cookie' in as && 'userId' in as ? { cookie: as.cookie } : (as as Record<string, string>);
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function get(path: string, customer?: Customer): Promise<Response> {
  return fetch(`${base}${path}`, { headers: customer ? { cookie: customer.cookie } : {} });
}

/** Places an order as `customer` (Ada unless told) */
function order(body: unknown, customer: Customer = ada): Promise<Response> {
  return post('/api/orders', body, customer);
}

const asOperator = { authorization: `Bearer ${operatorToken}` };

/** Everything waiting at a source, completed. */
async function drain(source: Source): Promise<IncomingMessage[]> {
  const received: IncomingMessage[] = [];
  const receiver = await transport.receive(
    source,
    async (delivery) => {
      received.push(delivery.message);
      await delivery.complete();
    },
    { concurrency: 8, lockMs: 5_000 },
  );
  await until(`${source.kind} ${source.name} to empty`, async () => (await transport.depth(source)) === 0);
  await receiver.close();
  return received;
}

/** Everything the storefront sent to the order queue, completed; its outbox is emptied first, so nothing is still on its way. */
async function drainOrderQueue(): Promise<IncomingMessage[]> {
  await settleOutbox();
  return drain({ kind: 'queue', name: 'order-service' });
}

describe('GET /api/products', () => {
  it('relays inventory-service’s products, prices and stock', async () => {
    const response = await fetch(`${base}/api/products`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(stubProducts);
  });

  it('answers 503 naming inventory-service when it fails', async () => {
    stubs.inventoryFailing = true;
    const response = await fetch(`${base}/api/products`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: expect.stringContaining('inventory-service'), service: 'inventory-service' });
  });
});

describe('POST /api/users', () => {
  it('answers 201 with a new user id and publishes UserSignedUp to every subscriber', async () => {
    const response = await post('/api/users', { email: 'ada@example.com', name: 'Ada' });
    expect(response.status).toBe(201);
    const { userId: newUserId } = (await response.json()) as { userId: string };
    expect(newUserId).toMatch(/^[0-9a-f-]{36}$/);
    await until('the relay to send UserSignedUp', () => transport.sent.length > 0);
    expect(transport.sent).toHaveLength(1);
    const [{ destination, message }] = transport.sent as [(typeof transport.sent)[number]];
    expect(destination).toEqual({ kind: 'topic', name: 'events' });
    const envelope = envelopeOf(message.body);
    expect(envelope).toMatchObject({ type: 'storefront.user-signed-up.v1', kind: 'event', source: 'storefront' });
    expect(readStructuredCloudEvent(message.body)).toMatchObject({ source: '/stitch/storefront', type: 'storefront.user-signed-up.v1' });
    expect(envelope.data).toEqual({ userId: newUserId, email: 'ada@example.com', name: 'Ada' });
  });

  it.each([
    [{ name: 'Ada' }, ['email']],
    [{ email: 'not-an-address', name: 'Ada' }, ['email']],
    [{ email: 'ada@example.com', name: '' }, ['name']],
    [{ email: 'ada@example.com', name: 'Ada', admin: true }, ['admin']],
    [{ email: 'ada@example.com', name: 'Ada\u0000' }, ['name']],
    [{ email: 'ada@example.com', name: 'Ada\u0007' }, ['name']],
    [{ email: 'ada@example.com', name: 'Ada \ud83d' }, ['name']],
    [{ email: `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eee.com`, name: 'Ada' }, ['email']],
  ])('refuses %o with a 400 naming %o and publishes nothing', async (body, paths) => {
    const response = await post('/api/users', body);
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { message: string; errors: { path: string }[] };
    expect(answer.message).toBe('Invalid request');
    expect(answer.errors.map((e) => e.path)).toEqual(paths);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await outboxRows()).toBe(0);
    expect(transport.sent).toEqual([]);
  });

  it('gives the browser the customer’s session: an HTTP-only, signed, SameSite=Strict cookie that expires', async () => {
    const response = await post('/api/users', { email: 'grace@example.com', name: 'Grace' });
    const [cookie, ...others] = response.headers.getSetCookie();
    expect(others).toEqual([]);
    const attributes = cookie!.split(/;\s*/);
    // s: marks a value signed by cookie-parser; j: a JSON one.
    expect(decodeURIComponent(attributes[0]!)).toMatch(/^stitch_session=s:j:\{.*\}\.[A-Za-z0-9+/]+$/);
    expect(attributes).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict', expect.stringMatching(/^Expires=/)]));
    // Served over plain http here, so not Secure (SESSION_COOKIE_SECURE=auto).
    expect(attributes).not.toContain('Secure');
    const expires = Date.parse(attributes.find((part) => part.startsWith('Expires='))!.slice('Expires='.length));
    expect(expires - Date.now()).toBeGreaterThan(6 * 24 * 3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(7 * 24 * 3_600_000);
  });
});

describe('customer sessions', () => {
  const routes: [string, (customer?: Customer) => Promise<Response>][] = [
    ['POST /api/orders', (customer) => post('/api/orders', { items: [line] }, customer)],
    ['GET /api/orders/:id', (customer) => get(`/api/orders/${'019aa000-0000-7000-8000-0000000000aa'}`, customer)],
    ['GET /api/notifications', (customer) => get('/api/notifications', customer)],
  ];

  it.each(routes)('%s without a session is 401 with a JSON error, and sends nothing', async (_route, call) => {
    const response = await call();
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ message: expect.stringContaining('Sign up first') });
    expect(await outboxRows()).toBe(0);
    expect(stubs.openNotificationStreams).toBe(0);
  });

  it.each(routes)('%s with a forged, tampered or unsigned session is 401', async (_route, call) => {
    const [name, value] = ada.cookie.split('=') as [string, string];
    const decoded = decodeURIComponent(value);
    const someoneElse = randomUUID();
    const forged = [
      `${name}=${encodeURIComponent(decoded.replace(ada.userId, someoneElse))}`,
      `${name}=${encodeURIComponent(`j:${JSON.stringify({ c: someoneElse, exp: Date.now() + 60_000 })}`)}`,
      `${name}=${encodeURIComponent(decoded.slice(0, -3))}`,
    ];
    for (const cookie of forged)
      expect({ cookie, status: (await call({ userId: someoneElse, cookie })).status }).toEqual({ cookie, status: 401 });
  });

  it('refuses an order for another customer with 403, and sends nothing', async () => {
    const grace = await signUp('Grace');
    await settleOutbox();
    transport.sent.length = 0;
    const response = await order({ userId: grace.userId, items: [line] }, ada);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: expect.stringContaining('not the customer of this session') });
    expect(await outboxRows()).toBe(0);
    expect(transport.sent).toEqual([]);
  });

  it('places an order for the session’s customer when the body names none', async () => {
    const response = await order({ items: [line] });
    expect(response.status).toBe(202);
    const [queued] = await drainOrderQueue();
    expect((envelopeOf(queued!.body).data as { userId: string }).userId).toBe(ada.userId);
  });
});

describe('a body the storefront cannot read', () => {
  const send = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/api/orders`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: ada.cookie, ...headers }, body });

  it.each([
    ['not JSON', '{"userId": "4242424242424242"', {}, 400, 'the body is not valid JSON (an object is expected)'],
    ['JSON but not an object', '"4242424242424242"', {}, 400, 'the body is not valid JSON (an object is expected)'],
    [
      'over 100 kB',
      JSON.stringify({ userId, items: [line], note: 'x'.repeat(110_000) }),
      {},
      413,
      'the body is larger than the 102400 bytes allowed',
    ],
    [
      'in an unsupported charset',
      '{}',
      { 'content-type': 'application/json; charset=latin9' },
      415,
      'the charset latin9 is not supported; send utf-8',
    ],
    [
      'compressed with an unsupported encoding',
      '{}',
      { 'content-encoding': 'compress' },
      415,
      'the content-encoding compress is not supported',
    ],
  ])('%s: answered naming the body, without quoting it, and nothing is sent', async (_case, body, headers, status, problem) => {
    const response = await send(body, headers);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message: 'Invalid request', errors: [{ path: '', message: problem }] });
    expect(transport.sent).toEqual([]);
  });

  it('a path that is not valid percent-encoding: 400 in the same shape, without quoting it', async () => {
    const response = await get('/api/orders/%FF', ada);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      message: 'Invalid request',
      errors: [{ path: '', message: 'a path parameter is not valid percent-encoding' }],
    });
    expect(text).not.toContain('%FF');
  });
});

describe('POST /api/orders', () => {
  it('sends exactly one PlaceOrder to the order queue, priced by inventory, with a token instead of the card', async () => {
    const card = '4000 0000 0000 0002';
    const response = await order({
      userId,
      items: [
        { sku: 'TEE-WHT-M', quantity: 2 },
        { sku: 'SCARF-LTD', quantity: 1 },
      ],
      card,
    });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as { orderId: string; status: string };
    expect(accepted).toEqual({ orderId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7/), status: 'pending' });

    const queued = await drainOrderQueue();
    expect(queued).toHaveLength(1);
    expect(transport.sent.map((s) => s.destination)).toEqual([{ kind: 'queue', name: 'order-service' }]);
    const envelope = envelopeOf(queued[0]!.body);
    expect(envelope).toMatchObject({ type: 'order.place-order.v1', kind: 'command', source: 'storefront' });
    // The checkout's correlation id, which the live view filters on, is the one the answer names.
    expect(readStructuredCloudEvent(queued[0]!.body).correlationid).toBe(response.headers.get('x-correlation-id'));
    expect(envelope.data).toEqual({
      orderId: accepted.orderId,
      userId,
      items: [
        { sku: 'TEE-WHT-M', quantity: 2, unitPriceCents: 1_999 },
        { sku: 'SCARF-LTD', quantity: 1, unitPriceCents: 3_500 },
      ],
      paymentMethod: { token: 'tok_chargeDeclined', last4: '0002' },
    });
    const everything = JSON.stringify({ queued, sent: transport.sent });
    expect(everything).not.toContain('4000000000000002');
    expect(everything).not.toContain('4000 0000 0000 0002');
  });

  it('pays with the provider’s test card when the order has none', async () => {
    expect((await order({ userId, items: [{ sku: 'HOODIE-GRY-M', quantity: 1 }] })).status).toBe(202);
    const [queued] = await drainOrderQueue();
    expect((envelopeOf(queued!.body).data as { paymentMethod: unknown }).paymentMethod).toEqual({
      token: 'tok_visa',
      last4: '4242',
    });
  });

  it.each([
    ['a user id that is no UUID', { userId: 'ada', items: [line] }, ['userId']],
    ['no lines', { userId, items: [] }, ['items']],
    ['a quantity of zero', { userId, items: [{ sku: 'TEE-WHT-M', quantity: 0 }] }, ['items.0.quantity']],
    ['a quantity that is text', { userId, items: [{ sku: 'TEE-WHT-M', quantity: 'two' }] }, ['items.0.quantity']],
    ['a malformed SKU', { userId, items: [{ sku: 'tee white', quantity: 1 }] }, ['items.0.sku']],
    ['a SKU inventory does not sell', { userId, items: [line, { sku: 'KILT-XL', quantity: 1 }] }, ['items.1.sku']],
    ['a price from the client', { userId, items: [{ ...line, unitPriceCents: 1 }] }, ['items.0.unitPriceCents']],
    ['a card failing the Luhn check', { userId, items: [line], card: '4242 4242 4242 4241' }, ['card']],
    ['a card too short', { userId, items: [line], card: '42424242' }, ['card']],
  ])('refuses %s with a 400 naming the field and sends nothing', async (_, body, paths) => {
    const response = await order(body);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect((JSON.parse(text) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(paths);
    if ('card' in body) expect(text).not.toContain(String(body.card).replace(/\s/g, '').slice(0, 12));
    expect(await outboxRows()).toBe(0);
    expect(transport.sent).toEqual([]);
  });

  it('answers 503 and sends nothing when inventory cannot price the order', async () => {
    stubs.inventoryFailing = true;
    const response = await order({ userId, items: [line] });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { service: string }).service).toBe('inventory-service');
    expect(await outboxRows()).toBe(0);
    expect(transport.sent).toEqual([]);
  });

  it('accepts the order while the transport cannot take it: the outbox sends PlaceOrder once it is back', async () => {
    transport.failing = new Error('connect ECONNREFUSED 127.0.0.1:4566');
    const orderId = newOrderId();
    const response = await order({ userId, items: [line], orderId });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ orderId, status: 'pending' });
    await until('the relay to try sending PlaceOrder', () => transport.sent.length > 0);
    expect(await outboxRows()).toBe(1);
    transport.failing = undefined;
    await settleOutbox();
    const queued = await drainOrderQueue();
    expect(queued.map((message) => (envelopeOf(message.body).data as { orderId: string }).orderId)).toEqual([orderId]);
  });
});

describe('POST /api/orders with the client’s order id (idempotency key)', () => {
  const orderIds = async () => (await drainOrderQueue()).map((message) => (envelopeOf(message.body).data as { orderId: string }).orderId);

  it('places the order once however often it is retried, each retry answered as the first', async () => {
    const orderId = newOrderId();
    const body = { items: [line, { sku: 'SCARF-LTD', quantity: 1 }], orderId, card: '4242 4242 4242 4242' };
    const first = await order(body);
    expect(first.status).toBe(202);
    const firstBody = await first.json();
    expect(firstBody).toEqual({ orderId, status: 'pending' });
    // The same order again, its fields in another order and the card typed differently: the same answer, nothing sent.
    for (const retry of [body, { card: '4242424242424242', orderId, items: body.items }]) {
      const response = await order(retry);
      expect({ status: response.status, body: await response.json() }).toEqual({ status: 202, body: firstBody });
    }
    await settleOutbox();
    expect(await orderIds()).toEqual([orderId]);
  });

  it('answers 409 naming the order id to the same id with a different order, and sends nothing for it', async () => {
    const orderId = newOrderId();
    expect((await order({ items: [line], orderId })).status).toBe(202);
    for (const different of [
      { items: [{ ...line, quantity: 2 }], orderId },
      { items: [line], orderId, card: '4000 0000 0000 0002' },
    ]) {
      const response = await order(different);
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({
        message: expect.stringContaining(`Order id ${orderId} is already used by a different order`),
        orderId,
      });
    }
    // The first order, replayed, still answers as the first time.
    expect((await order({ items: [line], orderId })).status).toBe(202);
    await settleOutbox();
    expect(await orderIds()).toEqual([orderId]);
  });

  it('answers 409 to another customer using a taken order id, even with the same lines', async () => {
    const grace = await signUp('Grace');
    const orderId = newOrderId();
    expect((await order({ items: [line], orderId }, ada)).status).toBe(202);
    const response = await order({ items: [line], orderId }, grace);
    expect(response.status).toBe(409);
    await settleOutbox();
    expect(await orderIds()).toEqual([orderId]);
  });

  it('places concurrent requests with the same id once: one transaction records the key and its PlaceOrder, the rest wait and replay', async () => {
    const orderId = newOrderId();
    const body = { items: [line], orderId };
    const answers = await Promise.all(Array.from({ length: 8 }, () => order(body)));
    expect(answers.map((response) => response.status)).toEqual(Array(8).fill(202));
    expect(new Set(await Promise.all(answers.map((response) => response.text())))).toEqual(
      new Set([JSON.stringify({ orderId, status: 'pending' })]),
    );
    await settleOutbox();
    expect(await orderIds()).toEqual([orderId]);
    expect(
      await queryServiceDatabase(postgres.url, 'storefront', 'SELECT customer_id FROM idempotency_key WHERE order_id = $1', [orderId]),
    ).toEqual([{ customer_id: ada.userId }]);
  });

  it('answers 409 to concurrent requests with the same id and different orders, placing exactly one of them', async () => {
    const orderId = newOrderId();
    const answers = await Promise.all([1, 2, 3, 4].map((quantity) => order({ items: [{ ...line, quantity }], orderId })));
    expect(answers.map((response) => response.status).sort()).toEqual([202, 409, 409, 409]);
    await settleOutbox();
    expect(await orderIds()).toEqual([orderId]);
  });
});

describe('GET /api/orders/:id', () => {
  const stored = (orderId: string, customerId: string) => ({
    orderId,
    userId: customerId,
    status: 'cancelled' as const,
    reason: 'payment declined',
    items: [{ sku: 'TEE-WHT-M', quantity: 1, unitPriceCents: 1_999 }],
    totalCents: 1_999,
    correlationId: `checkout-${orderId}`,
    placedAt: '2026-12-01T10:00:00.000Z',
  });

  it('answers the customer’s own order as order-service has it, with its checkout and when it was placed, without its customer id', async () => {
    const orderId = '0196f6a0-0000-7000-8000-000000000001';
    stubs.orders.set(orderId, stored(orderId, ada.userId));
    const response = await get(`/api/orders/${orderId}`, ada);
    expect(response.status).toBe(200);
    const { userId: _customer, ...shown } = stored(orderId, ada.userId);
    expect(await response.json()).toEqual(shown);
  });

  it('is 404 for another customer’s order, exactly as for one that does not exist', async () => {
    const grace = await signUp('Grace');
    const orderId = '0196f6a0-0000-7000-8000-000000000002';
    stubs.orders.set(orderId, stored(orderId, ada.userId));
    const theirs = await get(`/api/orders/${orderId}`, grace);
    const none = await get('/api/orders/0196f6a0-0000-7000-8000-000000000003', grace);
    expect([theirs.status, none.status]).toEqual([404, 404]);
    expect(await theirs.json()).toEqual({ message: `No order ${orderId}` });
  });

  it('reads pending for the customer’s order just accepted that order-service has not stored yet, with its checkout; 404 to anyone else', async () => {
    const accepted = await order({ items: [line] });
    const { orderId } = (await accepted.json()) as { orderId: string };
    const response = await get(`/api/orders/${orderId}`, ada);
    expect(response.status).toBe(200);
    const shown = (await response.json()) as Record<string, unknown>;
    expect(shown).toEqual({
      orderId,
      status: 'pending',
      items: [],
      totalCents: 0,
      correlationId: accepted.headers.get('x-correlation-id'),
      placedAt: expect.any(String),
    });
    expect(Math.abs(Date.parse(shown['placedAt'] as string) - Date.now())).toBeLessThan(60_000);
    expect((await get(`/api/orders/${orderId}`, await signUp('Grace'))).status).toBe(404);
  });

  it('answers an order exactly as GET /api/orders lists it: on its way, or at order-service with or without its checkout', async () => {
    const linus = await signUp('Linus');
    const place = async () => {
      const accepted = await order({ items: [line] }, linus);
      const { orderId } = (await accepted.json()) as { orderId: string };
      return { orderId, correlationId: accepted.headers.get('x-correlation-id')! };
    };
    const shown = ({ userId: _customer, ...view }: ReturnType<typeof stored>) => view;
    const withoutCheckout = <T extends { correlationId?: string }>({ correlationId: _notKept, ...order }: T) => order;
    const onItsWay = await place();
    const kept = stored('0196f6a0-0000-7000-8000-000000000004', linus.userId);
    stubs.orders.set(kept.orderId, kept);
    // Stored by an order-service that does not keep correlation ids: the storefront gives the checkout of an order
    // placed here within the pending window, as the list does, and of none placed before it.
    const remembered = await place();
    const forgotten = await place();
    stubs.orders.set(remembered.orderId, withoutCheckout(stored(remembered.orderId, linus.userId)));
    stubs.orders.set(forgotten.orderId, withoutCheckout(stored(forgotten.orderId, linus.userId)));
    await queryServiceDatabase(
      postgres.url,
      'storefront',
      "UPDATE idempotency_key SET created_at = now() - interval '1 hour' WHERE order_id = $1",
      [forgotten.orderId],
    );

    const listed = (await (await get('/api/orders', linus)).json()) as Array<{ orderId: string }>;
    const alone = (await Promise.all(
      listed.map(async ({ orderId }) => (await get(`/api/orders/${orderId}`, linus)).json()),
    )) as typeof listed;

    expect(alone).toEqual(listed);
    expect(Object.fromEntries(alone.map((answer) => [answer.orderId, answer]))).toEqual({
      [onItsWay.orderId]: {
        orderId: onItsWay.orderId,
        status: 'pending',
        items: [],
        totalCents: 0,
        correlationId: onItsWay.correlationId,
        placedAt: expect.any(String),
      },
      [kept.orderId]: shown(kept),
      [remembered.orderId]: { ...shown(stored(remembered.orderId, linus.userId)), correlationId: remembered.correlationId },
      [forgotten.orderId]: withoutCheckout(shown(stored(forgotten.orderId, linus.userId))),
    });
  });

  it('is 404 for an unknown order, even a young one never accepted here', async () => {
    expect((await get('/api/orders/0186f6a0-0000-7000-8000-000000000001', ada)).status).toBe(404);
    expect((await get('/api/orders/3b241101-e2bb-4255-8caf-4136c566a962', ada)).status).toBe(404);
    expect((await get(`/api/orders/${newOrderId()}`, ada)).status).toBe(404);
  });

  it('is 400 naming the id when it is not a UUID', async () => {
    const response = await get('/api/orders/order-1', ada);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Invalid request', errors: [{ path: 'id', message: expect.any(String) }] });
  });
});

describe('GET /api/orders', () => {
  it('lists the session customer’s orders newest first: order-service’s, and the one still on its way as pending, each with its checkout', async () => {
    const linus = await signUp('Linus');
    const grace = await signUp('Grace');
    const older = {
      orderId: '0196f6a0-0000-7000-8000-00000000a001',
      userId: linus.userId,
      status: 'confirmed' as const,
      items: [{ sku: 'TEE-WHT-M', quantity: 2, unitPriceCents: 1_999 }],
      totalCents: 3_998,
      correlationId: 'checkout-older',
      placedAt: '2026-12-01T10:00:00.000Z',
    };
    const newer = {
      ...older,
      orderId: '0196f6a0-0000-7000-8000-00000000a002',
      status: 'cancelled' as const,
      reason: 'payment declined',
      correlationId: 'checkout-newer',
      placedAt: '2026-12-01T11:00:00.000Z',
    };
    stubs.orders.set(older.orderId, older);
    stubs.orders.set(newer.orderId, newer);
    stubs.orders.set('0196f6a0-0000-7000-8000-00000000a003', {
      ...older,
      orderId: '0196f6a0-0000-7000-8000-00000000a003',
      userId: grace.userId,
    });
    const accepted = await order({ items: [line] }, linus);
    const { orderId } = (await accepted.json()) as { orderId: string };

    const response = await get('/api/orders', linus);

    expect(response.status).toBe(200);
    const listed = (await response.json()) as Array<Record<string, unknown>>;
    const { userId: _older, ...olderShown } = older;
    const { userId: _newer, ...newerShown } = newer;
    expect(listed).toEqual([
      {
        orderId,
        status: 'pending',
        items: [],
        totalCents: 0,
        correlationId: accepted.headers.get('x-correlation-id'),
        placedAt: expect.any(String),
      },
      newerShown,
      olderShown,
    ]);
    expect(Math.abs(Date.parse(listed[0]!['placedAt'] as string) - Date.now())).toBeLessThan(60_000);
  });

  it('lists an order once order-service has it, with order-service’s state and the checkout the storefront remembers', async () => {
    const linus = await signUp('Linus');
    const accepted = await order({ items: [line] }, linus);
    const { orderId } = (await accepted.json()) as { orderId: string };
    const correlationId = accepted.headers.get('x-correlation-id')!;
    const stored = {
      orderId,
      userId: linus.userId,
      status: 'confirmed' as const,
      items: [{ sku: 'TEE-WHT-M', quantity: 1, unitPriceCents: 1_999 }],
      totalCents: 1_999,
      placedAt: new Date().toISOString(),
    };
    // Stored by an order-service that does not give the correlation id: the storefront remembers it.
    stubs.orders.set(orderId, stored);

    const { userId: _customer, ...shown } = stored;
    expect(await (await get('/api/orders', linus)).json()).toEqual([{ ...shown, correlationId }]);
  });

  it('is an empty list for a customer without orders, and 401 without a session', async () => {
    expect(await (await get('/api/orders', await signUp('Edsger'))).json()).toEqual([]);
    const anonymous = await get('/api/orders');
    expect(anonymous.status).toBe(401);
  });
});

describe('GET /api/flow', () => {
  it('streams every record published on the transport’s flow channel', async () => {
    const stream = await openEventStream(`${base}/api/flow`);
    try {
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
      const records = [
        {
          messageId: 'm-1',
          type: 'order.place-order.v1',
          kind: 'command',
          from: 'storefront',
          to: 'order-service',
          instance: 'order-service-2',
          at: new Date().toISOString(),
          outcome: 'handled',
        },
        {
          messageId: 'm-2',
          type: 'order.order-placed.v1',
          kind: 'event',
          from: 'order-service',
          to: 'notification-service',
          instance: 'notification-service-1',
          at: new Date().toISOString(),
          outcome: 'retried',
        },
        {
          messageId: 'm-1',
          type: 'order.place-order.v1',
          kind: 'command',
          from: 'storefront',
          to: 'order-service',
          instance: 'order-service-1',
          correlationId: 'checkout-7',
          traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
          at: new Date().toISOString(),
          outcome: 'duplicate',
        },
      ];
      await transport.flow.publish(records.map((record) => JSON.stringify(record)));
      await transport.flow.publish(['not json', JSON.stringify({ messageId: 'm-3' })]);
      const events = await stream.take(3);
      // Each with its message's name in the catalogue beside the versioned type.
      const names: Record<string, string> = { 'order.place-order.v1': 'PlaceOrder', 'order.order-placed.v1': 'OrderPlaced' };
      expect(events.map((event) => JSON.parse(event))).toEqual(records.map((record) => ({ ...record, name: names[record.type] })));
    } finally {
      stream.close();
    }
  });
});

describe('GET /api/flow/recent', () => {
  it('answers the records already streamed, oldest first, and what each replica handled, for a page that loads later', async () => {
    const before = (await (await fetch(`${base}/api/flow/recent`)).json()) as { records: unknown[] };
    const stream = await openEventStream(`${base}/api/flow`);
    const record = (messageId: string, instance: string, outcome: string) => ({
      messageId,
      type: 'inventory.reserve-stock.v1',
      kind: 'command',
      from: 'order-service',
      to: 'inventory-service',
      instance,
      correlationId: 'checkout-recent',
      at: new Date().toISOString(),
      outcome,
    });
    const published = [
      record('recent-1', 'inventory-service-41', 'handled'),
      record('recent-2', 'inventory-service-41', 'retried'),
      record('recent-2', 'inventory-service-42', 'handled'),
    ];
    const started = {
      event: 'replica-started',
      service: 'inventory-service',
      instance: 'inventory-service-42',
      restarts: 1,
      at: new Date().toISOString(),
    };
    try {
      await transport.flow.publish([...published, started].map((r) => JSON.stringify(r)));
      await stream.take(4);
    } finally {
      stream.close();
    }

    const response = await fetch(`${base}/api/flow/recent`);

    expect(response.status).toBe(200);
    const recent = (await response.json()) as { since: string; records: unknown[]; counters: Array<{ instance: string }> };
    expect(recent.records).toEqual([...before.records, ...published.map((r) => ({ ...r, name: 'ReserveStock' })), started]);
    expect(recent.counters.filter((counter) => counter.instance.startsWith('inventory-service-4'))).toEqual([
      {
        instance: 'inventory-service-41',
        service: 'inventory-service',
        command: 1,
        event: 0,
        duplicate: 0,
        retried: 1,
        deadLettered: 0,
        restarts: 0,
      },
      {
        instance: 'inventory-service-42',
        service: 'inventory-service',
        command: 1,
        event: 0,
        duplicate: 0,
        retried: 0,
        deadLettered: 0,
        restarts: 1,
      },
    ]);
    expect(Date.parse(recent.since)).toBeLessThanOrEqual(Date.now());
  });
});

describe('GET /api/notifications', () => {
  it('relays notification-service’s stream of the session’s customer only', async () => {
    const stream = await openEventStream(`${base}/api/notifications`, { cookie: ada.cookie });
    try {
      expect(stream.response.status).toBe(200);
      expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
      expect(stubs.notificationQueries.at(-1)?.get('userId')).toBe(ada.userId);
      stubs.notify({ kind: 'order', userId: ada.userId, orderId: 'o-1', status: 'confirmed' });
      expect((await stream.take(1)).map((event) => JSON.parse(event))).toEqual([
        { kind: 'order', userId: ada.userId, orderId: 'o-1', status: 'confirmed' },
      ]);
    } finally {
      stream.close();
    }
  });

  it('never relays another customer’s notifications, whatever userId the browser asks for', async () => {
    const grace = await signUp('Grace');
    // Grace asks for Ada's stream, and for the global one: she gets her own.
    const asked = await openEventStream(`${base}/api/notifications?userId=${ada.userId}`, { cookie: grace.cookie });
    const plain = await openEventStream(`${base}/api/notifications`, { cookie: grace.cookie });
    try {
      expect([asked.response.status, plain.response.status]).toEqual([200, 200]);
      expect(stubs.notificationQueries.slice(-2).map((query) => query.get('userId'))).toEqual([grace.userId, grace.userId]);
      stubs.notify({ kind: 'order-status', userId: ada.userId, orderId: 'o-ada', totalCents: 9_999, text: 'Ada’s order is confirmed' });
      stubs.notify({ kind: 'order-status', userId: grace.userId, orderId: 'o-grace', text: 'Grace’s order is confirmed' });
      for (const stream of [asked, plain])
        expect((await stream.take(1)).map((event) => (JSON.parse(event) as { orderId: string }).orderId)).toEqual(['o-grace']);
    } finally {
      asked.close();
      plain.close();
    }
  });

  it('passes a reconnecting browser’s Last-Event-ID through, and none when it sends none', async () => {
    const resumed = await openEventStream(`${base}/api/notifications`, { 'last-event-id': '42', cookie: ada.cookie });
    resumed.close();
    expect(stubs.notificationLastEventIds.at(-1)).toBe('42');
    const fresh = await openEventStream(`${base}/api/notifications`, { cookie: ada.cookie });
    fresh.close();
    expect(stubs.notificationLastEventIds.at(-1)).toBeUndefined();
  });
});

describe('the dead-letter API', () => {
  const orderQueue: Source = { kind: 'queue', name: 'order-service' };
  const emailEvents: Source = { kind: 'subscription', topic: 'events', name: 'email-service' };

  /** A message failed by a consumer of `source`, as the messaging core dead-letters it. */
  async function deadLetterOn(
    destination: Destination,
    source: Source,
    type: string,
    reason = 'HandlerFailed',
  ): Promise<{ id: string; messageId: string }> {
    const envelope = createEnvelope(
      { type, kind: destination.kind === 'queue' ? 'command' : 'event', source: 'storefront', data: {} },
      { correlationId: `corr-${randomUUID()}` },
    );
    await transport.send(destination, [toOutgoingMessage(envelope)]);
    const receiver = await transport.receive(source, (delivery) => delivery.deadLetter(reason, 'boom'), { concurrency: 1, lockMs: 5_000 });
    let found: DeadLetteredMessage | undefined;
    try {
      await until(`${type} ${envelope.id} dead-lettered on ${source.name}`, async () => {
        found = (await transport.deadLetters.list(source)).find((dead) => dead.message.messageId === envelope.id);
        return found !== undefined;
      });
    } finally {
      await receiver.close();
    }
    return { id: (found as DeadLetteredMessage).id, messageId: envelope.id };
  }

  // Earlier tests leave messages on the subscriptions (the order queue is drained before every test); each test here
  // starts from none.
  beforeEach(async () => {
    for (const source of [orderQueue, emailEvents]) await transport.deadLetters.purge(source);
    for (const service of ['order-service', 'email-service', 'notification-service'])
      await drain({ kind: 'subscription', topic: 'events', name: service });
  });

  it('lists every queue and subscription of the shop with its dead letters', async () => {
    const failed = await deadLetterOn({ kind: 'queue', name: 'order-service' }, orderQueue, 'order.place-order.v1');

    const response = await fetch(`${base}/api/dead-letters`, { headers: asOperator });

    expect(response.status).toBe(200);
    const body = (await response.json()) as { source: Source; count: number; messages: Record<string, unknown>[] }[];
    const topology = shopCatalogue.topology();
    expect(body).toHaveLength(topology.queues.length + topology.topic.subscriptions.length);
    expect(body.find((entry) => entry.source.kind === 'subscription' && entry.source.name === 'email-service')).toEqual({
      source: emailEvents,
      count: 0,
      messages: [],
    });
    expect(body.find((entry) => entry.source.kind === 'queue' && entry.source.name === 'order-service')).toEqual({
      source: orderQueue,
      count: 1,
      messages: [
        {
          id: failed.id,
          messageId: failed.messageId,
          type: 'order.place-order.v1',
          reason: 'HandlerFailed',
          description: 'boom',
          attempts: 1,
          deadLetteredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
          correlationId: expect.stringMatching(/^corr-/),
        },
      ],
    });
  });

  it('shows a reason without stack frames, absolute paths or source positions', async () => {
    const stack =
      'Error: cannot read /srv/shop/apps/order-service/src/orders/saga.ts:42:7\n    at Saga.place (/srv/shop/dist/saga.js:42:7)\n    at async run (node:internal/process:1:1)';
    await deadLetterOn({ kind: 'queue', name: 'order-service' }, orderQueue, 'order.place-order.v1', stack);

    const body = (await (await fetch(`${base}/api/dead-letters`, { headers: asOperator })).json()) as {
      source: Source;
      messages: { reason: string }[];
    }[];

    const text = JSON.stringify(body);
    expect(
      body
        .find((entry) => entry.source.kind === 'queue' && entry.source.name === 'order-service')
        ?.messages.map((message) => message.reason),
    ).toEqual(['Error: cannot read <path>']);
    expect(text).not.toContain('/srv/shop');
    expect(text).not.toContain(':42:7');
  });

  it('replays one dead letter back to its queue, keeping its id', async () => {
    const failed = await deadLetterOn({ kind: 'queue', name: 'order-service' }, orderQueue, 'order.place-order.v1');
    const other = await deadLetterOn({ kind: 'queue', name: 'order-service' }, orderQueue, 'order.place-order.v1');

    const response = await post('/api/dead-letters/replay', { source: orderQueue, ids: [failed.id] }, asOperator);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ replayed: 1 });
    expect((await transport.deadLetters.list(orderQueue)).map((dead) => dead.message.messageId)).toEqual([other.messageId]);
    expect((await drain(orderQueue)).map((message) => message.messageId)).toEqual([failed.messageId]);
  });

  it('replays every dead letter of a subscription to that subscriber only', async () => {
    const failed = await deadLetterOn({ kind: 'topic', name: 'events' }, emailEvents, 'storefront.user-signed-up.v1');
    // The other subscribers took their copies when it was published.
    await drain({ kind: 'subscription', topic: 'events', name: 'order-service' });

    const response = await post('/api/dead-letters/replay', { source: emailEvents }, asOperator);

    expect(await response.json()).toEqual({ replayed: 1 });
    expect((await drain(emailEvents)).map((message) => message.messageId)).toEqual([failed.messageId]);
    expect(await drain({ kind: 'subscription', topic: 'events', name: 'order-service' })).toEqual([]);
  });

  it('is 400 naming the field for a source the shop does not have or a malformed request; nothing moves', async () => {
    const failed = await deadLetterOn({ kind: 'queue', name: 'order-service' }, orderQueue, 'order.place-order.v1');
    const cases: [unknown, string][] = [
      [{ source: { kind: 'queue', name: 'shipping-service' } }, 'source.name'],
      [{ source: { kind: 'subscription', topic: 'events', name: 'payment-service' } }, 'source.name'],
      [{ source: { kind: 'mailbox', name: 'order-service' } }, 'source.kind'],
      [{ source: orderQueue, ids: [] }, 'ids'],
      [{ source: orderQueue, ids: [7] }, 'ids.0'],
      [{ source: orderQueue, all: true }, 'all'],
      [{}, 'source'],
    ];
    for (const [body, field] of cases) {
      const response = await post('/api/dead-letters/replay', body, asOperator);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      const answer = (await response.json()) as { errors: { path: string }[] };
      expect({ body, paths: answer.errors.map((error) => error.path) }).toEqual({ body, paths: [field] });
    }
    expect((await transport.deadLetters.list(orderQueue)).map((dead) => dead.id)).toEqual([failed.id]);
  });
});

describe('API docs', () => {
  it('list every route with its responses at /docs-json, and serve the UI at /docs', async () => {
    const document = (await (await fetch(`${base}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${Object.keys(operation.responses).sort().join(',')}`,
      ),
    );
    // The OTLP receiver (/otlp/v1/*) is for exporters, not the shop's API: documented in the README, not here.
    expect(routes.sort()).toEqual([
      'GET /api/dead-letters 200,401',
      'GET /api/flow 200',
      'GET /api/flow/recent 200',
      'GET /api/notifications 200,401,503',
      'GET /api/orders 200,401,502,503',
      'GET /api/orders/{id} 200,400,401,404,502,503',
      'GET /api/products 200,502,503',
      'GET /api/traces 200,400,404',
      'GET /api/traces/{traceId} 200,400,404',
      'GET /health 200,503',
      'GET /health/live 200',
      'GET /health/ready 200,503',
      'POST /api/dead-letters/replay 200,400,401,403,413,415,429',
      'POST /api/orders 202,400,401,403,409,413,415,429,502,503',
      'POST /api/users 201,400,403,413,415,429',
    ]);
    expect((await fetch(`${base}/docs`)).status).toBe(200);
  });

  it('document an order alone as each order of the list, with its checkout and when it was placed', async () => {
    interface JsonSchema {
      $ref?: string;
      items?: JsonSchema;
      properties?: Record<string, unknown>;
      required?: string[];
    }
    const document = (await (await fetch(`${base}/docs-json`)).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: JsonSchema }> }> } }>;
      components: { schemas: Record<string, JsonSchema> };
    };
    const answered = (path: string): JsonSchema => {
      const schema = document.paths[path]!.get.responses['200']!.content['application/json']!.schema;
      return schema.$ref ? document.components.schemas[schema.$ref.replace('#/components/schemas/', '')]! : schema;
    };
    const alone = answered('/api/orders/{id}');
    expect(alone).toEqual(answered('/api/orders').items);
    expect(Object.keys(alone.properties ?? {})).toEqual(expect.arrayContaining(['correlationId', 'placedAt']));
    expect(alone.required).toContain('placedAt');
  });
});

describe('the message documentation', () => {
  it('serves the AsyncAPI document generated from the catalogue at /asyncapi.json, and a page rendering it at /asyncapi', async () => {
    const document = await (await fetch(`${base}/asyncapi.json`)).json();
    expect(document).toEqual(asyncApiDocument(shopCatalogue, shopAsyncApiOptions));
    const page = await fetch(`${base}/asyncapi`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script defer src="/vendor/asyncapi-react-component/index.js"></script>');
    expect(html).toContain('<script type="module" src="/js/asyncapi.mjs"></script>');
    const renderer = await fetch(`${base}/vendor/asyncapi-react-component/index.js`);
    expect(renderer.status).toBe(200);
    expect(renderer.headers.get('content-type')).toMatch(/javascript/);
  });
});

describe('the web page', () => {
  it('is served at /', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Stitch');
  });
});
