// What goes on the wire, read back with the SQS API as any other reader would, on a real AWS API (see test/emulator.ts):
//   TEST_AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx nx run messaging-aws:int-test
import { GetQueueUrlCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { OrderPlaced, ReserveStock, shopCatalogue } from '@stitch/contracts';
import { Services } from '@stitch/manifest';
import { MessageBus, runInMessageContext, TransportDispatcher } from '@stitch/messaging-core';
import { readStructuredCloudEvent } from '@stitch/messaging-core/testing';
import { testAws } from '../test/emulator';
import { AwsTransport } from './aws-transport';
import { createAwsClients, destroyAwsClients, type AwsClients } from './clients';
import { awsEntities } from './entities';
import { ATTR } from './mapping';
import { applyTopology, deleteTopology } from './provision';

const { settings, skipReason } = testAws();
if (skipReason) process.stdout.write(`SKIPPED AWS wire format: ${skipReason}\n`);

const orderId = '3b241101-e2bb-4255-8caf-4136c566a962';
const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

(skipReason ? describe.skip : describe)('the AWS transport on the wire', () => {
  const topology = shopCatalogue.topology();
  const entities = awsEntities(topology, `wire-${randomBytes(3).toString('hex')}`);
  let clients: AwsClients;
  let transport: AwsTransport;
  let bus: MessageBus;

  beforeAll(async () => {
    clients = createAwsClients(settings);
    await applyTopology(clients, entities, { shopId: entities.prefix });
    transport = new AwsTransport({ topology, clients: createAwsClients(settings), prefix: entities.prefix });
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
    if (clients) {
      await deleteTopology(clients, entities);
      destroyAwsClients(clients);
    }
  });

  async function receiveFrom(queue: string): Promise<Message> {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    const { Messages } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 1, MessageAttributeNames: ['All'] }),
    );
    const [message] = Messages ?? [];
    if (!message) throw new Error(`nothing arrived on ${queue}`);
    return message;
  }

  it('sends a command as an SQS message whose body is a structured-mode CloudEvent', async () => {
    const sent = await runInMessageContext({ correlationId: 'checkout-1', traceparent }, () =>
      bus.send(ReserveStock, { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] }),
    );
    const message = await receiveFrom(entities.commandQueue({ kind: 'queue', name: Services.inventory }));
    const event = readStructuredCloudEvent(message.Body ?? '');
    expect(event).toMatchObject({
      specversion: '1.0',
      id: sent.id,
      source: '/stitch/order-service',
      type: ReserveStock.type,
      datacontenttype: 'application/json',
      kind: 'command',
      correlationid: 'checkout-1',
      traceparent,
      data: { orderId, items: [{ sku: 'TEE-M', quantity: 1 }] },
    });
    expect(message.MessageAttributes?.[ATTR.type]?.StringValue).toBe(ReserveStock.type);
  });

  it('publishes an event whose EventBridge detail is a structured-mode CloudEvent, with its source and type as the entry', async () => {
    const published = await runInMessageContext({ correlationId: 'checkout-2' }, () =>
      bus.publish(OrderPlaced, {
        orderId,
        userId: '9a3c3f0e-5d4b-4c9a-8f00-8c7f2d6b1e11',
        items: [{ sku: 'TEE-M', quantity: 1, unitPriceCents: 100 }],
        totalCents: 100,
        version: 1,
      }),
    );
    const subscription = entities.sourceQueues({ kind: 'subscription', topic: topology.topic.name, name: Services.notification });
    const message = await receiveFrom(subscription.queue);
    const wrapped = JSON.parse(message.Body ?? '') as { source: string; 'detail-type': string; detail: unknown };
    expect({ source: wrapped.source, type: wrapped['detail-type'] }).toEqual({ source: '/stitch/order-service', type: OrderPlaced.type });
    expect(readStructuredCloudEvent(JSON.stringify(wrapped.detail))).toMatchObject({
      specversion: '1.0',
      id: published.id,
      source: '/stitch/order-service',
      type: OrderPlaced.type,
      kind: 'event',
      correlationid: 'checkout-2',
      data: { orderId, totalCents: 100 },
    });
  });
});
