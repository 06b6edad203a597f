// Two notification-service replicas on one database and one in-memory transport, where they compete for every
// event as replicas on a broker do: each event is handled by one of them, and every browser, whichever replica
// (or load-balanced address) it is connected to, gets every notification once.
import { randomUUID } from 'node:crypto';
import { OrderCancelled, OrderConfirmed, OrderPlaced, UserSignedUp } from '@stitch/contracts';
import type { MessageDefinition } from '@stitch/messaging-catalogue';
import { queryServiceDatabase, startTestPostgres, type TestPostgres } from '@stitch/persistence/testing';
import { until } from '@stitch/waiting-testing';
import { NotificationReplicas, type Replica } from '../../test/support/notification-replicas';
import { startRoundRobinProxy, type RoundRobinProxy } from '../../test/support/round-robin-proxy';
import { connectSse, type SseConnection } from '../../test/support/sse-client';
import type { Notification } from './notification';

const WAIT_MS = 15_000;

let server: TestPostgres;
let replicas: NotificationReplicas;
let one: Replica;
let two: Replica;
let proxy: RoundRobinProxy;
let closed = false;
const connections: SseConnection[] = [];

beforeAll(async () => {
  server = await startTestPostgres();
  Object.assign(process.env, {
    DATABASE_URL: server.url,
    MESSAGING_RETRY_BASE_MS: '10',
    // One message at a time per replica: the second replica takes what the busy first one leaves.
    MESSAGING_CONCURRENCY: '1',
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    NOTIFICATION_HEARTBEAT_MS: '200',
    NOTIFICATION_PRUNE_INTERVAL_MS: '1000',
    NOTIFICATION_LISTEN_RETRY_MAX_MS: '200',
  });
  replicas = await NotificationReplicas.create();
  one = await replicas.start('notification-service-1');
  two = await replicas.start('notification-service-2');
  proxy = await startRoundRobinProxy([one.url, two.url]);
}, 60_000);

afterAll(async () => {
  connections.forEach((connection) => connection.close());
  await proxy?.close();
  if (!closed) await Promise.all([one?.close(), two?.close()]);
  await server?.stop();
});

async function connect(baseUrl: string, query = '', lastEventId?: string): Promise<SseConnection> {
  const connection = await connectSse(`${baseUrl}/notifications${query}`, lastEventId !== undefined ? { lastEventId } : {});
  connections.push(connection);
  expect(connection.status).toBe(200);
  // The stream is open (and its replica subscribed to the feed) once the first comment is in.
  await until(`the first comment on the stream of ${baseUrl}`, () => connection.events.length > 0, { timeoutMs: WAIT_MS });
  return connection;
}

const handled = (...ids: string[]) =>
  until('the events handled by a replica', () => ids.every((id) => replicas.handledBy.has(id)), {
    timeoutMs: WAIT_MS,
    state: () => `not handled yet: ${ids.filter((id) => !replicas.handledBy.has(id)).join(', ')}`,
  });
const idsOn = (stream: SseConnection) => stream.data<Notification>().map((n) => n.id);
const line = { sku: 'TEE-BLK-M', quantity: 1, unitPriceCents: 1_500 };

/**
 * A notification stored after everything before it was handled: notifications reach a stream in the order they
 * were stored, so once it is on a stream, whatever was going to reach that stream before it has.
 */
async function markerOn(streams: readonly SseConnection[], userId = randomUUID()): Promise<string> {
  const marker = await replicas.publishOne(UserSignedUp, { userId, email: 'marker@example.com', name: 'Marker' });
  await until(`the marker ${marker.id} on every stream`, () => streams.every((stream) => idsOn(stream).includes(marker.id)), {
    timeoutMs: WAIT_MS,
  });
  return marker.id;
}

/** A mix of sign-ups and order events of two users, published in one go. */
function mixedEvents(ada: string, bob: string, count: number): Array<{ definition: MessageDefinition; data: unknown }> {
  return Array.from({ length: count }, (_, index) =>
    index % 3 === 0
      ? { definition: UserSignedUp, data: { userId: index % 2 ? ada : bob, email: `u${index}@example.com`, name: `User ${index}` } }
      : {
          definition: OrderPlaced,
          data: { orderId: randomUUID(), userId: index % 2 ? ada : bob, items: [line], totalCents: 1_500, version: 1 },
        },
  );
}

function expectEachOnce(stream: SseConnection, expected: readonly string[]): void {
  const seen = idsOn(stream);
  expect([...seen].sort()).toEqual([...expected].sort());
  // Event ids are seqs, rising.
  const seqs = stream.events.filter((e) => e.data !== undefined).map((e) => BigInt(e.id ?? '-1'));
  expect(seqs.every((seq, index) => index === 0 || seq > (seqs[index - 1] as bigint))).toBe(true);
}

