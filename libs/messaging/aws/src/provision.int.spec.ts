// Provisioning and one round trip through EventBridge, on a real AWS API (see test/emulator.ts):
//   TEST_AWS_ENDPOINT_URL=http://127.0.0.1:5055 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test npx nx run messaging-aws:int-test
import { DescribeRuleCommand, ListTargetsByRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueueTagsCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { shopCatalogue } from '@stitch/contracts';
import { createEnvelope, parseEnvelope, serializeEnvelope } from '@stitch/messaging-core';
import { testAws } from '../test/emulator';
import { awsEntities } from './entities';
import { createAwsClients, destroyAwsClients, type AwsClients } from './clients';
import { toIncoming } from './mapping';
import { applyTopology, checkTopology, deleteTopology, TopologyOfAnotherShop } from './provision';

const { settings, skipReason } = testAws();
if (skipReason) process.stdout.write(`SKIPPED AWS provisioning: ${skipReason}\n`);

(skipReason ? describe.skip : describe)('AWS provisioning', () => {
  const entities = awsEntities(shopCatalogue.topology(), `prov-${randomBytes(3).toString('hex')}`);
  let clients: AwsClients;

  beforeAll(() => {
    clients = createAwsClients(settings);
  });

  afterAll(async () => {
    await deleteTopology(clients, entities);
    destroyAwsClients(clients);
  });

  const attributesOf = async (queue: string) => {
    const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    return (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }))).Attributes ?? {};
  };

  it('creates everything, and a second run changes nothing and fails nothing', async () => {
    expect((await checkTopology(clients, entities)).missing).toHaveLength(entities.queues.length + 1);
    await applyTopology(clients, entities, { shopId: 'shop-a' });
    await applyTopology(clients, entities, { shopId: 'shop-a' });
    expect((await checkTopology(clients, entities)).missing).toEqual([]);
  });

  const shopTags = async () =>
    Promise.all(
      entities.queues.map(async (queue) => {
        const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }));
        return (await clients.sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags?.['stitch:shop'];
      }),
    );

  it('tags every queue with the shop it was provisioned for, and keeps the tag when that shop provisions again', async () => {
    expect(new Set(await shopTags())).toEqual(new Set(['shop-a']));
  });

  it("refuses to provision another shop's topology, changing nothing", async () => {
    const error = await applyTopology(clients, entities, { shopId: 'shop-b' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopologyOfAnotherShop);
    expect((error as Error).message).toBe(
      `the AWS topology with prefix ${entities.prefix} belongs to shop shop-a, not to shop shop-b: nothing changed; provision this shop under its own prefix (STITCH_PREFIX or --prefix)`,
    );
    expect(new Set(await shopTags())).toEqual(new Set(['shop-a']));
  });

  it('sets redrive, size and the one rule allowed to send', async () => {
    const events = await attributesOf(`${entities.prefix}-order-service-events`);
    const deadLetters = await attributesOf(`${entities.prefix}-order-service-events-dlq`);
    expect(JSON.parse(events.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: deadLetters.QueueArn, maxReceiveCount: 6 });
    expect(events.MaximumMessageSize).toBe('1048576');
    const { Arn } = await clients.eventBridge.send(new DescribeRuleCommand({ Name: 'order-service', EventBusName: entities.bus }));
    const statement = JSON.parse(events.Policy ?? '{}').Statement[0];
    expect(statement).toMatchObject({
      Principal: { Service: 'events.amazonaws.com' },
      Resource: events.QueueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': Arn } },
    });
    const flow = await attributesOf(`${entities.prefix}-flow`);
    expect(flow.RedrivePolicy).toBeUndefined();
    expect(flow.MessageRetentionPeriod).toBe('60');
  });

  it('targets each rule at its queue, with a dead-letter queue for what cannot be delivered', async () => {
    const { Targets = [] } = await clients.eventBridge.send(
      new ListTargetsByRuleCommand({ Rule: 'email-service', EventBusName: entities.bus }),
    );
    const targetDeadLetters = await attributesOf(`${entities.prefix}-email-service-events-target-dlq`);
    expect(Targets).toEqual([
      expect.objectContaining({
        Id: 'stitch-queue',
        Arn: expect.stringMatching(/:prov-\w+-email-service-events$/),
        DeadLetterConfig: { Arn: targetDeadLetters.QueueArn },
      }),
    ]);
  });

  it('delivers an event to exactly its subscribers, unwrapped to the CloudEvent that was published', async () => {
    const envelope = createEnvelope(
      { type: 'order.order-placed.v1', kind: 'event', source: 'order-service', data: { any: 1 } },
      { correlationId: 'corr' },
    );
    const result = await clients.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: entities.bus, Source: '/stitch/order-service', DetailType: envelope.type, Detail: serializeEnvelope(envelope) },
        ],
      }),
    );
    expect(result.FailedEntryCount ?? 0).toBe(0);
    const receive = async (queue: string) => {
      const { QueueUrl } = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: `${entities.prefix}-${queue}` }));
      return (await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }))).Messages ?? [];
    };
    const [notification] = await receive('notification-service-events');
    expect(parseEnvelope(JSON.parse(toIncoming(notification ?? {}).body))).toEqual({ envelope, format: 'cloudevent' });
    // OrderPlaced is not among the order or email services' events.
    expect(await receive('order-service-events')).toEqual([]);
    expect(await receive('email-service-events')).toEqual([]);
  });

  it('removes rules the topology no longer names', async () => {
    const smaller = awsEntities(
      {
        ...shopCatalogue.topology(),
        topic: { name: 'events', subscriptions: shopCatalogue.topology().topic.subscriptions.filter((s) => s.service !== 'email-service') },
      },
      entities.prefix,
    );
    await applyTopology(clients, smaller, { shopId: 'shop-a' });
    await expect(
      clients.eventBridge.send(new DescribeRuleCommand({ Name: 'email-service', EventBusName: entities.bus })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await applyTopology(clients, entities, { shopId: 'shop-a' });
  });
});
