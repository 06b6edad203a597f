import { shopCatalogue } from '@stitch/contracts';
import { awsEntities } from '@stitch/messaging-aws';
import { CHECK, CONSUME, SEND, serviceRights, type ServiceRights } from './service-rights';

const entities = awsEntities(shopCatalogue.topology(), '');
const rightsOf = (service: string) => serviceRights(shopCatalogue, entities, service, { operator: 'storefront' });

/** The queues on which the rights hold `actions`, beyond the start-up check's reads every service has on every queue. */
function queuesWith(rights: ServiceRights, actions: readonly string[]): string[] {
  return rights.queues
    .filter((queue) => actions.every((action) => queue.actions.includes(action)))
    .map((queue) => queue.queue)
    .sort();
}

// Spelled out by hand from what each service does, so a change to the catalogue or to the derivation that widens or
// narrows a service's rights fails here and is looked at.
const expected: Record<string, { consume: string[]; send: string[]; putEvents: boolean; rules: string[] }> = {
  storefront: {
    consume: [
      'email-service-dlq',
      'email-service-events-dlq',
      'email-service-events-target-dlq',
      'flow',
      'inventory-service-dlq',
      'notification-service-events-dlq',
      'notification-service-events-target-dlq',
      'order-service-dlq',
      'order-service-events-dlq',
      'order-service-events-target-dlq',
      'payment-service-dlq',
    ],
    // PlaceOrder, flow records, and replaying any dead letter to the queue it came from.
    send: [
      'email-service',
      'email-service-events',
      'flow',
      'inventory-service',
      'notification-service-events',
      'order-service',
      'order-service-events',
      'payment-service',
    ],
    putEvents: true,
    rules: [],
  },
  'order-service': {
    consume: ['order-service', 'order-service-events'],
    send: [
      'email-service',
      'flow',
      'inventory-service',
      'order-service',
      'order-service-dlq',
      'order-service-events-dlq',
      'payment-service',
    ],
    putEvents: true,
    rules: ['order-service'],
  },
  'inventory-service': { consume: ['inventory-service'], send: ['flow', 'inventory-service-dlq'], putEvents: true, rules: [] },
  'payment-service': { consume: ['payment-service'], send: ['flow', 'payment-service-dlq'], putEvents: true, rules: [] },
  'email-service': {
    consume: ['email-service', 'email-service-events'],
    send: ['email-service-dlq', 'email-service-events-dlq', 'flow'],
    putEvents: true,
    rules: ['email-service'],
  },
  'notification-service': {
    consume: ['notification-service-events'],
    send: ['flow', 'notification-service-events-dlq'],
    putEvents: false,
    rules: ['notification-service'],
  },
};

describe('service rights from the catalogue', () => {
  it.each(Object.entries(expected))('%s may do exactly what it needs', (service, want) => {
    const rights = rightsOf(service);
    expect(queuesWith(rights, CONSUME)).toEqual(want.consume);
    expect(queuesWith(rights, SEND)).toEqual(want.send);
    expect(rights.putEvents).toBe(want.putEvents);
    expect(rights.rules).toEqual(want.rules);
    // Every queue is named with the start-up check's reads, and no action outside the three sets appears.
    expect(rights.queues.map((queue) => queue.queue).sort()).toEqual(entities.queues.map((queue) => queue.name).sort());
    for (const queue of rights.queues) for (const action of queue.actions) expect([...CHECK, ...CONSUME, ...SEND]).toContain(action);
    // A consumer's own queues are what it scales on.
    expect([...rights.consumes].sort()).toEqual(want.consume.filter((queue) => !queue.endsWith('dlq') && queue !== 'flow'));
  });

  it('covers every service of the catalogue', () => {
    expect(Object.keys(expected).sort()).toEqual([...shopCatalogue.services].sort());
  });

  it('grants nobody but the consumer the right to receive from its queue', () => {
    for (const service of shopCatalogue.services) {
      for (const other of shopCatalogue.services.filter((name) => name !== service && name !== 'storefront')) {
        expect(queuesWith(rightsOf(service), CONSUME)).not.toContain(other);
      }
    }
  });
});
