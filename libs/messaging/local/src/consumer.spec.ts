import type { Source } from '@stitch/messaging-core';
import { MessageStore } from './messages';
import { Database } from './sqlite';
import { Inbox, message, sleep, startedTransport, transportPerTest } from '../test/helpers';

const orders: Source = { kind: 'queue', name: 'order-service' };
const toOrders = { kind: 'queue', name: 'order-service' } as const;

describe('a consumer', () => {
  const bus = transportPerTest();

  /** Locks what is visible on the queue from another connection and walks away, as a killed process would. */
  async function lockAndDie(lockMs: number) {
    const db = Database.open(bus.file);
    try {
      const request = { address: 'order-service', maxDeliveryCount: 3, consumer: 'dead', token: 'dead:1', limit: 10, lockMs };
      return new MessageStore(db).lock(request, Date.now()).deliverable;
    } finally {
      await db.close();
    }
  }

  it('gets a message again, counted as attempt 2, once the lease of a consumer that died lapses', async () => {
    const sent = message('order.PlaceOrder.v1');
    await bus.transport.send(toOrders, [sent]);
    const lockedAt = Date.now();
    expect(await lockAndDie(300)).toHaveLength(1);
    const inbox = new Inbox();

    await bus.transport.receive(orders, inbox.handler, { concurrency: 1, lockMs: 1_000 });
    const delivery = await inbox.next();

    expect(Date.now() - lockedAt).toBeGreaterThanOrEqual(300 - bus.transport.capabilities.timeGranularityMs);
    expect(delivery.attempt).toBe(2);
    expect(delivery.message.messageId).toBe(sent.messageId);
    await delivery.complete();
  });

  it('dead-letters a message whose consumers keep dying, once its deliveries are used up, instead of delivering it', async () => {
    // order-service allows 3 deliveries.
    const sent = message('order.PlaceOrder.v1');
    await bus.transport.send(toOrders, [sent]);
    for (let death = 1; death <= 3; death++) {
      expect(await lockAndDie(100)).toHaveLength(1);
      await sleep(120);
    }
    const inbox = new Inbox();

    await bus.transport.receive(orders, inbox.handler, { concurrency: 1, lockMs: 1_000 });

    await inbox.nothingWithin(300);
    const [dead] = await bus.transport.deadLetters.list(orders);
    expect(dead).toMatchObject({ reason: 'MaxDeliveryCountExceeded', attempts: 3, message: { messageId: sent.messageId } });
  });

  it('does not let a settle with a lost lock touch the message its new holder has', async () => {
    await bus.transport.send(toOrders, [message('order.PlaceOrder.v1')]);
    const [dead] = await lockAndDie(100);
    const inbox = new Inbox();
    await bus.transport.receive(orders, inbox.handler, { concurrency: 1, lockMs: 1_000 });
    const delivery = await inbox.next();

    const db = Database.open(bus.file);
    const late = new MessageStore(db).settle([{ lock: { seq: dead?.seq ?? 0, token: 'dead:1' }, settlement: { kind: 'complete' } }]);
    await db.close();

    expect(late).toEqual([false]);
    await delivery.retryLater(0);
    const again = await inbox.next();
    expect(again.attempt).toBe(3);
    await again.complete();
  });

  it('renews the lease while its handler runs, so no other consumer gets the message', async () => {
    const other = await startedTransport(bus.file);
    const elsewhere = new Inbox();
    await other.receive(orders, elsewhere.handler, { concurrency: 1, lockMs: 1_000 });
    let handled = 0;
    const done = new Promise<void>((resolve) =>
      bus.transport.receive(
        orders,
        async (delivery) => {
          handled++;
          await sleep(600);
          await delivery.complete();
          resolve();
        },
        { concurrency: 1, lockMs: 150 },
      ),
    );
    try {
      // Whichever consumer takes it, the other must not see it while it is being handled (4 leases long).
      await bus.transport.send(toOrders, [message('order.PlaceOrder.v1')]);
      const first = await Promise.race([done.then(() => 'here' as const), elsewhere.next(2_000)]);
      if (first === 'here') {
        await elsewhere.nothingWithin(300);
      } else {
        await sleep(600);
        await first.complete();
        expect(handled).toBe(0);
      }
    } finally {
      await other.close();
    }
  });

  it('costs next to no CPU while idle', async () => {
    await bus.transport.receive(orders, new Inbox().handler, { concurrency: 16, lockMs: 1_000 });
    await bus.transport.receive({ kind: 'subscription', topic: 'events', name: 'email-service' }, new Inbox().handler, {
      concurrency: 16,
      lockMs: 1_000,
    });
    await bus.transport.flow.subscribe(() => undefined);
    // A message due later must not make the consumer poll until then.
    await bus.transport.send(toOrders, [message('order.PlaceOrder.v1', { notBefore: Date.now() + 60_000 })]);
    await sleep(100);

    const before = process.cpuUsage();
    await sleep(1_000);
    const used = process.cpuUsage(before);

    // Catches a consumer that spins or polls hard (a busy loop costs ~1,000 ms here), with room for the test
    // process's own work and a machine shared with other jobs; the benchmark measures idle CPU precisely.
    expect((used.user + used.system) / 1_000).toBeLessThan(200);
  });
});
