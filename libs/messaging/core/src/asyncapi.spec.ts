import { Parser } from '@asyncapi/parser';
import { Catalogue, defineCommand, defineEvent } from '@stitch/messaging-catalogue';
import { z } from 'zod';
import { asyncApiDocument, type AsyncApiService } from './asyncapi';

const PackParcel = defineCommand({
  type: 'warehouse.pack-parcel.v1',
  name: 'PackParcel',
  owner: 'warehouse',
  senders: ['shop', 'desk'],
  schema: z.strictObject({ parcelId: z.uuid(), weightGrams: z.number().int().min(1) }),
});
const ParcelPacked = defineEvent({
  type: 'warehouse.parcel-packed.v1',
  name: 'ParcelPacked',
  publisher: 'warehouse',
  subscribers: ['shop'],
  schema: z.strictObject({ parcelId: z.uuid() }),
});
const StockCounted = defineEvent({
  type: 'warehouse.stock-counted.v1',
  name: 'StockCounted',
  publisher: 'warehouse',
  subscribers: [],
  schema: z.strictObject({ items: z.number().int() }),
});

const services: AsyncApiService[] = [
  { name: 'shop', description: 'takes orders' },
  { name: 'warehouse', description: 'packs parcels' },
  { name: 'desk', description: 'answers customers' },
];
const catalogue = new Catalogue({
  services: services.map((service) => service.name),
  messages: [PackParcel, ParcelPacked, StockCounted],
  maxAttempts: { default: 5, queues: { warehouse: 3 } },
});
const info = { title: 'Parcels', version: '2.1.0' };
const document = asyncApiDocument(catalogue, { info, services });

