import { randomUUID } from 'node:crypto';
import { Module, type INestApplication } from '@nestjs/common';
import { OrderCancelled, OrderConfirmed, OrderPlaced, shopCatalogue, UserSignedUp, type MessageData, type MessageDefinition } from '@stitch/contracts';
import { bootstrapService, createEnvelope, InMemoryTransport, type Envelope } from '@stitch/messaging-core';
import { until } from '@stitch/persistence/testing';
import { NotificationServiceModule } from '../app.module';
import { connectSse, type SseConnection } from '../../test/support/sse-client';
import type { Notification } from './notification';

const transport = new InMemoryTransport(shopCatalogue.topology());

@Module({ imports: [NotificationServiceModule.forRoot({ transports: { local: () => transport } })] })
class NotificationServiceUnderTest {}

let app: INestApplication;
let closed = false;
let baseUrl: string;
const handled = new Set<string>();
const connections: SseConnection[] = [];

beforeAll(async () => {
  Object.assign(process.env, { MESSAGING_RETRY_BASE_MS: '10', LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', NOTIFICATION_HEARTBEAT_MS: '200' });
  // Flow records tell the test when the service has settled a message, pushed or not.
  await transport.flow.subscribe((record) => {
    const { messageId, outcome } = JSON.parse(record) as { messageId: string; outcome: string };
    if (outcome === 'handled') handled.add(messageId);
  });
  app = await bootstrapService(NotificationServiceUnderTest, { defaultPort: 0 });
  baseUrl = await app.getUrl();
});

afterAll(async () => {
  connections.forEach((connection) => connection.close());
  if (!closed) await app?.close();
});

async function connect(query = ''): Promise<SseConnection> {
  const connection = await connectSse(`${baseUrl}/notifications${query}`);
  connections.push(connection);
  return connection;
}

async function publish<D extends MessageDefinition>(definition: D, data: MessageData<D>, id?: string): Promise<Envelope> {
  const created = createEnvelope({ type: definition.type, kind: 'event', source: definition.kind === 'event' ? definition.publisher : 'test', data });
  const envelope = id ? { ...created, id } : created;
  await transport.send({ kind: 'topic', name: 'events' }, [{ messageId: envelope.id, type: envelope.type, correlationId: envelope.correlationId, body: JSON.stringify(envelope) }]);
  return envelope;
}

const settle = (...ids: string[]) => until(() => ids.every((id) => handled.has(id)));
const line = { sku: 'TEE-BLK-M', quantity: 1, unitPriceCents: 1_500 };

describe('GET /notifications', () => {
  it('opens a server-sent event stream at once and keeps it alive with heartbeat comments', async () => {
    const stream = await connect();
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await until(() => stream.events.filter((e) => e.comments.includes('heartbeat')).length >= 2);
    expect(stream.events[0]).toEqual({ comments: ['connected'] });
  });

  it('pushes a welcome to browsers when a user signs up', async () => {
    const stream = await connect();
    const userId = randomUUID();
    const envelope = await publish(UserSignedUp, { userId, email: 'ada@example.com', name: 'Ada' });

    await until(() => stream.data<Notification>().some((n) => n.id === envelope.id));
    expect(stream.data<Notification>().find((n) => n.id === envelope.id)).toEqual({
      id: envelope.id,
      kind: 'welcome',
      userId,
      text: 'Welcome to Stitch, Ada!',
      at: envelope.time,
    });
    expect(stream.events.find((e) => e.data !== undefined)?.id).toBe(envelope.id);
  });

  it('follows an order and drops an event that arrives after a newer one', async () => {
    const stream = await connect();
    const userId = randomUUID();
    const orderId = randomUUID();

    const placed = await publish(OrderPlaced, { orderId, userId, items: [line], totalCents: 1_500, version: 1 });
    await settle(placed.id);
    const cancelled = await publish(OrderCancelled, { orderId, userId, reason: 'payment declined', version: 3 });
    await settle(cancelled.id);
    // Version 2 was overtaken by version 3 on the way: it is stale and must not make the order look confirmed.
    const lateConfirmed = await publish(OrderConfirmed, { orderId, userId, totalCents: 1_500, version: 2 });
    await settle(lateConfirmed.id);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const pushed = stream.data<Notification>().filter((n) => n.orderId === orderId);
    expect(pushed.map((n) => [n.status, n.version])).toEqual([
      ['pending', 1],
      ['cancelled', 3],
    ]);
    expect(pushed[1]).toEqual({
      id: cancelled.id,
      kind: 'order-status',
      userId,
      orderId,
      status: 'cancelled',
      version: 3,
      text: `Order ${orderId} was cancelled: payment declined.`,
      at: cancelled.time,
    });
  });

  it('shows only the newest state when the transport delivers an order’s events newest first', async () => {
    const stream = await connect();
    const userId = randomUUID();
    const orderId = randomUUID();

    // No transport promises order: the confirmation (v3) overtakes the placement (v1) and an older state (v2, made
    // up for the test: a confirmed order is never cancelled). Each one arriving later must leave the order confirmed.
    const confirmed = await publish(OrderConfirmed, { orderId, userId, totalCents: 1_500, version: 3 });
    await settle(confirmed.id);
    const latePlaced = await publish(OrderPlaced, { orderId, userId, items: [line], totalCents: 1_500, version: 1 });
    const lateCancelled = await publish(OrderCancelled, { orderId, userId, reason: 'payment declined', version: 2 });
    await settle(latePlaced.id, lateCancelled.id);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const pushed = stream.data<Notification>().filter((n) => n.orderId === orderId);
    expect(pushed.map((n) => [n.id, n.status, n.version])).toEqual([[confirmed.id, 'confirmed', 3]]);
  });

  it('pushes a redelivered message once', async () => {
    const stream = await connect();
    const id = randomUUID();
    const userId = randomUUID();
    await publish(UserSignedUp, { userId, email: 'bo@example.com', name: 'Bo' }, id);
    await until(() => stream.data<Notification>().some((n) => n.id === id));
    handled.delete(id);
    await publish(UserSignedUp, { userId, email: 'bo@example.com', name: 'Bo' }, id);
    await settle(id);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(stream.data<Notification>().filter((n) => n.id === id)).toHaveLength(1);
  });

  it('narrows the stream to one user with ?userId=', async () => {
    const ada = randomUUID();
    const bob = randomUUID();
    const adaOnly = await connect(`?userId=${ada}`);
    const everyone = await connect();

    const forBob = await publish(UserSignedUp, { userId: bob, email: 'bob@example.com', name: 'Bob' });
    const forAda = await publish(OrderPlaced, { orderId: randomUUID(), userId: ada, items: [line], totalCents: 1_500, version: 1 });
    await until(() => everyone.data<Notification>().filter((n) => [forBob.id, forAda.id].includes(n.id)).length === 2);
    await until(() => adaOnly.data<Notification>().some((n) => n.id === forAda.id));

    expect(adaOnly.data<Notification>().map((n) => n.userId)).toEqual([ada]);
  });

  it('answers a malformed userId with 400 naming it', async () => {
    const response = await fetch(`${baseUrl}/notifications?userId=not-a-uuid`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'userId', message: 'userId must be a UUID' });
  });

  it('ends open streams when the service shuts down, so a connected browser does not hold it up', async () => {
    const stream = await connect();
    await until(() => stream.events.length > 0);
    closed = true;
    const started = Date.now();
    await app.close();
    await expect(stream.ended).resolves.toBeUndefined();
    // Well under the HTTP server's keep-alive timeout (5 s), which a busy connection would make it wait for.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
