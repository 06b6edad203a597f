import type { Source } from '@stitch/messaging-core';
import { Inbox, message, transportPerTest } from '../test/helpers';

const orders: Source = { kind: 'queue', name: 'order-service' };
const payments: Source = { kind: 'queue', name: 'payment-service' };
const toOrders = { kind: 'queue', name: 'order-service' } as const;
const email: Source = { kind: 'subscription', topic: 'events', name: 'email-service' };
const inventory: Source = { kind: 'subscription', topic: 'events', name: 'inventory-service' };
const options = { concurrency: 4, lockMs: 5_000 };

describe('dead letters', () => {
  const bus = transportPerTest();

  async function deadLetterAll(source: Source, count: number): Promise<void> {
    const inbox = new Inbox();
    const receiver = await bus.transport.receive(source, inbox.handler, options);
    for (let i = 0; i < count; i++) await (await inbox.next()).deadLetter('Poison', `failed ${i}`);
    await receiver.close();
  }

  it('keeps the message with reason, description, time and attempts; lists and peeks it by its source', async () => {
    const sent = message('order.PlaceOrder.v1', { headers: { traceparent: 't' } });
    await bus.transport.send(toOrders, [sent]);
    const before = Date.now();

    await deadLetterAll(orders, 1);

    const [dead, ...others] = await bus.transport.deadLetters.list(orders);
    expect(others).toEqual([]);
    expect(dead).toEqual({
      id: expect.any(String),
      message: {
        messageId: sent.messageId,
        type: sent.type,
        correlationId: sent.correlationId,
        body: sent.body,
        headers: { traceparent: 't' },
        enqueuedAt: expect.any(Number),
      },
      reason: 'Poison',
      description: 'failed 0',
      deadLetteredAt: expect.any(Number),
      attempts: 1,
    });
    expect(dead?.deadLetteredAt).toBeGreaterThanOrEqual(before);
    expect(await bus.transport.deadLetters.peek(orders, dead?.id ?? '')).toEqual(dead);
    expect(await bus.transport.deadLetters.peek(payments, dead?.id ?? '')).toBeUndefined();
    expect(await bus.transport.deadLetters.peek(orders, '424242')).toBeUndefined();
    expect(await bus.transport.deadLetters.list(payments)).toEqual([]);
  });

  it('replays a dead-lettered event to the subscription that failed it, and to no other subscriber', async () => {
    const inventoryInbox = new Inbox();
    await bus.transport.receive(inventory, inventoryInbox.handler, options);
    const placed = message('order.OrderPlaced.v1', { headers: { traceparent: 't' } });
    await bus.transport.send({ kind: 'topic', name: 'events' }, [placed]);
    await (await inventoryInbox.next()).complete();
    await deadLetterAll(email, 1);

    expect(await bus.transport.deadLetters.replay(email)).toBe(1);

    const emailInbox = new Inbox();
    await bus.transport.receive(email, emailInbox.handler, options);
    const replayed = await emailInbox.next();
    expect(replayed.attempt).toBe(1);
    expect(replayed.message).toMatchObject({
      messageId: placed.messageId,
      type: placed.type,
      correlationId: placed.correlationId,
      body: placed.body,
      headers: { traceparent: 't' },
    });
    await replayed.complete();
    await inventoryInbox.nothingWithin(200);
    expect(await bus.transport.deadLetters.list(email)).toEqual([]);
  });

  it('replays and purges only the dead letters asked for, counting them', async () => {
    const sent = [message('order.PlaceOrder.v1'), message('order.PlaceOrder.v1'), message('order.PlaceOrder.v1')];
    await bus.transport.send(toOrders, sent);
    await deadLetterAll(orders, 3);
    const ids = (await bus.transport.deadLetters.list(orders)).map((dead) => dead.id);
    const [first, second, third] = ids;

    expect(await bus.transport.deadLetters.list(orders, { limit: 2 })).toHaveLength(2);
    expect(await bus.transport.deadLetters.replay(orders, [second ?? '', 'not-an-id'])).toBe(1);
    expect(await bus.transport.deadLetters.purge(orders, [first ?? ''])).toBe(1);
    expect((await bus.transport.deadLetters.list(orders)).map((dead) => dead.id)).toEqual([third]);
    expect(await bus.transport.deadLetters.purge(orders)).toBe(1);
    expect(await bus.transport.deadLetters.list(orders)).toEqual([]);

    const inbox = new Inbox();
    await bus.transport.receive(orders, inbox.handler, options);
    const replayed = await inbox.next();
    expect(sent.map((m) => m.messageId)).toContain(replayed.message.messageId);
    await replayed.complete();
    await inbox.nothingWithin(200);
  });
});
