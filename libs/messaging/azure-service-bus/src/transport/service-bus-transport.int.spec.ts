import pino from 'pino';
import { z } from 'zod';
import { Catalogue, defineCommand } from '@stitch/messaging-catalogue';
import { MessageConsumer } from '@stitch/messaging-core';
import { until } from '@stitch/waiting-testing';
import { serviceBusEntities } from '../entities';
import { FakeServiceBusClient, FakeServiceBusServer } from '../../testing';
import { Props } from './mapping';
import { createServiceBusTransport } from './service-bus-transport';
import { shopMarkerQueue } from './shop-marker';

const DoWork = defineCommand({
  type: 'alpha.do-work.v1',
  name: 'DoWork',
  owner: 'alpha',
  senders: ['alpha'],
  schema: z.strictObject({ n: z.number().int() }),
});
const conformanceCatalogue = new Catalogue({ services: ['alpha'], messages: [DoWork], maxAttempts: { default: 3 } });

/** The adapter against the fake broker in this process (the conformance suite runs it across processes). */
describe('Service Bus transport on the fake broker', () => {
  const topology = conformanceCatalogue.topology();
  let server: FakeServiceBusServer;
  let counter = 0;
  const made: ReturnType<typeof createServiceBusTransport>[] = [];
  beforeAll(async () => (server = await FakeServiceBusServer.start()));
  // A test that failed before closing its transport leaves it receiving, which would keep the run from ending.
  afterEach(() => Promise.all(made.splice(0).map((transport) => transport.close())));
  afterAll(() => server.close());

  function closedAfterTheTest(transport: ReturnType<typeof createServiceBusTransport>) {
    made.push(transport);
    return transport;
  }

  function transportOn(entities = serviceBusEntities(topology), lockMs = 1_500) {
    const namespace = `ns-${++counter}`;
    server.createNamespace(namespace, entities, { lockMs });
    return closedAfterTheTest(
      createServiceBusTransport({
        topology,
        client: () => new FakeServiceBusClient(server.url, namespace),
        lockDurationMs: lockMs,
        maxWaitMs: 500,
      }),
    );
  }

  /** A look at a dead-letter queue opens a receiver on the broker under test: too much to do every 10 ms. */
  const deadLetterLookIntervalMs = 50;

  const envelope = (id: string) =>
    JSON.stringify({
      specversion: '1.0',
      id,
      source: '/stitch/test',
      type: DoWork.type,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: id,
      causationid: id,
      data: { n: 1 },
    });

  it('on the emulator, marks an unmarked namespace for the first shop that starts there and refuses the next', async () => {
    const namespace = `ns-${++counter}`;
    server.createNamespace(namespace, serviceBusEntities(topology));
    const target = { endpoint: `sb://${namespace}`, emulator: true, setting: 'SERVICEBUS_CONNECTION_STRING' as const };
    const on = (shopId: string) =>
      createServiceBusTransport({ topology, client: () => new FakeServiceBusClient(server.url, namespace), target, shopId });
    const first = on('shop-a');
    await first.start();
    await first.close();
    const again = on('shop-a');
    await again.start();
    await again.close();
    await expect(on('shop-b').start()).rejects.toThrow(
      `the Service Bus namespace at sb://${namespace} belongs to shop shop-a, not to this shop shop-b`,
    );
    expect(await shopMarkerQueue(new FakeServiceBusClient(server.url, namespace)).read()).toBe('shop-a');
  });

  it('fails fast at start naming every entity that is missing', async () => {
    const entities = serviceBusEntities(topology);
    const transport = transportOn({ ...entities, queues: [], topics: entities.topics.filter((t) => t.name !== 'flow') });
    await expect(transport.start()).rejects.toThrow(
      /^Service Bus topology missing: queue alpha, topic flow and subscription flow\/storefront do not exist at sb:\/\/ns-\d+\.fake\.servicebus — create them with: npm run topology:azure -- --apply$/,
    );
  });

  it('keeps the attempt count across scheduled retries, which restart deliveryCount, and dead-letters at the maximum', async () => {
    const transport = transportOn();
    await transport.start();
    const seen: { attempt: number; deliveryCount: number }[] = [];
    const receiver = await transport.receive(
      { kind: 'queue', name: 'alpha' },
      async (delivery) => {
        seen.push({
          attempt: delivery.attempt,
          deliveryCount: delivery.attempt - Number(delivery.message.headers[Props.priorAttempts] ?? 0),
        });
        if (delivery.attempt < 3) await delivery.retryLater(50);
        else await delivery.deadLetter('Error: gave up', `attempt ${delivery.attempt}`);
      },
      { concurrency: 1, lockMs: 1_500 },
    );
    await transport.send({ kind: 'queue', name: 'alpha' }, [
      { messageId: 'r-1', type: DoWork.type, correlationId: 'r-1', body: envelope('r-1') },
    ]);
    await until(
      'r-1 dead-lettered after its third attempt',
      async () => (await transport.deadLetters.list({ kind: 'queue', name: 'alpha' })).length > 0,
      {
        timeoutMs: 10_000,
        intervalMs: deadLetterLookIntervalMs,
        state: () => `its attempts so far: ${seen.map((s) => s.attempt).join(', ') || 'none'}`,
      },
    );
    await receiver.close();
    const [dead] = await transport.deadLetters.list({ kind: 'queue', name: 'alpha' });
    await transport.close();
    expect(seen.map((s) => s.attempt)).toEqual([1, 2, 3]);
    expect(dead).toMatchObject({ reason: 'Error: gave up', description: 'attempt 3', attempts: 3, message: { messageId: 'r-1' } });
  });

  it('a copy whose consumers keep dying is dead-lettered once the total passes maxDeliveryCount, unseen by the handler', async () => {
    const transport = transportOn();
    await transport.start();
    const handled: number[] = [];
    const receiver = await transport.receive({ kind: 'queue', name: 'alpha' }, async (d) => void handled.push(d.attempt), {
      concurrency: 1,
      lockMs: 1_500,
    });
    // A copy that already carries the catalogue's maximum plus one attempts.
    const copy = { messageId: 'c-1', type: DoWork.type, correlationId: 'c-1', body: envelope('c-1') };
    const client = new FakeServiceBusClient(server.url, `ns-${counter}`);
    await client.createSender('alpha').sendMessages({
      messageId: copy.messageId,
      subject: copy.type,
      body: Buffer.from(copy.body),
      applicationProperties: { [Props.priorAttempts]: 4 },
    });
    await until(
      'c-1 dead-lettered by the broker',
      async () => (await transport.deadLetters.list({ kind: 'queue', name: 'alpha' })).length > 0,
      {
        intervalMs: deadLetterLookIntervalMs,
        state: () => `attempts handled: ${handled.join(', ') || 'none'}`,
      },
    );
    await receiver.close();
    const [dead] = await transport.deadLetters.list({ kind: 'queue', name: 'alpha' });
    await transport.close();
    expect(handled).toEqual([]);
    expect(dead).toMatchObject({ reason: 'MaxDeliveryCountExceeded', attempts: 5 });
  });

  it('renews the lock of a handler that runs past the lock duration, so nobody else gets the message', async () => {
    const transport = transportOn(undefined, 1_000);
    await transport.start();
    const attempts: number[] = [];
    const receiver = await transport.receive(
      { kind: 'queue', name: 'alpha' },
      async (delivery) => {
        attempts.push(delivery.attempt);
        await new Promise((r) => setTimeout(r, 3_500));
        await delivery.complete();
      },
      { concurrency: 4, lockMs: 1_000 },
    );
    await transport.send({ kind: 'queue', name: 'alpha' }, [
      { messageId: 'slow', type: DoWork.type, correlationId: 'slow', body: envelope('slow') },
    ]);
    await new Promise((r) => setTimeout(r, 4_500));
    await receiver.close();
    const left = await transport.deadLetters.list({ kind: 'queue', name: 'alpha' });
    await transport.close();
    expect(attempts).toEqual([1]);
    expect(left).toEqual([]);
  });

  it('shuts down gracefully: a handler in flight finishes and is settled before close returns', async () => {
    const transport = transportOn();
    await transport.start();
    let started = false;
    let finished = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const receiver = await transport.receive(
      { kind: 'queue', name: 'alpha' },
      async (delivery) => {
        started = true;
        await released;
        await delivery.complete();
        finished = true;
      },
      { concurrency: 2, lockMs: 1_500 },
    );
    await transport.send({ kind: 'queue', name: 'alpha' }, [
      { messageId: 'g-1', type: DoWork.type, correlationId: 'g-1', body: envelope('g-1') },
    ]);
    await until('the handler to start on g-1', () => started);
    // The handler is held until close has begun, so close can only return by waiting for it.
    const closing = receiver.close();
    release();
    await closing;
    expect(finished).toBe(true);
    await transport.close();
  });

  it('starts the core consumer with its default lock (30 s) on entities with the provisioned lock (60 s)', async () => {
    const namespace = `ns-${++counter}`;
    server.createNamespace(namespace, serviceBusEntities(topology));
    const transport = closedAfterTheTest(
      createServiceBusTransport({
        topology,
        client: () => new FakeServiceBusClient(server.url, namespace),
        maxWaitMs: 500,
      }),
    );
    await transport.start();
    const handled: string[] = [];
    const consumer = new MessageConsumer({
      transport,
      catalogue: conformanceCatalogue,
      service: 'alpha',
      instance: 'alpha-1',
      handlers: new Map([[DoWork.type, async (e) => void handled.push(e.id)]]),
      logger: pino({ level: 'silent' }),
    });
    await consumer.start();
    await transport.send({ kind: 'queue', name: 'alpha' }, [
      { messageId: 'd-1', type: DoWork.type, correlationId: 'd-1', body: envelope('d-1') },
    ]);
    await until('d-1 handled by the core consumer', () => handled.length > 0);
    await consumer.stop();
    await transport.close();
    expect(handled).toEqual(['d-1']);
  });

  it('feeds the core consumer end to end: invalid bodies go to the dead-letter queue with a reason, never to a handler', async () => {
    const transport = transportOn();
    await transport.start();
    const handled: string[] = [];
    const consumer = new MessageConsumer({
      transport,
      catalogue: conformanceCatalogue,
      service: 'alpha',
      instance: 'alpha-1',
      handlers: new Map([[DoWork.type, async (e) => void handled.push(e.id)]]),
      logger: pino({ level: 'silent' }),
      lockMs: 1_500,
    });
    await consumer.start();
    await transport.send({ kind: 'queue', name: 'alpha' }, [
      { messageId: 'ok', type: DoWork.type, correlationId: 'ok', body: envelope('ok') },
      { messageId: 'bad', type: DoWork.type, correlationId: 'bad', body: '{not json' },
    ]);
    await until(
      'ok handled and bad dead-lettered',
      async () => handled.length > 0 && (await transport.deadLetters.list({ kind: 'queue', name: 'alpha' })).length > 0,
      { intervalMs: deadLetterLookIntervalMs, state: () => `handled: ${handled.join(', ') || 'none'}` },
    );
    await consumer.stop();
    const dead = await transport.deadLetters.list({ kind: 'queue', name: 'alpha' });
    await transport.close();
    expect(handled).toEqual(['ok']);
    expect(dead.map((d) => [d.message.messageId, d.reason])).toEqual([['bad', 'InvalidMessage']]);
  });
});
