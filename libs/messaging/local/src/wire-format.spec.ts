import { DatabaseSync } from 'node:sqlite';
import { OrderPlaced, ReserveStock, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus, runInMessageContext, TransportDispatcher } from '@stitch/messaging-core';
import { readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { tempBus } from '../test/helpers';
import { createLocalTransport, type LocalTransport } from '.';

const orderId = '3b241101-e2bb-4255-8caf-4136c566a962';

/** The bus file read as another program would read it: what the transport stored is what went on the wire. */
function rowsOf(file: string, table: 'messages' | 'dead_letters'): { address: string; body: string }[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db.prepare(`SELECT address, body FROM ${table} ORDER BY seq`).all() as { address: string; body: string }[];
  } finally {
    db.close();
  }
}

describe('the embedded transport on the wire', () => {
  let bus: ReturnType<typeof tempBus>;
  let transport: LocalTransport;
  let messages: MessageBus;

  beforeEach(async () => {
    bus = tempBus();
    transport = createLocalTransport({ topology: shopCatalogue.topology(), file: bus.file });
    await transport.start();
    messages = new MessageBus({
      catalogue: shopCatalogue,
      service: Services.order,
      dispatcher: new TransportDispatcher(transport),
      maxDelayMs: transport.capabilities.maxDelayMs,
    });
  });

  afterEach(async () => {
    await transport.close();
    bus.remove();
  });

  it('stores every command and every subscriber’s copy of an event as a structured-mode CloudEvent', async () => {
    const command = await runInMessageContext({ correlationId: 'checkout-1' }, () =>
      messages.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }),
    );
    const event = await runInMessageContext({ correlationId: 'checkout-1' }, () =>
      messages.publish(OrderPlaced, {
        orderId,
        userId: '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11',
        items: [{ sku: 'TEE-M', quantity: 1, unitPriceCents: 100 }],
        totalCents: 100,
        version: 1,
      }),
    );

    const rows = rowsOf(bus.file, 'messages');
    expect(rows.map((row) => row.address)).toEqual([Services.inventory, ...OrderPlaced.subscribers.map((name) => `events/${name}`)]);
    const [stored, ...copies] = rows.map((row) => readStructuredCloudEvent(row.body));
    expect(stored).toMatchObject({
      specversion: '1.0',
      id: command.id,
      source: '/stitch/order-service',
      type: ReserveStock.type,
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: 'checkout-1',
      causationid: 'checkout-1',
    });
    for (const copy of copies)
      expect(copy).toMatchObject({
        id: event.id,
        type: OrderPlaced.type,
        kind: 'event',
        source: '/stitch/order-service',
        correlationid: 'checkout-1',
      });
  });

  it('keeps a dead letter’s body as it was sent: a CloudEvent still', async () => {
    const command = await messages.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] });
    let deadLettered!: () => void;
    const written = new Promise<void>((resolve) => (deadLettered = resolve));
    const receiver = await transport.receive(
      { kind: 'queue', name: Services.inventory },
      async (delivery) => {
        await delivery.deadLetter('Error: refused', 'for the test');
        deadLettered();
      },
      { concurrency: 1, lockMs: 5_000 },
    );
    await written;
    await receiver.close();
    const [dead] = rowsOf(bus.file, 'dead_letters');
    expect(readStructuredCloudEvent(dead?.body ?? '')).toMatchObject({ id: command.id, type: ReserveStock.type });
  });
});
