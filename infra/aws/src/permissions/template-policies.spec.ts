import { isAllowed, statementsOf, type CfnTemplate, type PolicyStatement } from './template-policies';

const scope = { partition: 'aws', region: 'us-east-1', account: '123456789012' };
const arn = (rest: string) => `arn:aws:${rest}`;
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const tagged = (service: string) => [{ Key: 'stitch:service', Value: service }];

/** A small shop: two queues, a bus, one rule, and a task role per service with a policy written as CDK writes them. */
function shopTemplate(orderPolicy: object[], extra: Record<string, object> = {}): CfnTemplate {
  return {
    Resources: {
      OrderQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'p-order-service' } },
      PaymentQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'p-payment-service' } },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'p-stitch' } },
      OrderRule: { Type: 'AWS::Events::Rule', Properties: { Name: 'order-service', EventBusName: { Ref: 'Bus' } } },
      OrderRole: { Type: 'AWS::IAM::Role', Properties: { Tags: tagged('order-service') } },
      OrderRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyDocument: { Statement: orderPolicy, Version: '2012-10-17' }, Roles: [{ Ref: 'OrderRole' }] },
      },
      PaymentRole: { Type: 'AWS::IAM::Role', Properties: { Tags: tagged('payment-service') } },
      PaymentRoleDefaultPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: getAtt('PaymentQueue') }] },
          Roles: [{ Ref: 'PaymentRole' }],
        },
      },
      ...extra,
    },
  } as CfnTemplate;
}

const consumeOwnQueue = { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Resource: getAtt('OrderQueue') };

