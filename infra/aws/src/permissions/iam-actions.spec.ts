import type { RecordedCall } from '@stitch/messaging-aws';
import { iamRequestsOf } from './iam-actions';

const scope = { partition: 'aws', region: 'eu-west-1', account: '111122223333' };
const call = (api: string, input: RecordedCall['input']): RecordedCall => ({ service: 'order-service', api, input });
const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/111122223333/p-order-service';
const orderQueue = 'arn:aws:sqs:eu-west-1:111122223333:p-order-service';

describe('iamRequestsOf', () => {
  it.each([
    ['sqs:SendMessage', 'sqs:SendMessage'],
    ['sqs:SendMessageBatch', 'sqs:SendMessage'],
    ['sqs:ReceiveMessage', 'sqs:ReceiveMessage'],
    ['sqs:DeleteMessage', 'sqs:DeleteMessage'],
    ['sqs:DeleteMessageBatch', 'sqs:DeleteMessage'],
    ['sqs:ChangeMessageVisibility', 'sqs:ChangeMessageVisibility'],
    ['sqs:ChangeMessageVisibilityBatch', 'sqs:ChangeMessageVisibility'],
    ['sqs:ListQueueTags', 'sqs:ListQueueTags'],
    ['sqs:GetQueueAttributes', 'sqs:GetQueueAttributes'],
  ])('authorizes %s as %s on the queue its URL names', (api, action) => {
    expect(iamRequestsOf(call(api, { QueueUrl: queueUrl }), scope)).toEqual([{ action, resource: orderQueue }]);
  });

  it('takes the queue from QueueName, and from the last path segment of an emulator URL', () => {
    expect(iamRequestsOf(call('sqs:GetQueueUrl', { QueueName: 'p-order-service' }), scope)).toEqual([
      { action: 'sqs:GetQueueUrl', resource: orderQueue },
    ]);
    expect(iamRequestsOf(call('sqs:ReceiveMessage', { QueueUrl: 'http://127.0.0.1:5000/123456789012/p-order-service' }), scope)).toEqual([
      { action: 'sqs:ReceiveMessage', resource: orderQueue },
    ]);
  });

  it('authorizes PutEvents once per bus its entries name, an entry without one on the default bus', () => {
    const put = call('events:PutEvents', { Entries: [{ EventBusName: 'p-stitch' }, {}, { EventBusName: 'p-stitch' }] });
    expect(iamRequestsOf(put, { ...scope, partition: 'aws-cn' })).toEqual([
      { action: 'events:PutEvents', resource: 'arn:aws-cn:events:eu-west-1:111122223333:event-bus/p-stitch' },
      { action: 'events:PutEvents', resource: 'arn:aws-cn:events:eu-west-1:111122223333:event-bus/default' },
    ]);
  });

  it('authorizes DescribeEventBus on the bus it names by name or ARN, and on the default bus without one', () => {
    const busArn = 'arn:aws:events:eu-west-1:111122223333:event-bus/p-stitch';
    expect(iamRequestsOf(call('events:DescribeEventBus', { Name: 'p-stitch' }), scope)).toEqual([
      { action: 'events:DescribeEventBus', resource: busArn },
    ]);
    expect(iamRequestsOf(call('events:DescribeEventBus', { Name: busArn }), scope)).toEqual([
      { action: 'events:DescribeEventBus', resource: busArn },
    ]);
    expect(iamRequestsOf(call('events:DescribeEventBus', {}), scope)).toEqual([
      { action: 'events:DescribeEventBus', resource: 'arn:aws:events:eu-west-1:111122223333:event-bus/default' },
    ]);
  });

  it('authorizes DescribeRule and ListTargetsByRule on the rule, with the bus segment only for a custom bus', () => {
    expect(iamRequestsOf(call('events:DescribeRule', { Name: 'order-service', EventBusName: 'p-stitch' }), scope)).toEqual([
      { action: 'events:DescribeRule', resource: 'arn:aws:events:eu-west-1:111122223333:rule/p-stitch/order-service' },
    ]);
    expect(
      iamRequestsOf(
        call('events:ListTargetsByRule', {
          Rule: 'order-service',
          EventBusName: 'arn:aws:events:eu-west-1:111122223333:event-bus/p-stitch',
        }),
        scope,
      ),
    ).toEqual([{ action: 'events:ListTargetsByRule', resource: 'arn:aws:events:eu-west-1:111122223333:rule/p-stitch/order-service' }]);
    expect(iamRequestsOf(call('events:DescribeRule', { Name: 'nightly' }), scope)).toEqual([
      { action: 'events:DescribeRule', resource: 'arn:aws:events:eu-west-1:111122223333:rule/nightly' },
    ]);
    expect(iamRequestsOf(call('events:ListTargetsByRule', { Rule: 'nightly', EventBusName: 'default' }), scope)).toEqual([
      { action: 'events:ListTargetsByRule', resource: 'arn:aws:events:eu-west-1:111122223333:rule/nightly' },
    ]);
  });

  it('refuses an API it has no mapping for, naming it, so a new call cannot pass unexamined', () => {
    expect(() => iamRequestsOf(call('sqs:PurgeQueue', { QueueUrl: queueUrl }), scope)).toThrow(
      /^order-service's call sqs:PurgeQueue .*: no IAM mapping for sqs:PurgeQueue; add it to infra\/aws\/src\/permissions\/iam-actions\.ts/,
    );
  });

  it('refuses a call whose resource was not recorded', () => {
    expect(() => iamRequestsOf(call('sqs:SendMessage', {}), scope)).toThrow(/QueueUrl or QueueName not recorded/);
    expect(() => iamRequestsOf(call('events:DescribeRule', { EventBusName: 'p-stitch' }), scope)).toThrow(/Name not recorded/);
    expect(() => iamRequestsOf(call('events:PutEvents', {}), scope)).toThrow(/no entries recorded/);
  });
});
