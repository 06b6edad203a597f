import type { Source } from '@stitch/messaging-core';
import type { LocalTransport } from './local-transport';
import { Inbox, message, sleep, startedTransport, tempBus } from '../test/helpers';

const orders: Source = { kind: 'queue', name: 'order-service' };
const toOrders = { kind: 'queue', name: 'order-service' } as const;
const events = { kind: 'topic', name: 'events' } as const;
const subscription = (name: string): Source => ({ kind: 'subscription', topic: 'events', name });
const options = { concurrency: 4, lockMs: 5_000 };

describe('LocalTransport', () => {
  let bus: ReturnType<typeof tempBus>;
  let transport: LocalTransport;

  beforeEach(async () => {
    bus = tempBus();
    transport = await startedTransport(bus.file, { maxDelayMs: 60_000 });
  });

  afterEach(async () => {
    await transport.close();
    bus.remove();
  });

  it('delivers a queued message with its fields and removes it once completed', async () => {
    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    const sent = message('order.PlaceOrder.v1', { headers: { traceparent: '00-abc-def-01' } });
    const before = Date.now();

    await transport.send(toOrders, [sent]);
    const delivery = await inbox.next();

    expect(delivery.attempt).toBe(1);
    expect(delivery.message).toEqual({
      messageId: sent.messageId,
      type: sent.type,
      correlationId: sent.correlationId,
      body: sent.body,
      headers: { traceparent: '00-abc-def-01' },
      enqueuedAt: expect.any(Number),
    });
    expect(delivery.message.enqueuedAt).toBeGreaterThanOrEqual(before);
    await delivery.complete();
    await inbox.nothingWithin(300);
  });

  it('tells the depth of a queue: what waits there, held by a consumer or not, until it is completed', async () => {
    await transport.send(toOrders, [message('order.PlaceOrder.v1'), message('order.PlaceOrder.v1')]);
    expect(await transport.depth(orders)).toBe(2);

    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    const first = await inbox.next();
    expect(await transport.depth(orders)).toBe(2);
    await first.complete();
    await (await inbox.next()).complete();
    expect(await transport.depth(orders)).toBe(0);
  });

  it('refuses queues, topics and subscriptions that are not in the topology', async () => {
    await expect(transport.send({ kind: 'queue', name: 'nobody' }, [message('x.Y.v1')])).rejects.toThrow(/queue nobody/);
    await expect(transport.send({ kind: 'topic', name: 'other' }, [message('x.Y.v1')])).rejects.toThrow(/topic other/);
    await expect(transport.receive(subscription('nobody'), new Inbox().handler, options)).rejects.toThrow(/events\/nobody/);
  });

  it('copies an event only to the subscriptions whose filters name its type', async () => {
    const inboxes = { inventory: new Inbox(), email: new Inbox(), notification: new Inbox() };
    await transport.receive(subscription('inventory-service'), inboxes.inventory.handler, options);
    await transport.receive(subscription('email-service'), inboxes.email.handler, options);
    await transport.receive(subscription('notification-service'), inboxes.notification.handler, options);

    const placed = message('order.OrderPlaced.v1');
    await transport.send(events, [placed, message('nobody.Listens.v1')]);

    for (const inbox of [inboxes.inventory, inboxes.email]) {
      const delivery = await inbox.next();
      expect(delivery.message.messageId).toBe(placed.messageId);
      await delivery.complete();
    }
    const captured = message('payment.PaymentCaptured.v1');
    await transport.send(events, [captured]);
    for (const inbox of [inboxes.email, inboxes.notification]) {
      const delivery = await inbox.next();
      expect(delivery.message.messageId).toBe(captured.messageId);
      await delivery.complete();
    }
    await inboxes.inventory.nothingWithin(200);
    expect(inboxes.notification.pending + inboxes.email.pending).toBe(0);
  });

  it('does not deliver a delayed message before its time', async () => {
    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    const notBefore = Date.now() + 400;

    await transport.send(toOrders, [message('order.PlaceOrder.v1', { notBefore })]);
    const delivery = await inbox.next();

    const arrived = Date.now();
    expect(arrived).toBeGreaterThanOrEqual(notBefore - transport.capabilities.timeGranularityMs);
    expect(arrived - notBefore).toBeLessThan(200);
    await delivery.complete();
  });

  it('refuses a delay beyond maxDelayMs', async () => {
    const tooLate = Date.now() + 120_000;
    await expect(transport.send(toOrders, [message('order.PlaceOrder.v1', { notBefore: tooLate })])).rejects.toThrow(/60000 ms/);
  });

  it('redelivers after retryLater, not before the delay, counting the attempt', async () => {
    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    await transport.send(toOrders, [message('order.PlaceOrder.v1')]);

    const first = await inbox.next();
    const retriedAt = Date.now();
    await first.retryLater(300);
    const second = await inbox.next();

    expect(Date.now() - retriedAt).toBeGreaterThanOrEqual(300 - transport.capabilities.timeGranularityMs);
    expect(second.attempt).toBe(2);
    expect(second.message.messageId).toBe(first.message.messageId);
    await second.complete();
  });

  it('releases a message at once when its handler fails without settling', async () => {
    const attempts: number[] = [];
    const done = new Promise<void>((resolve) =>
      transport.receive(
        orders,
        async (delivery) => {
          attempts.push(delivery.attempt);
          if (delivery.attempt === 1) throw new Error('boom');
          await delivery.complete();
          resolve();
        },
        options,
      ),
    );
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    await transport.send(toOrders, [message('order.PlaceOrder.v1')]);
    await done;

    stderr.mockRestore();
    expect(attempts).toEqual([1, 2]);
  });

  it('dead-letters a message the broker delivered maxDeliveryCount times without a settle, instead of delivering it', async () => {
    // order-service allows 3 deliveries; retrying keeps the count, like a consumer that keeps crashing would.
    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    const sent = message('order.PlaceOrder.v1');
    await transport.send(toOrders, [sent]);

    for (const attempt of [1, 2, 3]) {
      const delivery = await inbox.next();
      expect(delivery.attempt).toBe(attempt);
      await delivery.retryLater(0);
    }
    await inbox.nothingWithin(300);

    const [dead, ...others] = await transport.deadLetters.list(orders);
    expect(others).toEqual([]);
    expect(dead).toMatchObject({ reason: 'MaxDeliveryCountExceeded', attempts: 3, message: { messageId: sent.messageId } });
  });

  it('keeps up to `concurrency` handlers running and delivers every message once', async () => {
    const seen = new Map<string, number>();
    let running = 0;
    let most = 0;
    let finished!: () => void;
    const allDone = new Promise<void>((resolve) => (finished = resolve));
    await transport.receive(
      orders,
      async (delivery) => {
        most = Math.max(most, ++running);
        await sleep(1);
        seen.set(delivery.message.messageId, (seen.get(delivery.message.messageId) ?? 0) + 1);
        running--;
        await delivery.complete();
        if (seen.size === 500) finished();
      },
      { concurrency: 8, lockMs: 5_000 },
    );

    const sent = Array.from({ length: 500 }, () => message('order.PlaceOrder.v1'));
    for (let i = 0; i < sent.length; i += 50) await transport.send(toOrders, sent.slice(i, i + 50));
    await allDone;

    expect(most).toBe(8);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(new Set(seen.keys())).toEqual(new Set(sent.map((m) => m.messageId)));
  });

  it('wakes a consumer within milliseconds when another connection (as another process would) sends', async () => {
    const sender = await startedTransport(bus.file);
    const inbox = new Inbox();
    await transport.receive(orders, inbox.handler, options);
    try {
      // Well under the periodic re-check: the file-system event woke the consumer.
      for (let i = 0; i < 20; i++) {
        const sentAt = Date.now();
        await sender.send(toOrders, [message('order.PlaceOrder.v1')]);
        const delivery = await inbox.next();
        expect(Date.now() - sentAt).toBeLessThan(250);
        await delivery.complete();
      }
    } finally {
      await sender.close();
    }
  });

  it('closing a receiver waits for the handler in progress, then takes no more', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const handling = new Promise<void>((resolve) => (started = resolve));
    let calls = 0;
    const receiver = await transport.receive(
      orders,
      async (delivery) => {
        calls++;
        started();
        await held;
        await delivery.complete();
      },
      options,
    );
    await transport.send(toOrders, [message('order.PlaceOrder.v1')]);
    await handling;

    let closed = false;
    const closing = receiver.close().then(() => (closed = true));
    await sleep(100);
    expect(closed).toBe(false);
    release();
    await closing;

    await transport.send(toOrders, [message('order.PlaceOrder.v1')]);
    await sleep(100);
    expect(calls).toBe(1);
  });

  it('closing the transport waits for handlers in progress and lets them settle', async () => {
    let started!: () => void;
    const handling = new Promise<void>((resolve) => (started = resolve));
    let settled = false;
    await transport.receive(
      orders,
      async (delivery) => {
        started();
        await sleep(150);
        await delivery.complete();
        settled = true;
      },
      options,
    );
    await transport.send(toOrders, [message('order.PlaceOrder.v1')]);
    await handling;

    await transport.close();

    expect(settled).toBe(true);
    const reopened = await startedTransport(bus.file);
    const inbox = new Inbox();
    await reopened.receive(orders, inbox.handler, options);
    await inbox.nothingWithin(200);
    await reopened.close();
  });
});
