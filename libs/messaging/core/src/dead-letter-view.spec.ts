import { shopCatalogue } from '@stitch/contracts';
import { deadLetterView, sameSource, sourcesOf } from './dead-letter-view';

describe('sourcesOf', () => {
  it('names every command queue and every subscription of the catalogue, once each', () => {
    const topology = shopCatalogue.topology();
    const sources = sourcesOf(shopCatalogue);
    expect(
      sources
        .filter((source) => source.kind === 'queue')
        .map((source) => source.name)
        .sort(),
    ).toEqual(topology.queues.map((queue) => queue.name).sort());
    expect(
      sources
        .filter((source) => source.kind === 'subscription')
        .map((source) => source.name)
        .sort(),
    ).toEqual(topology.topic.subscriptions.map((subscription) => subscription.name).sort());
    expect(sources).toContainEqual({ kind: 'subscription', topic: 'events', name: 'email-service' });
  });
});

describe('sameSource', () => {
  it('tells a queue from the subscription of the same service', () => {
    expect(sameSource({ kind: 'queue', name: 'order-service' }, { kind: 'queue', name: 'order-service' })).toBe(true);
    expect(sameSource({ kind: 'queue', name: 'order-service' }, { kind: 'subscription', topic: 'events', name: 'order-service' })).toBe(
      false,
    );
    expect(sameSource({ kind: 'subscription', topic: 'events', name: 'a' }, { kind: 'subscription', topic: 'other', name: 'a' })).toBe(
      false,
    );
  });
});

describe('deadLetterView', () => {
  it('flattens a dead letter and gives its time as ISO 8601', () => {
    const view = deadLetterView({
      id: '7',
      message: { messageId: 'm-1', type: 'order.place-order.v1', correlationId: 'c-1', body: '{}', headers: {}, enqueuedAt: 0 },
      reason: 'HandlerFailed',
      description: 'boom',
      deadLetteredAt: Date.UTC(2026, 10, 3, 10, 0, 0),
      attempts: 5,
    });
    expect(view).toEqual({
      id: '7',
      messageId: 'm-1',
      type: 'order.place-order.v1',
      correlationId: 'c-1',
      reason: 'HandlerFailed',
      description: 'boom',
      attempts: 5,
      deadLetteredAt: '2026-11-03T10:00:00.000Z',
    });
  });
});
