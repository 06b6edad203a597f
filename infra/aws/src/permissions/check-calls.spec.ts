import type { RecordedCall } from '@stitch/messaging-aws';
import { synthShop } from '../synth';
import { deniedCalls, describeRequest, requestsByService } from './check-calls';
import { SERVICE_TAG, type CfnTemplate } from './template-policies';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const url = (queue: string) => `http://127.0.0.1:5000/123456789012/${queue}`;

/** What order-service's process records on a run: its start-up checks, its queue, a command to payment, an event. */
const orderCalls: RecordedCall[] = [
  { service: 'order-service', api: 'sqs:GetQueueUrl', input: { QueueName: 'p-order-service' } },
  { service: 'order-service', api: 'events:DescribeRule', input: { Name: 'order-service', EventBusName: 'p-stitch' } },
  { service: 'order-service', api: 'sqs:ReceiveMessage', input: { QueueUrl: url('p-order-service') } },
  { service: 'order-service', api: 'sqs:DeleteMessageBatch', input: { QueueUrl: url('p-order-service') } },
  { service: 'order-service', api: 'sqs:ReceiveMessage', input: { QueueUrl: url('p-order-service') } },
  { service: 'order-service', api: 'sqs:SendMessageBatch', input: { QueueUrl: url('p-payment-service') } },
  { service: 'order-service', api: 'events:PutEvents', input: { Entries: [{ EventBusName: 'p-stitch' }] } },
];

const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const handMade: CfnTemplate = {
  Resources: {
    OrderQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'p-order-service' } },
    PaymentQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'p-payment-service' } },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'p-stitch' } },
    OrderRule: { Type: 'AWS::Events::Rule', Properties: { Name: 'order-service', EventBusName: { Ref: 'Bus' } } },
    OrderRole: { Type: 'AWS::IAM::Role', Properties: { Tags: [{ Key: SERVICE_TAG, Value: 'order-service' }] } },
    OrderRolePolicy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'OrderRole' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: ['sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: getAtt('OrderQueue') },
            { Effect: 'Allow', Action: 'events:DescribeRule', Resource: getAtt('OrderRule') },
            // The command to payment-service is missing: it must be reported.
            { Effect: 'Allow', Action: 'events:PutEvents', Resource: getAtt('Bus') },
          ],
        },
      },
    },
  },
};

describe('requestsByService', () => {
  it('lists each distinct authorization a service needed, batch APIs as their single action', () => {
    expect([...requestsByService(orderCalls, scope)].map(([service, requests]) => [service, requests.map(describeRequest)])).toEqual([
      [
        'order-service',
        [
          'events:DescribeRule on arn:aws:events:us-east-1:123456789012:rule/p-stitch/order-service',
          'events:PutEvents on arn:aws:events:us-east-1:123456789012:event-bus/p-stitch',
          'sqs:DeleteMessage on arn:aws:sqs:us-east-1:123456789012:p-order-service',
          'sqs:GetQueueUrl on arn:aws:sqs:us-east-1:123456789012:p-order-service',
          'sqs:ReceiveMessage on arn:aws:sqs:us-east-1:123456789012:p-order-service',
          'sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:p-payment-service',
        ],
      ],
    ]);
  });
});

describe('deniedCalls', () => {
  it('names each call the service’s role does not allow, once', () => {
    expect(deniedCalls(handMade, orderCalls, scope)).toEqual([
      'order-service: sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:p-payment-service',
    ]);
  });

  it('reports nothing when the role allows every call', () => {
    const allowed = orderCalls.filter((call) => call.api !== 'sqs:SendMessageBatch');
    expect(deniedCalls(handMade, allowed, scope)).toEqual([]);
  });

  it('fails for a service that made calls and has no role', () => {
    const payment: RecordedCall = { service: 'payment-service', api: 'sqs:ReceiveMessage', input: { QueueUrl: url('p-payment-service') } };
    expect(() => deniedCalls(handMade, [...orderCalls, payment], scope)).toThrow(
      /no IAM role in the template is tagged stitch:service=payment-service/,
    );
  });

  it("reads the policies CDK synthesizes for the shop stack's task roles", () => {
    const template = synthShop({ prefix: 'p', shopId: 'p' }).template.toJSON() as CfnTemplate;
    expect(deniedCalls(template, orderCalls, scope)).toEqual([]);
    const receivesPayments: RecordedCall = {
      service: 'order-service',
      api: 'sqs:ReceiveMessage',
      input: { QueueUrl: url('p-payment-service') },
    };
    expect(deniedCalls(template, [...orderCalls, receivesPayments], scope)).toEqual([
      'order-service: sqs:ReceiveMessage on arn:aws:sqs:us-east-1:123456789012:p-payment-service',
    ]);
  });
});
