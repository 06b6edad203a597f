import { shopCatalogue } from '@stitch/contracts';
import { serviceBusEntities } from '@stitch/messaging-azure-service-bus';
import { entityKey, serviceRights, type DataRole } from './service-rights';

const entities = serviceBusEntities(shopCatalogue.topology());
const rightsOf = (service: string) => serviceRights(shopCatalogue, entities, service, { operator: 'storefront' });
const withRole = (service: string, role: DataRole) =>
  rightsOf(service)
    .grants.filter((grant) => grant.role === role)
    .map((grant) => entityKey(grant.entity))
    .sort();

// Spelled out by hand from what each service does, so a change to the catalogue or to the derivation that widens or
// narrows a service's rights fails here and is looked at. Every service: Sender on both topics (the start-up check
// opens a send link to each; flow records), Receiver on the shop marker queue (peeked at start).
const everyone = { send: ['topic events', 'topic flow'], receive: ['queue stitch-shop'] };
const expected: Record<string, { send: string[]; receive: string[] }> = {
  // PlaceOrder, and replaying any dead letter; the flow view and the dead letters of every queue and subscription.
  storefront: {
    send: ['queue email-service', 'queue inventory-service', 'queue order-service', 'queue payment-service'],
    receive: [
      'queue email-service',
      'queue inventory-service',
      'queue order-service',
      'queue payment-service',
      'subscription events/email-service',
      'subscription events/notification-service',
      'subscription events/order-service',
      'subscription flow/storefront',
    ],
  },
  // Commands to the other services, and retries to its own queue.
  'order-service': {
    send: ['queue email-service', 'queue inventory-service', 'queue order-service', 'queue payment-service'],
    receive: ['queue order-service', 'subscription events/order-service'],
  },
  'inventory-service': { send: ['queue inventory-service'], receive: ['queue inventory-service'] },
  'payment-service': { send: ['queue payment-service'], receive: ['queue payment-service'] },
  'email-service': { send: ['queue email-service'], receive: ['queue email-service', 'subscription events/email-service'] },
  'notification-service': { send: [], receive: ['subscription events/notification-service'] },
};

describe('service rights from the catalogue', () => {
  it.each(Object.entries(expected))('%s may do exactly what it needs', (service, want) => {
    expect(withRole(service, 'sender')).toEqual([...want.send, ...everyone.send].sort());
    expect(withRole(service, 'receiver')).toEqual([...want.receive, ...everyone.receive].sort());
  });

  it('covers every service of the catalogue', () => {
    expect(Object.keys(expected).sort()).toEqual([...shopCatalogue.services].sort());
  });

  it('grants nobody but the consumer, and the operator surface, the right to receive from a queue or subscription', () => {
    const topology = shopCatalogue.topology();
    const consumers = new Map<string, string>([
      ...topology.queues.map((queue) => [`queue ${queue.name}`, queue.service] as const),
      ...topology.topic.subscriptions.map(
        (subscription) => [`subscription ${subscription.topic}/${subscription.name}`, subscription.service] as const,
      ),
    ]);
    expect(consumers.size).toBeGreaterThan(5);
    for (const service of shopCatalogue.services.filter((name) => name !== 'storefront')) {
      for (const entity of withRole(service, 'receiver')) {
        if (entity === 'queue stitch-shop') continue;
        expect({ entity, receiver: service }).toEqual({ entity, receiver: consumers.get(entity) });
      }
    }
  });

  it('gives nobody Sender on the shop marker queue: only provisioning writes it', () => {
    for (const service of shopCatalogue.services) expect(withRole(service, 'sender')).not.toContain('queue stitch-shop');
  });

  it('names an entity that is not in the topology as an error', () => {
    const withoutQueues = { ...entities, queues: entities.queues.filter((queue) => queue.name !== 'order-service') };
    expect(() => serviceRights(shopCatalogue, withoutQueues, 'storefront', { operator: 'storefront' })).toThrow(
      'serviceRights: no queue order-service among the Service Bus entities',
    );
  });
});
