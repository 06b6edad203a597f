import { OrderPlaced, ReserveStock, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus, runInMessageContext, TransportDispatcher, type Transport } from '@stitch/messaging-core';
import { readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { serviceBusEntities } from '../entities';
import { FakeServiceBusClient, FakeServiceBusServer } from '../../testing';
import { bodyText, CONTENT_TYPE } from './mapping';
import { createServiceBusTransport } from './service-bus-transport';

const orderId = '3b241101-e2bb-4255-8caf-4136c566a962';
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** What the adapter hands the broker, peeked back through the client as any other reader would (the fake broker). */
describe('the Service Bus transport on the wire', () => {
  const topology = shopCatalogue.topology();
  const namespace = 'ns-wire';
  let server: FakeServiceBusServer;
  let transport: Transport;
  let bus: MessageBus;

  beforeAll(async () => {
    server = await FakeServiceBusServer.start();
    server.createNamespace(namespace, serviceBusEntities(topology));
    transport = createServiceBusTransport({ topology, client: () => new FakeServiceBusClient(server.url, namespace), maxWaitMs: 500 });
    await transport.start();
    bus = new MessageBus({
      catalogue: shopCatalogue,
      service: Services.order,
      dispatcher: new TransportDispatcher(transport),
      maxDelayMs: transport.capabilities.maxDelayMs,
    });
  });

  afterAll(async () => {
    await transport?.close();
    await server?.close();
  });

  async function peek(queue: string, subscription?: string) {
    const client = new FakeServiceBusClient(server.url, namespace);
    const receiver = subscription
      ? client.createReceiver(queue, subscription, { skipParsingBodyAsJson: true })
      : client.createReceiver(queue, { skipParsingBodyAsJson: true });
    try {
      const [message] = await receiver.peekMessages(1);
      if (!message) throw new Error(`nothing on ${queue}${subscription ? `/${subscription}` : ''}`);
      return message;
    } finally {
      await receiver.close();
      await client.close();
    }
  }

  it('sends a command labelled application/cloudevents+json whose body is a structured-mode CloudEvent', async () => {
    const sent = await runInMessageContext({ correlationId: 'checkout-1', traceparent }, () =>
      bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }),
    );
    const message = await peek(Services.inventory);
    expect(CONTENT_TYPE).toBe('application/cloudevents+json; charset=utf-8');
    expect({ contentType: message.contentType, subject: message.subject, correlationId: message.correlationId }).toEqual({
      contentType: CONTENT_TYPE,
      subject: ReserveStock.type,
      correlationId: 'checkout-1',
    });
    expect(readStructuredCloudEvent(bodyText(message.body))).toMatchObject({
      specversion: '1.0',
      id: sent.id,
      source: '/stitch/order-service',
      type: ReserveStock.type,
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: 'checkout-1',
      traceparent,
    });
  });

  it('publishes an event whose every subscription copy is a structured-mode CloudEvent', async () => {
    const published = await bus.publish(OrderPlaced, {
      orderId,
      userId: '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11',
      items: [{ sku: 'TEE-M', quantity: 1, unitPriceCents: 100 }],
      totalCents: 100,
      version: 1,
    });
    for (const subscriber of OrderPlaced.subscribers) {
      const message = await peek(topology.topic.name, subscriber);
      expect(message.contentType).toBe(CONTENT_TYPE);
      expect(readStructuredCloudEvent(bodyText(message.body))).toMatchObject({
        id: published.id,
        source: '/stitch/order-service',
        type: OrderPlaced.type,
        kind: 'event',
      });
    }
  });
});