describe('asyncApiDocument', () => {
  it('is a valid AsyncAPI 3.0.0 document', async () => {
    const { diagnostics } = await new Parser().parse(JSON.stringify(document));
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === 0)).toEqual([]);
    expect(document).toMatchObject({ asyncapi: '3.0.0', info, defaultContentType: 'application/cloudevents+json' });
  });

  it("has a channel per owner's queue, the topic with every event, and one per subscriber's subscription, by their logical names", () => {
    expect(document.channels).toEqual({
      'warehouse.queue': expect.objectContaining({
        address: 'warehouse',
        messages: { 'warehouse.pack-parcel.v1': { $ref: '#/components/messages/warehouse.pack-parcel.v1' } },
        description: expect.stringContaining('fails 3 attempts'),
      }),
      events: expect.objectContaining({
        address: 'events',
        messages: {
          'warehouse.parcel-packed.v1': { $ref: '#/components/messages/warehouse.parcel-packed.v1' },
          'warehouse.stock-counted.v1': { $ref: '#/components/messages/warehouse.stock-counted.v1' },
        },
      }),
      'shop.subscription': expect.objectContaining({
        address: 'events/shop',
        messages: { 'warehouse.parcel-packed.v1': { $ref: '#/components/messages/warehouse.parcel-packed.v1' } },
        description: expect.stringContaining('fails 5 attempts'),
      }),
    });
  });

  it('gives each service a send for what it sends or publishes and a receive for what it owns or subscribes to', () => {
    const summary = Object.fromEntries(
      Object.entries(document.operations).map(([id, operation]) => [
        id,
        [operation.action, operation.channel.$ref, operation.messages.map((message) => message.$ref), operation.tags],
      ]),
    );
    expect(summary).toEqual({
      'shop.send.warehouse.pack-parcel.v1': [
        'send',
        '#/channels/warehouse.queue',
        ['#/channels/warehouse.queue/messages/warehouse.pack-parcel.v1'],
        [{ $ref: '#/components/tags/shop' }],
      ],
      'shop.receive.warehouse.parcel-packed.v1': [
        'receive',
        '#/channels/shop.subscription',
        ['#/channels/shop.subscription/messages/warehouse.parcel-packed.v1'],
        [{ $ref: '#/components/tags/shop' }],
      ],
      'warehouse.send.warehouse.parcel-packed.v1': [
        'send',
        '#/channels/events',
        ['#/channels/events/messages/warehouse.parcel-packed.v1'],
        [{ $ref: '#/components/tags/warehouse' }],
      ],
      'warehouse.send.warehouse.stock-counted.v1': [
        'send',
        '#/channels/events',
        ['#/channels/events/messages/warehouse.stock-counted.v1'],
        [{ $ref: '#/components/tags/warehouse' }],
      ],
      'warehouse.receive.warehouse.pack-parcel.v1': [
        'receive',
        '#/channels/warehouse.queue',
        ['#/channels/warehouse.queue/messages/warehouse.pack-parcel.v1'],
        [{ $ref: '#/components/tags/warehouse' }],
      ],
      'desk.send.warehouse.pack-parcel.v1': [
        'send',
        '#/channels/warehouse.queue',
        ['#/channels/warehouse.queue/messages/warehouse.pack-parcel.v1'],
        [{ $ref: '#/components/tags/desk' }],
      ],
    });
    expect(document.operations['warehouse.send.warehouse.parcel-packed.v1']?.title).toBe('warehouse publishes ParcelPacked');
    expect(document.components.tags).toEqual({
      shop: { name: 'shop', description: 'takes orders' },
      warehouse: { name: 'warehouse', description: 'packs parcels' },
      desk: { name: 'desk', description: 'answers customers' },
    });
  });

  it('describes each message type by its name and versioned type, its payload the CloudEvent with the zod schema as its data', () => {
    const message = document.components.messages['warehouse.pack-parcel.v1'];
    expect(message).toMatchObject({
      name: 'PackParcel',
      title: 'Pack parcel',
      contentType: 'application/cloudevents+json',
      summary: 'Command PackParcel, owned by warehouse, sent by shop, desk.',
      description: expect.stringContaining('`warehouse.pack-parcel.v1`'),
      correlationId: { $ref: '#/components/correlationIds/correlationid' },
    });
    const { $schema: _dialect, ...data } = z.toJSONSchema(PackParcel.schema, { target: 'draft-7', io: 'output' });
    expect(message?.payload).toMatchObject({
      type: 'object',
      properties: {
        specversion: { const: '1.0' },
        type: { const: 'warehouse.pack-parcel.v1' },
        kind: { const: 'command' },
        source: { enum: ['/stitch/shop', '/stitch/desk'] },
        datacontenttype: { const: 'application/json' },
        correlationid: { type: 'string' },
        data,
      },
      required: expect.arrayContaining([
        'specversion',
        'id',
        'type',
        'kind',
        'source',
        'time',
        'datacontenttype',
        'correlationid',
        'causationid',
        'data',
      ]),
    });
    expect(message?.payload).not.toHaveProperty('$schema');
    const event = document.components.messages['warehouse.stock-counted.v1'];
    expect(event?.summary).toBe('Event StockCounted, published by warehouse, subscribed to by no service.');
    expect(event?.payload).toMatchObject({ properties: { kind: { const: 'event' }, source: { enum: ['/stitch/warehouse'] } } });
    expect(Object.keys(document.components.messages)).toEqual(catalogue.messages.map((each) => each.type));
  });

  it('is plain JSON, the same however often it is made', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
    expect(asyncApiDocument(catalogue, { info, services })).toEqual(document);
  });

  it('leaves a service without messages out, so adding one changes nothing', () => {
    const withIdle = new Catalogue({
      services: [...services.map((service) => service.name), 'idle'],
      messages: [PackParcel, ParcelPacked, StockCounted],
      maxAttempts: { default: 5, queues: { warehouse: 3 } },
    });
    expect(asyncApiDocument(withIdle, { info, services: [...services, { name: 'idle', description: 'does nothing' }] })).toEqual(document);
  });

  it("refuses a service list that is not the catalogue's services, naming the difference", () => {
    expect(() => asyncApiDocument(catalogue, { info, services: services.slice(0, 2) })).toThrow(
      'AsyncAPI: the service list lacks desk, which the catalogue names',
    );
    expect(() => asyncApiDocument(catalogue, { info, services: [...services, { name: 'ghost' }] })).toThrow(
      'AsyncAPI: the service list names ghost, which the catalogue does not know',
    );
  });
});
