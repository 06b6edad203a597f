import { shopServices } from '@stitch/manifest';

/**
 * What the shop's AsyncAPI document (docs/asyncapi.yaml, served by the storefront at /asyncapi) says of itself,
 * and the services whose operations it lists: `asyncApiDocument(shopCatalogue, shopAsyncApiOptions)` of
 * @stitch/messaging-core. The version is the document's own; each message's type carries the message's version.
 */
export const shopAsyncApiOptions = {
  info: {
    title: 'Stitch shop',
    version: '1.0.0',
    description: [
      "The messages Stitch's services exchange, generated from the message catalogue (`shopCatalogue`, libs/contracts) " +
        'and the service manifest (libs/manifest). A command goes to the queue of the service that owns it; an event goes ' +
        'to the topic `events`, and every service that subscribes to it reads its own copy from its subscription. Each ' +
        'message travels as a JSON envelope whose `type` is its versioned type and whose `data` is the message.',
      'Addresses are the logical names every transport derives its own from. Embedded: the address `<service>` in the ' +
        'bus file for a queue, `events/<service>` for a subscription. Azure Service Bus: the queue `<service>`, the topic ' +
        '`events` and its subscription `<service>`, filtered on the type. AWS: the SQS queue `<service>`, the EventBridge ' +
        'bus `stitch`, and per subscriber the rule `<service>` delivering to the SQS queue `<service>-events` (with ' +
        '`STITCH_PREFIX` set, the queues and the bus are named `<prefix>-<name>`).',
    ].join('\n\n'),
  },
  services: shopServices,
} as const;