describe('GET /notifications on two replicas', () => {
  it('opens a server-sent event stream at once and keeps it alive with heartbeat comments', async () => {
    const stream = await connect(one.url);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    await until('two heartbeat comments', () => stream.events.filter((e) => e.comments.includes('heartbeat')).length >= 2, {
      timeoutMs: WAIT_MS,
    });
    expect(stream.events[0]).toEqual({ comments: ['connected'] });
  });

  it('gives every stream on either replica every notification once, though each event was handled by one replica', async () => {
    const ada = randomUUID();
    const bob = randomUUID();
    const onOne = await connect(one.url);
    const onTwo = await connect(two.url);
    const adaOnOne = await connect(one.url, `?userId=${ada}`);
    const adaOnTwo = await connect(two.url, `?userId=${ada}`);

    const events = await replicas.publish(mixedEvents(ada, bob, 24));
    const ids = events.map((e) => e.id);
    await handled(...ids);
    const marker = await markerOn([onOne, onTwo]);
    const adaMarker = await markerOn([adaOnOne, adaOnTwo], ada);

    // Each event handled once, and both replicas handled some: without the backplane each stream would miss some.
    expect(ids.filter((id) => replicas.handledBy.get(id)?.length !== 1)).toEqual([]);
    const handlers = new Set(ids.map((id) => replicas.handledBy.get(id)?.[0]));
    expect([...handlers].sort()).toEqual([one.instance, two.instance]);

    for (const stream of [onOne, onTwo]) expectEachOnce(stream, [...ids, marker, adaMarker]);
    const adas = events.filter((e) => (e.data as { userId: string }).userId === ada).map((e) => e.id);
    for (const stream of [adaOnOne, adaOnTwo]) {
      expectEachOnce(stream, [...adas, adaMarker]);
      expect(new Set(stream.data<Notification>().map((n) => n.userId))).toEqual(new Set([ada]));
    }
    // Both replicas push the same notifications with the same ids, in the same order.
    expect(onOne.events.filter((e) => e.data)).toEqual(onTwo.events.filter((e) => e.data));
    const welcome = events.find((e) => e.type === UserSignedUp.type);
    expect(onTwo.data<Notification>().find((n) => n.id === welcome?.id)).toEqual({
      id: welcome?.id,
      kind: 'welcome',
      userId: (welcome?.data as { userId: string }).userId,
      text: `Welcome to Stitch, ${(welcome?.data as { name: string }).name}!`,
      at: welcome?.time,
    });
  });

  it('gives two browsers behind one load-balanced address every notification, whichever replica each reached', async () => {
    const first = await connect(proxy.url);
    const second = await connect(proxy.url);
    const [toFirst, toSecond] = proxy.routed.slice(-2);
    expect(new Set([toFirst, toSecond])).toEqual(new Set([new URL(one.url).host, new URL(two.url).host]));

    const events = await replicas.publish(mixedEvents(randomUUID(), randomUUID(), 16));
    await handled(...events.map((e) => e.id));
    const marker = await markerOn([first, second]);

    for (const stream of [first, second]) expectEachOnce(stream, [...events.map((e) => e.id), marker]);
  });

  it('resumes a reconnecting browser after its Last-Event-ID, on the other replica, missing nothing and repeating nothing', async () => {
    const userId = randomUUID();
    const query = `?userId=${userId}`;
    const welcome = (index: number) => ({ definition: UserSignedUp, data: { userId, email: `r${index}@example.com`, name: `R ${index}` } });
    const before = await connect(proxy.url, query);
    const firstBatch = await replicas.publish([0, 1, 2].map(welcome));
    await until('the first three notifications on the stream', () => firstBatch.every((e) => idsOn(before).includes(e.id)), {
      timeoutMs: WAIT_MS,
    });
    const lastEventId = before.lastEventId() as string;
    before.close();
    await before.ended;

    const whileAway = await replicas.publish([3, 4, 5, 6].map(welcome));
    await handled(...whileAway.map((e) => e.id));
    const after = await connect(proxy.url, query, lastEventId);
    // The load balancer sent it to the other replica.
    expect(proxy.routed.at(-1)).not.toBe(proxy.routed.at(-2));
    // Published while the replay may still be reading: each must come once, from the replay or live.
    const meanwhile = await replicas.publish([7, 8, 9].map(welcome));
    await handled(...meanwhile.map((e) => e.id));
    const marker = await markerOn([after], userId);

    // Two replicas handle the batch at once: the stream follows commit order, not the order of publishing.
    expect(idsOn(before).slice(0, 3).sort()).toEqual(firstBatch.map((e) => e.id).sort());
    expectEachOnce(after, [...whileAway, ...meanwhile].map((e) => e.id).concat(marker));
    expect(BigInt(after.events.find((e) => e.data)?.id ?? '0')).toBeGreaterThan(BigInt(lastEventId));
  });

  it('keeps an order’s newest state across replicas: an event not newer than the stored one is not pushed', async () => {
    const stream = await connect(one.url);
    const other = await connect(two.url);
    const userId = randomUUID();
    const orderId = randomUUID();
    const newestFirst = randomUUID();

    // A late v2 after v3.
    const placed = await replicas.publishOne(OrderPlaced, { orderId, userId, items: [line], totalCents: 1_500, version: 1 });
    await handled(placed.id);
    const cancelled = await replicas.publishOne(OrderCancelled, { orderId, userId, reason: 'payment declined', version: 3 });
    await handled(cancelled.id);
    const lateConfirmed = await replicas.publishOne(OrderConfirmed, { orderId, userId, totalCents: 1_500, version: 2 });
    await handled(lateConfirmed.id);
    // Newest first, the older two at once, so the two replicas take one each.
    const confirmed = await replicas.publishOne(OrderConfirmed, { orderId: newestFirst, userId, totalCents: 1_500, version: 3 });
    await handled(confirmed.id);
    const late = await replicas.publish([
      { definition: OrderPlaced, data: { orderId: newestFirst, userId, items: [line], totalCents: 1_500, version: 1 } },
      { definition: OrderCancelled, data: { orderId: newestFirst, userId, reason: 'payment declined', version: 2 } },
    ]);
    await handled(...late.map((e) => e.id));
    expect(new Set(late.map((e) => replicas.handledBy.get(e.id)?.[0]))).toEqual(new Set([one.instance, two.instance]));
    await markerOn([stream, other]);

    for (const seen of [stream, other]) {
      const pushed = seen.data<Notification>();
      expect(pushed.filter((n) => n.orderId === orderId).map((n) => [n.status, n.version])).toEqual([
        ['pending', 1],
        ['cancelled', 3],
      ]);
      expect(pushed.filter((n) => n.orderId === newestFirst).map((n) => [n.id, n.status, n.version])).toEqual([
        [confirmed.id, 'confirmed', 3],
      ]);
    }
    expect(stream.data<Notification>().find((n) => n.id === cancelled.id)).toEqual({
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

  it('pushes a redelivered message once', async () => {
    const stream = await connect(two.url);
    const id = randomUUID();
    const userId = randomUUID();
    await replicas.publishOne(UserSignedUp, { userId, email: 'bo@example.com', name: 'Bo' }, id);
    await handled(id);
    await replicas.publishOne(UserSignedUp, { userId, email: 'bo@example.com', name: 'Bo' }, id);
    // The repeat is completed by whichever replica takes it, and recorded as a duplicate, not handled again.
    await until('the repeat recorded as a duplicate', () => replicas.duplicatesAt.has(id), { timeoutMs: WAIT_MS });
    await markerOn([stream]);

    expect(replicas.handledBy.get(id)).toHaveLength(1);
    expect(idsOn(stream).filter((seen) => seen === id)).toHaveLength(1);
  });

  it('misses nothing while its listening connections are down: each replica reconnects and catches up', async () => {
    const onOne = await connect(one.url);
    const onTwo = await connect(two.url);
    const listeners = () =>
      queryServiceDatabase<{ pid: number }>(
        server.url,
        'notification-service',
        `SELECT pid FROM pg_stat_activity WHERE application_name = 'stitch-notification-listener'`,
      );
    const dropped = (await listeners()).map((row) => row.pid);
    expect(dropped).toHaveLength(2);

    await queryServiceDatabase(server.url, 'notification-service', 'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
      dropped,
    ]);
    const events = await replicas.publish(mixedEvents(randomUUID(), randomUUID(), 8));
    await handled(...events.map((e) => e.id));
    const marker = await markerOn([onOne, onTwo]);

    for (const stream of [onOne, onTwo]) expectEachOnce(stream, [...events.map((e) => e.id), marker]);
    const now = (await listeners()).map((row) => row.pid);
    expect(now).toHaveLength(2);
    expect(now.filter((pid) => dropped.includes(pid))).toEqual([]);
  });

  it('prunes notifications older than the retention', async () => {
    const old = randomUUID();
    await queryServiceDatabase(
      server.url,
      'notification-service',
      `INSERT INTO notification (message_id, user_id, payload, created_at) VALUES ($1, $2, '{}', now() - interval '2 days')`,
      [old, randomUUID()],
    );
    const kept = await replicas.publishOne(UserSignedUp, { userId: randomUUID(), email: 'kept@example.com', name: 'Kept' });
    await handled(kept.id);
    const stored = (id: string) =>
      queryServiceDatabase(server.url, 'notification-service', 'SELECT 1 FROM notification WHERE message_id = $1', [id]);
    await until('the two-day-old notification pruned', async () => (await stored(old)).length === 0, { timeoutMs: WAIT_MS });
    expect(await stored(kept.id)).toHaveLength(1);
  });

  it('answers a malformed userId with 400 naming it', async () => {
    const response = await fetch(`${one.url}/notifications?userId=not-a-uuid`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'userId', message: 'userId must be a UUID' });
  });

  it('ends open streams when the service shuts down, so a connected browser does not hold it up', async () => {
    const streams = [await connect(one.url), await connect(two.url)];
    closed = true;
    const started = Date.now();
    await Promise.all([one.close(), two.close()]);
    await expect(Promise.all(streams.map((s) => s.ended))).resolves.toEqual([undefined, undefined]);
    // Well under the HTTP server's keep-alive timeout (5 s), which a busy connection would make it wait for.
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
