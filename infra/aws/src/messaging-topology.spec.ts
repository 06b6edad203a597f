import { Match } from 'aws-cdk-lib/assertions';
import { shopCatalogue } from '@stitch/contracts';
import { awsEntities, redrivePolicy, SHOP_TAG, TARGET_RETRY_POLICY } from '@stitch/messaging-aws';
import { synthShop } from './synth';

// One source of truth: the CDK app holds exactly the queues, bus and rules `npm run topology:aws` provisions.
describe('the messaging topology in the template', () => {
  const prefix = 'shop1';
  const entities = awsEntities(shopCatalogue.topology(), prefix);
  const { template } = synthShop({ prefix, shopId: 'shop-one' });
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const logicalIdOfQueue = (name: string) => {
    const found = Object.entries(resources).find(([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties.QueueName === name);
    if (!found) throw new Error(`no queue ${name} in the template`);
    return found[0];
  };
  const logicalIdOfRule = (name: string) => {
    const found = Object.entries(resources).find(([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.Name === name);
    if (!found) throw new Error(`no rule ${name} in the template`);
    return found[0];
  };
  const queueArn = (name: string) => ({ 'Fn::GetAtt': [logicalIdOfQueue(name), 'Arn'] });

  it('has every queue of the topology and no other', () => {
    const names = Object.values(resources)
      .filter((r) => r.Type === 'AWS::SQS::Queue')
      .map((r) => r.Properties.QueueName)
      .sort();
    expect(names).toEqual(entities.queues.map((queue) => queue.name).sort());
  });

  it.each(entities.queues.map((queue) => [queue.name, queue] as const))(
    'queue %s has the attributes, redrive and shop marker of topology:aws',
    (_name, queue) => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: queue.name,
        MessageRetentionPeriod: Number(queue.attributes.MessageRetentionPeriod),
        ReceiveMessageWaitTimeSeconds: Number(queue.attributes.ReceiveMessageWaitTimeSeconds),
        ...(queue.attributes.MaximumMessageSize ? { MaximumMessageSize: Number(queue.attributes.MaximumMessageSize) } : {}),
        SqsManagedSseEnabled: true,
        RedrivePolicy: queue.redrive
          ? { deadLetterTargetArn: queueArn(queue.redrive.deadLetterQueue), maxReceiveCount: queue.redrive.maxReceiveCount }
          : Match.absent(),
        Tags: Match.arrayWith([{ Key: SHOP_TAG, Value: 'shop-one' }]),
      });
      // The redrive policy as topology:aws writes it, with the ARN resolved.
      if (queue.redrive)
        expect(JSON.parse(redrivePolicy('arn', queue.redrive.maxReceiveCount))).toEqual({
          deadLetterTargetArn: 'arn',
          maxReceiveCount: queue.redrive.maxReceiveCount,
        });
    },
  );

  it('has the bus of the topology', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: entities.bus });
  });

  it('has one rule per subscribing service, with its pattern, target, target dead-letter queue and retry policy', () => {
    template.resourceCountIs('AWS::Events::Rule', entities.rules.length);
    for (const rule of entities.rules) {
      template.hasResourceProperties('AWS::Events::Rule', {
        Name: rule.name,
        EventBusName: { Ref: Match.anyValue() },
        EventPattern: { 'detail-type': [...rule.pattern['detail-type']] },
        Targets: [
          {
            Arn: queueArn(rule.targetQueue),
            DeadLetterConfig: { Arn: queueArn(rule.targetDeadLetterQueue) },
            RetryPolicy: TARGET_RETRY_POLICY,
            Id: Match.anyValue(),
          },
        ],
      });
    }
  });

  it('lets each rule, and only its rule, send to its queue and its target dead-letter queue', () => {
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy');
    for (const rule of entities.rules) {
      for (const queue of [rule.targetQueue, rule.targetDeadLetterQueue]) {
        const id = logicalIdOfQueue(queue);
        const statements = policies
          .filter((policy) => JSON.stringify(policy.Properties.Queues).includes(`"${id}"`))
          .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
          .filter((statement) => statement.Effect === 'Allow');
        // CDK's SQS target grants the rule GetQueueAttributes and GetQueueUrl beside SendMessage: reads of the queue itself.
        expect(statements).toEqual([
          expect.objectContaining({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [logicalIdOfRule(rule.name), 'Arn'] } } },
          }),
        ]);
        expect(
          [statements[0]?.Action]
            .flat()
            .filter((action): action is string => typeof action === 'string')
            .filter((action) => !action.startsWith('sqs:GetQueue')),
        ).toEqual(['sqs:SendMessage']);
      }
    }
  });

  it('refuses every request that does not use TLS, on every queue', () => {
    for (const queue of entities.queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: Match.arrayWith([{ Ref: logicalIdOfQueue(queue.name) }]),
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });
});