describe('statementsOf', () => {
  it("resolves the service's role's statements to plain ARNs: GetAtt, Ref, Join, Sub and the pseudo parameters", () => {
    const template = shopTemplate([
      consumeOwnQueue,
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: getAtt('Bus') },
      { Effect: 'Allow', Action: ['events:DescribeRule', 'events:ListTargetsByRule'], Resource: getAtt('OrderRule') },
      {
        Effect: 'Allow',
        Action: 'sqs:GetQueueUrl',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sqs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':p-*']],
        },
      },
      {
        Effect: 'Allow',
        Action: 'events:DescribeEventBus',
        Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${Bus}' }],
      },
      { Effect: 'Allow', Action: 'sqs:ListQueueTags', Resource: { 'Fn::Sub': ['${Queue}-${!Literal}', { Queue: getAtt('OrderQueue') }] } },
    ]);

    expect(statementsOf(template, 'order-service', scope)).toEqual([
      {
        source: 'OrderRoleDefaultPolicy statement 1',
        Effect: 'Allow',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
        Resource: [arn('sqs:us-east-1:123456789012:p-order-service')],
      },
      {
        source: 'OrderRoleDefaultPolicy statement 2',
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: [arn('events:us-east-1:123456789012:event-bus/p-stitch')],
      },
      {
        source: 'OrderRoleDefaultPolicy statement 3',
        Effect: 'Allow',
        Action: ['events:DescribeRule', 'events:ListTargetsByRule'],
        Resource: [arn('events:us-east-1:123456789012:rule/p-stitch/order-service')],
      },
      {
        source: 'OrderRoleDefaultPolicy statement 4',
        Effect: 'Allow',
        Action: ['sqs:GetQueueUrl'],
        Resource: [arn('sqs:us-east-1:123456789012:p-*')],
      },
      {
        source: 'OrderRoleDefaultPolicy statement 5',
        Effect: 'Allow',
        Action: ['events:DescribeEventBus'],
        Resource: [arn('events:us-east-1:123456789012:event-bus/p-stitch')],
      },
      {
        source: 'OrderRoleDefaultPolicy statement 6',
        Effect: 'Allow',
        Action: ['sqs:ListQueueTags'],
        Resource: [`${arn('sqs:us-east-1:123456789012:p-order-service')}-\${Literal}`],
      },
    ]);
  });

  it('resolves a log group ARN to the ARN that covers its streams, and matches a stream under it', () => {
    const template = shopTemplate(
      [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt('Metrics') }],
      { Metrics: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/stitch/p/order-service/metrics' } } },
    );
    const statements = statementsOf(template, 'order-service', scope);
    expect(statements.map(({ Resource }) => Resource)).toEqual([
      [arn('logs:us-east-1:123456789012:log-group:/stitch/p/order-service/metrics:*')],
    ]);
    const stream = arn('logs:us-east-1:123456789012:log-group:/stitch/p/order-service/metrics:log-stream:task-1');
    expect(isAllowed(statements, 'logs:PutLogEvents', stream)).toBe(true);
    expect(
      isAllowed(statements, 'logs:PutLogEvents', arn('logs:us-east-1:123456789012:log-group:/stitch/p/order-service:log-stream:x')),
    ).toBe(false);
  });

  it('reads the inline policies and the template’s managed policies the role attaches, once each', () => {
    const managed = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: { Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('PaymentQueue') } },
        Roles: [{ Ref: 'EmailRole' }],
      },
    };
    const template = shopTemplate([consumeOwnQueue], {
      Managed: managed,
      EmailRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          Tags: tagged('email-service'),
          Policies: [
            { PolicyName: 'own', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: '*' }] } },
          ],
          ManagedPolicyArns: [{ Ref: 'Managed' }],
        },
      },
    });
    expect(statementsOf(template, 'email-service', scope).map(({ source, Action, Resource }) => ({ source, Action, Resource }))).toEqual([
      { source: 'Managed statement 1', Action: ['sqs:SendMessage'], Resource: [arn('sqs:us-east-1:123456789012:p-payment-service')] },
      { source: 'EmailRole inline policy own statement 1', Action: ['sqs:ReceiveMessage'], Resource: ['*'] },
    ]);
  });

  it('says clearly when no role is tagged for the service, and when more than one is', () => {
    expect(() => statementsOf(shopTemplate([consumeOwnQueue]), 'email-service', scope)).toThrow(
      "no IAM role in the template is tagged stitch:service=email-service: the service's task role must carry that tag for its permissions to be checked",
    );
    const twice = shopTemplate([consumeOwnQueue], {
      ExecutionRole: { Type: 'AWS::IAM::Role', Properties: { Tags: tagged('order-service') } },
    });
    expect(() => statementsOf(twice, 'order-service', scope)).toThrow(
      "2 IAM roles are tagged stitch:service=order-service (OrderRole, ExecutionRole): tag only the service's task role",
    );
  });

  it('refuses an intrinsic it cannot resolve, naming it and where it is', () => {
    const refuses = (resource: unknown) =>
      expect(() =>
        statementsOf(shopTemplate([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: resource }]), 'order-service', scope),
      );
    refuses({ 'Fn::ImportValue': 'shared-queue-arn' }).toThrow(
      'OrderRoleDefaultPolicy statement 1 Resource: cannot resolve Fn::ImportValue "shared-queue-arn": this intrinsic is not supported by the permission check',
    );
    refuses(getAtt('OrderQueue', 'QueueUrl')).toThrow(
      /cannot resolve Fn::GetAtt \["OrderQueue","QueueUrl"\]: attribute QueueUrl of a AWS::SQS::Queue/,
    );
    refuses({ Ref: 'OrderQueue' }).toThrow(/cannot resolve Ref "OrderQueue": Ref of a AWS::SQS::Queue is not supported/);
    refuses({ Ref: 'AWS::StackName' }).toThrow(/cannot resolve Ref "AWS::StackName": the pseudo parameter AWS::StackName is not supported/);
    refuses(getAtt('Gone')).toThrow(/no resource Gone in the template/);
    const unnamed = shopTemplate([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('Unnamed') }], {
      Unnamed: { Type: 'AWS::SQS::Queue', Properties: {} },
    });
    expect(() => statementsOf(unnamed, 'order-service', scope)).toThrow(/Unnamed has no QueueName/);
  });

  it('refuses a managed policy from outside the template and a permissions boundary', () => {
    const outside = shopTemplate([consumeOwnQueue], {
      EmailRole: {
        Type: 'AWS::IAM::Role',
        Properties: { Tags: tagged('email-service'), ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonSQSFullAccess'] },
      },
    });
    expect(() => statementsOf(outside, 'email-service', scope)).toThrow(
      'role EmailRole: managed policy "arn:aws:iam::aws:policy/AmazonSQSFullAccess" is not in the template, so its statements cannot be read',
    );
    const bounded = shopTemplate([consumeOwnQueue], {
      EmailRole: { Type: 'AWS::IAM::Role', Properties: { Tags: tagged('email-service'), PermissionsBoundary: 'arn:aws:iam::1:policy/b' } },
    });
    expect(() => statementsOf(bounded, 'email-service', scope)).toThrow(
      'role EmailRole: a PermissionsBoundary is not supported by this check',
    );
  });
});

