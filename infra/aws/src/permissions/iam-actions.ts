import type { RecordedCall } from '@stitch/messaging-aws';

/** Where the ARNs point: the partition, region and account the stack is deployed to. */
export interface ArnScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** One authorization IAM makes for a call: this action on this resource. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
}

/**
 * The IAM action each recorded API is authorized as, and on which resource, from AWS's Service Authorization Reference
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html, …/list_amazoneventbridge.html)
 * and the services' permission tables:
 * - SQS (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html):
 *   every queue API on `arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`. "You cannot set permissions explicitly
 *   for SendMessageBatch, DeleteMessageBatch, or ChangeMessageVisibilityBatch": they are authorized as SendMessage,
 *   DeleteMessage and ChangeMessageVisibility (…/SQSDeveloperGuide/sqs-batch-api.html).
 * - EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-permissions-reference.html and
 *   …/eb-manage-iam-access.html): each API as `events:<API>`; PutEvents and DescribeEventBus on the bus,
 *   `arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}`; DescribeRule and ListTargetsByRule on the
 *   rule, `arn:${Partition}:events:${Region}:${Account}:rule/[${EventBusName}/]${RuleName}`, where a rule of the
 *   default bus has no bus segment. An omitted bus is the default bus.
 * An API missing here is an error, so a new call cannot pass the permission check unexamined.
 */
const QUEUE_APIS: Readonly<Record<string, string>> = {
  'sqs:GetQueueUrl': 'sqs:GetQueueUrl',
  'sqs:GetQueueAttributes': 'sqs:GetQueueAttributes',
  'sqs:ListQueueTags': 'sqs:ListQueueTags',
  'sqs:SendMessage': 'sqs:SendMessage',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:ReceiveMessage': 'sqs:ReceiveMessage',
  'sqs:DeleteMessage': 'sqs:DeleteMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility': 'sqs:ChangeMessageVisibility',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
};

const DEFAULT_BUS = 'default';

/** The authorizations one recorded call needs: one for most, one per distinct bus for PutEvents. */
export function iamRequestsOf(call: RecordedCall, scope: ArnScope): IamRequest[] {
  const { api, input } = call;
  const queueAction = QUEUE_APIS[api];
  if (queueAction) return [{ action: queueAction, resource: queueArn(queueNameOf(call), scope) }];
  switch (api) {
    case 'events:PutEvents': {
      if (!input.Entries || input.Entries.length === 0) throw new Error(`${describe(call)}: no entries recorded, so no bus to check`);
      const buses = [...new Set(input.Entries.map((entry) => entry.EventBusName ?? DEFAULT_BUS))];
      return buses.map((bus) => ({ action: 'events:PutEvents', resource: busArn(bus, scope) }));
    }
    case 'events:DescribeEventBus':
      return [{ action: 'events:DescribeEventBus', resource: busArn(input.Name ?? DEFAULT_BUS, scope) }];
    case 'events:DescribeRule':
      return [{ action: 'events:DescribeRule', resource: ruleArn(input.EventBusName, required(call, 'Name', input.Name), scope) }];
    case 'events:ListTargetsByRule':
      return [{ action: 'events:ListTargetsByRule', resource: ruleArn(input.EventBusName, required(call, 'Rule', input.Rule), scope) }];
    default:
      throw new Error(
        `${describe(call)}: no IAM mapping for ${api}; add it to infra/aws/src/permissions/iam-actions.ts from AWS's Service Authorization Reference`,
      );
  }
}

export function queueArn(queueName: string, { partition, region, account }: ArnScope): string {
  return `arn:${partition}:sqs:${region}:${account}:${queueName}`;
}

/** A log group's ARN as CloudFormation's `Fn::GetAtt [group, Arn]` gives it: with `:*`, so it covers the group's streams. */
export function logGroupArn(logGroupName: string, { partition, region, account }: ArnScope): string {
  return `arn:${partition}:logs:${region}:${account}:log-group:${logGroupName}:*`;
}

/** A bus given by name or ARN (the APIs take either). */
export function busArn(bus: string, { partition, region, account }: ArnScope): string {
  return bus.startsWith('arn:') ? bus : `arn:${partition}:events:${region}:${account}:event-bus/${bus}`;
}

export function ruleArn(bus: string | undefined, rule: string, { partition, region, account }: ArnScope): string {
  const busName = bus === undefined ? undefined : busNameOf(bus);
  const busSegment = !busName || busName === DEFAULT_BUS ? '' : `${busName}/`;
  return `arn:${partition}:events:${region}:${account}:rule/${busSegment}${rule}`;
}

function busNameOf(bus: string): string {
  if (!bus.startsWith('arn:')) return bus;
  const marker = ':event-bus/';
  const at = bus.indexOf(marker);
  if (at < 0) throw new Error(`${bus} is not an event bus ARN`);
  return bus.slice(at + marker.length);
}

/** The queue a call names: the last path segment of its QueueUrl (`https://sqs.<region>.amazonaws.com/<account>/<name>`), or its QueueName. */
function queueNameOf(call: RecordedCall): string {
  const { QueueUrl, QueueName } = call.input;
  if (QueueUrl) {
    const name = new URL(QueueUrl).pathname.split('/').filter(Boolean).pop();
    if (!name) throw new Error(`${describe(call)}: no queue name in QueueUrl ${QueueUrl}`);
    return name;
  }
  return required(call, 'QueueUrl or QueueName', QueueName);
}

function required(call: RecordedCall, field: string, value: string | undefined): string {
  if (!value) throw new Error(`${describe(call)}: ${field} not recorded, so its resource is unknown`);
  return value;
}

function describe(call: RecordedCall): string {
  return `${call.service}'s call ${call.api} ${JSON.stringify(call.input)}`;
}
