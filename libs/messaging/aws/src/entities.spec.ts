import { readFileSync } from 'node:fs';
import path from 'node:path';
import { shopCatalogue } from '@stitch/contracts';
import { awsEntities, queuePolicy, redrivePolicy, SQS_MAX_MESSAGE_BYTES, topologyDocument } from './entities';

describe('AWS entities from the catalogue', () => {
  const topology = shopCatalogue.topology();
  const entities = awsEntities(topology);

  it('gives each command owner a queue and each subscriber an events queue, each with its dead-letter queue, and a flow queue', () => {
    const names = entities.queues.map((queue) => queue.name);
    for (const queue of topology.queues) expect(names).toEqual(expect.arrayContaining([queue.name, `${queue.name}-dlq`]));
    for (const subscription of topology.topic.subscriptions) {
      const name = `${subscription.name}-events`;
      expect(names).toEqual(expect.arrayContaining([name, `${name}-dlq`, `${name}-target-dlq`]));
    }
    expect(names).toContain('flow');
    expect(names).toHaveLength(topology.queues.length * 2 + topology.topic.subscriptions.length * 3 + 1);
    expect(new Set(names).size).toBe(names.length);
  });

  it('creates dead-letter queues before the queues that redrive to them', () => {
    const position = new Map(entities.queues.map((queue, index) => [queue.name, index]));
    for (const queue of entities.queues.filter((candidate) => candidate.redrive)) {
      expect(position.get(queue.redrive?.deadLetterQueue ?? '')).toBeLessThan(position.get(queue.name) ?? -1);
    }
  });

  it('redrives after one receive more than the catalogue allows, and sets the largest message size', () => {
    const order = entities.queues.find((queue) => queue.name === 'order-service');
    expect(order?.redrive).toEqual({
      deadLetterQueue: 'order-service-dlq',
      maxReceiveCount: shopCatalogue.queueMaxAttempts('order-service') + 1,
    });
    const emailEvents = entities.queues.find((queue) => queue.name === 'email-service-events');
    expect(emailEvents?.redrive?.maxReceiveCount).toBe(shopCatalogue.subscriptionMaxAttempts('email-service') + 1);
    for (const queue of entities.queues) expect(queue.attributes.MaximumMessageSize).toBe(String(SQS_MAX_MESSAGE_BYTES));
  });

  it('never redrives the flow queue and keeps its records a minute', () => {
    const flow = entities.queues.find((queue) => queue.role === 'flow');
    expect(flow).toMatchObject({ name: 'flow', attributes: expect.objectContaining({ MessageRetentionPeriod: '60' }) });
    expect(flow?.redrive).toBeUndefined();
  });

  it('has one rule per subscribing service matching exactly its event types, delivering to its events queue', () => {
    expect(entities.rules.map((rule) => rule.name).sort()).toEqual(
      topology.topic.subscriptions.map((subscription) => subscription.name).sort(),
    );
    for (const subscription of topology.topic.subscriptions) {
      expect(entities.ruleOf(subscription.service)).toEqual({
        name: subscription.name,
        service: subscription.service,
        bus: 'stitch',
        types: subscription.types,
        pattern: { 'detail-type': [...subscription.types] },
        targetQueue: `${subscription.name}-events`,
        targetDeadLetterQueue: `${subscription.name}-events-target-dlq`,
      });
    }
    // The catalogue: email hears of sign-ups, and of none of the order events it does not subscribe to.
    const email = entities.ruleOf('email-service')?.pattern;
    expect(email?.['detail-type']).toContain('storefront.user-signed-up.v1');
    expect(email?.['detail-type']).not.toContain('order.order-placed.v1');
    expect(entities.ruleOf('inventory-service')).toBeUndefined();
  });

  it('lets only its rule send to an events queue and its target dead-letter queue', () => {
    for (const queue of entities.queues.filter((candidate) => candidate.role === 'events' || candidate.role === 'target-dead-letter')) {
      expect(queue.allowRule).toBe(queue.name.replace(/-events(-target-dlq)?$/, ''));
    }
    expect(
      entities.queues.filter((queue) => queue.role === 'commands' || queue.role === 'dead-letter').every((queue) => !queue.allowRule),
    ).toBe(true);
  });

  it('prefixes every queue and the bus, not the rules (which live on the prefixed bus)', () => {
    const prefixed = awsEntities(topology, 'ci-42');
    expect(prefixed.bus).toBe('ci-42-stitch');
    expect(prefixed.queues.every((queue) => queue.name.startsWith('ci-42-'))).toBe(true);
    expect(prefixed.commandQueue({ kind: 'queue', name: 'order-service' })).toBe('ci-42-order-service');
    expect(prefixed.sourceQueues({ kind: 'subscription', topic: 'events', name: 'email-service' })).toEqual({
      queue: 'ci-42-email-service-events',
      deadLetterQueue: 'ci-42-email-service-events-dlq',
      targetDeadLetterQueue: 'ci-42-email-service-events-target-dlq',
      maxReceiveCount: 6,
    });
    expect(prefixed.rules.map((rule) => rule.bus)).toEqual(prefixed.rules.map(() => 'ci-42-stitch'));
  });

  it('refuses a bad prefix and names outside the topology', () => {
    expect(() => awsEntities(topology, 'has space')).toThrow(/STITCH_PREFIX "has space" must be/);
    expect(() => awsEntities(topology, 'x'.repeat(41))).toThrow(/STITCH_PREFIX/);
    expect(() => entities.commandQueue({ kind: 'queue', name: 'storefront' })).toThrow(
      'AWS transport: queue storefront is not in the topology',
    );
    expect(() => entities.commandQueue({ kind: 'topic', name: 'events' })).toThrow(/not a command queue/);
    expect(() => entities.sourceQueues({ kind: 'subscription', topic: 'events', name: 'inventory-service' })).toThrow(
      /subscription events\/inventory-service is not in the topology/,
    );
  });
});

describe('AWS policies', () => {
  it('redrives to the dead-letter queue by ARN', () => {
    expect(JSON.parse(redrivePolicy('arn:aws:sqs:eu-west-1:1:x-dlq', 6))).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:1:x-dlq',
      maxReceiveCount: 6,
    });
  });

  it('allows EventBridge to send only on behalf of the one rule', () => {
    const policy = JSON.parse(queuePolicy('arn:aws:sqs:eu-west-1:1:q', 'arn:aws:events:eu-west-1:1:rule/stitch/q'));
    expect(policy.Statement).toEqual([
      {
        Sid: 'stitch-event-rule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: 'arn:aws:sqs:eu-west-1:1:q',
        Condition: { ArnEquals: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:1:rule/stitch/q' } },
      },
    ]);
  });
});

describe('infra/aws/topology.json', () => {
  it('is what the catalogue gives; regenerate it with npm run -s topology:aws -- --json > infra/aws/topology.json', () => {
    const file = path.resolve(__dirname, '../../../../infra/aws/topology.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(topologyDocument(awsEntities(shopCatalogue.topology())));
  });
});