describe('isAllowed', () => {
  const orderQueue = arn('sqs:us-east-1:123456789012:p-order-service');
  const paymentQueue = arn('sqs:us-east-1:123456789012:p-payment-service');
  const allow = (Action: string[], Resource: string[]): PolicyStatement => ({ source: 'test', Effect: 'Allow', Action, Resource });

  it("lets order-service receive from its own queue and not from payment-service's", () => {
    const statements = statementsOf(shopTemplate([consumeOwnQueue]), 'order-service', scope);
    expect(isAllowed(statements, 'sqs:ReceiveMessage', orderQueue)).toBe(true);
    expect(isAllowed(statements, 'sqs:ReceiveMessage', paymentQueue)).toBe(false);
    expect(isAllowed(statements, 'sqs:SendMessage', orderQueue)).toBe(false);
  });

  it('matches actions without regard to case, with * and ?', () => {
    expect(isAllowed([allow(['SQS:receivemessage'], [orderQueue])], 'sqs:ReceiveMessage', orderQueue)).toBe(true);
    expect(isAllowed([allow(['sqs:*'], [orderQueue])], 'sqs:DeleteMessage', orderQueue)).toBe(true);
    expect(isAllowed([allow(['sqs:Get*'], [orderQueue])], 'sqs:DeleteMessage', orderQueue)).toBe(false);
    expect(isAllowed([allow(['sqs:?eleteMessage'], [orderQueue])], 'sqs:DeleteMessage', orderQueue)).toBe(true);
    expect(isAllowed([allow(['*'], [orderQueue])], 'events:PutEvents', orderQueue)).toBe(true);
  });

  it('matches resources case-sensitively, a wildcard within its segment unless it ends the segment', () => {
    const can = (pattern: string, resource: string) => isAllowed([allow(['sqs:SendMessage'], [pattern])], 'sqs:SendMessage', resource);
    expect(can('*', orderQueue)).toBe(true);
    expect(can(arn('sqs:us-east-1:123456789012:p-*'), orderQueue)).toBe(true);
    expect(can(arn('sqs:us-east-1:123456789012:q-*'), orderQueue)).toBe(false);
    expect(can(arn('sqs:us-east-1:123456789012:P-order-service'), orderQueue)).toBe(false);
    expect(can(arn('sqs:*:123456789012:p-order-service'), orderQueue)).toBe(true);
    expect(can(arn('sqs:us-east-?:123456789012:p-order-service'), orderQueue)).toBe(true);
    expect(can(arn('sqs:us-*-1:123456789012:p-order-service'), orderQueue)).toBe(true);
    // Mid-segment, a wildcard does not reach into the next segment.
    expect(can(arn('sqs:us-*1:p-order-service'), orderQueue)).toBe(false);
    expect(can(arn('sqs:*'), orderQueue)).toBe(true);
    expect(can(arn('sqs:us-east-1:123456789012:p-order-service'), paymentQueue)).toBe(false);
  });

  it.each([
    ['a Deny', { source: 'Policy statement 2', Effect: 'Deny', Action: ['sqs:*'], Resource: ['*'] }, 'Effect Deny'],
    ['a NotAction', { source: 'Policy statement 2', Effect: 'Allow', NotAction: ['iam:*'], Resource: ['*'] }, 'NotAction'],
    ['a NotResource', { source: 'Policy statement 2', Effect: 'Allow', Action: ['sqs:*'], NotResource: [orderQueue] }, 'NotResource'],
    [
      'a Condition',
      {
        source: 'Policy statement 2',
        Effect: 'Allow',
        Action: ['sqs:*'],
        Resource: ['*'],
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      },
      'a Condition',
    ],
    [
      'a policy variable',
      { source: 'Policy statement 2', Effect: 'Allow', Action: ['sqs:*'], Resource: ['arn:aws:sqs:*:*:${aws:username}'] },
      'the policy variable',
    ],
  ])('refuses to guess about %s', (_, statement, what) => {
    expect(() =>
      isAllowed([allow(['sqs:ReceiveMessage'], [orderQueue]), statement as PolicyStatement], 'sqs:ReceiveMessage', orderQueue),
    ).toThrow(`Policy statement 2: ${what}`);
  });
});
