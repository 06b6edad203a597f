import type { Topology } from '@stitch/messaging-catalogue';
import type { Destination, Source } from '@stitch/messaging-core';

/**
 * Every AWS name and setting of the topology, derived from the catalogue and nothing else: provisioning creates
 * exactly these, and a starting service checks exactly these, so neither can list something by hand.
 */

/** The largest message SQS takes (since 2025; 256 KiB before). EventBridge entries stay at 256 KB. */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 262_144;
/** SQS `DelaySeconds` goes up to 15 minutes; the core re-defers longer delays on arrival. */
export const SQS_MAX_DELAY_SECONDS = 900;

const RETENTION_SECONDS = 4 * 24 * 3_600;
/** Dead letters wait for a person: the longest SQS keeps anything. */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3_600;
/** Flow records are for watching now; SQS keeps nothing for less than a minute. */
const FLOW_RETENTION_SECONDS = 60;
/** Long polling by default, also for tools that receive without saying how long to wait. */
const RECEIVE_WAIT_SECONDS = 20;

const EVENT_BUS = 'stitch';
/**
 * The shop marker: provisioning tags every queue with the id of the shop instance it is for; a starting service reads
 * the tags of the queues (`sqs:ListQueueTags`) and refuses a topology tagged for another shop.
 */
export const SHOP_TAG = 'stitch:shop';
const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const QUEUE_NAME_MAX = 80;
const RULE_NAME_MAX = 64;

export type QueueRole = 'commands' | 'events' | 'dead-letter' | 'target-dead-letter' | 'flow';

export interface QueueEntity {
  readonly name: string;
  readonly role: QueueRole;
  /** What the queue is for, in one phrase (provisioning prints it). */
  readonly purpose: string;
  /** Attributes that do not depend on ARNs; the redrive and access policies are added with the ARNs. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The queue SQS moves a message to after `maxReceiveCount` receives (the backstop for crashed consumers). */
  readonly redrive?: { readonly deadLetterQueue: string; readonly maxReceiveCount: number };
  /** The rule (on the event bus) whose deliveries this queue accepts; nothing else may send to it. */
  readonly allowRule?: string;
}

export interface RuleEntity {
  readonly name: string;
  readonly service: string;
  readonly bus: string;
  readonly types: readonly string[];
  readonly pattern: EventPattern;
  /** The `<svc>-events` queue it delivers to. */
  readonly targetQueue: string;
  /** Where EventBridge puts what it could not deliver (the queue gone, the policy wrong). */
  readonly targetDeadLetterQueue: string;
}

export interface EventPattern {
  readonly 'detail-type': readonly string[];
}

/** Where a consumer reads one source, and where its dead letters go. */
export interface SourceQueues {
  readonly queue: string;
  readonly deadLetterQueue: string;
  /** For a subscription: EventBridge's own dead letters for its rule. */
  readonly targetDeadLetterQueue?: string;
  readonly maxReceiveCount: number;
}

export interface AwsEntities {
  readonly prefix: string;
  readonly bus: string;
  /** Dead-letter queues first, so a queue's redrive target exists before the queue names it. */
  readonly queues: readonly QueueEntity[];
  readonly rules: readonly RuleEntity[];
  readonly flowQueue: string;
  /** The SQS queue a command for `destination` goes to; throws for what the topology does not hold. */
  commandQueue(destination: Destination): string;
  sourceQueues(source: Source): SourceQueues;
  ruleOf(service: string): RuleEntity | undefined;
}

export function checkPrefix(prefix: string): void {
  if (prefix !== '' && !PREFIX_PATTERN.test(prefix)) {
    throw new Error(`STITCH_PREFIX "${prefix}" must be 1-40 letters, digits, "-" or "_", starting with a letter or digit`);
  }
}

export function awsEntities(topology: Topology, prefix = ''): AwsEntities {
  checkPrefix(prefix);
  const named = (name: string) => (prefix ? `${prefix}-${name}` : name);
  const bus = named(EVENT_BUS);
  const queueAttributes = (retention: number): Record<string, string> => ({
    MaximumMessageSize: String(SQS_MAX_MESSAGE_BYTES),
    MessageRetentionPeriod: String(retention),
    ReceiveMessageWaitTimeSeconds: String(RECEIVE_WAIT_SECONDS),
  });
  const deadLetters: QueueEntity[] = [];
  const queues: QueueEntity[] = [];
  const rules: RuleEntity[] = [];
  const sources = new Map<string, SourceQueues>();

  const withDeadLetterQueue = (name: string, role: 'commands' | 'events', purpose: string, maxReceiveCount: number, allowRule?: string) => {
    const deadLetterQueue = `${name}-dlq`;
    deadLetters.push({
      name: deadLetterQueue,
      role: 'dead-letter',
      purpose: `dead letters of ${name}`,
      attributes: queueAttributes(DEAD_LETTER_RETENTION_SECONDS),
    });
    queues.push({
      name,
      role,
      purpose,
      attributes: queueAttributes(RETENTION_SECONDS),
      redrive: { deadLetterQueue, maxReceiveCount },
      ...(allowRule ? { allowRule } : {}),
    });
    return deadLetterQueue;
  };

  for (const queue of topology.queues) {
    const name = named(queue.name);
    const deadLetterQueue = withDeadLetterQueue(
      name,
      'commands',
      `commands for ${queue.service}: ${queue.types.join(', ')}`,
      queue.maxDeliveryCount,
    );
    sources.set(`queue:${queue.name}`, { queue: name, deadLetterQueue, maxReceiveCount: queue.maxDeliveryCount });
  }
  for (const subscription of topology.topic.subscriptions) {
    const name = named(`${subscription.name}-events`);
    const rule = subscription.name;
    const deadLetterQueue = withDeadLetterQueue(
      name,
      'events',
      `events for ${subscription.service}: ${subscription.types.join(', ')}`,
      subscription.maxDeliveryCount,
      rule,
    );
    const targetDeadLetterQueue = `${name}-target-dlq`;
    deadLetters.push({
      name: targetDeadLetterQueue,
      role: 'target-dead-letter',
      purpose: `events the ${rule} rule could not deliver to ${name}`,
      attributes: queueAttributes(DEAD_LETTER_RETENTION_SECONDS),
      allowRule: rule,
    });
    rules.push({
      name: rule,
      service: subscription.service,
      bus,
      types: subscription.types,
      pattern: eventPattern(subscription.types),
      targetQueue: name,
      targetDeadLetterQueue,
    });
    sources.set(`subscription:${subscription.topic}/${subscription.name}`, {
      queue: name,
      deadLetterQueue,
      targetDeadLetterQueue,
      maxReceiveCount: subscription.maxDeliveryCount,
    });
  }
  const flowQueue = named(topology.flow.name);
  queues.push({
    name: flowQueue,
    role: 'flow',
    purpose: 'flow records for the live view (best effort, never redriven)',
    attributes: queueAttributes(FLOW_RETENTION_SECONDS),
  });

  const all = [...deadLetters, ...queues];
  for (const queue of all) {
    if (queue.name.length > QUEUE_NAME_MAX)
      throw new Error(`queue name ${queue.name} is longer than SQS allows (${QUEUE_NAME_MAX}); use a shorter STITCH_PREFIX`);
  }
  for (const rule of rules) {
    if (rule.name.length > RULE_NAME_MAX) throw new Error(`rule name ${rule.name} is longer than EventBridge allows (${RULE_NAME_MAX})`);
  }

  return {
    prefix,
    bus,
    queues: all,
    rules,
    flowQueue,
    commandQueue(destination) {
      if (destination.kind !== 'queue') throw new Error(`AWS transport: ${destination.kind} ${destination.name} is not a command queue`);
      const found = sources.get(`queue:${destination.name}`);
      if (!found) throw new Error(`AWS transport: queue ${destination.name} is not in the topology`);
      return found.queue;
    },
    sourceQueues(source) {
      const key = source.kind === 'queue' ? `queue:${source.name}` : `subscription:${source.topic}/${source.name}`;
      const found = sources.get(key);
      if (!found) throw new Error(`AWS transport: ${key.replace(':', ' ')} is not in the topology`);
      return found;
    },
    ruleOf(service) {
      return rules.find((rule) => rule.service === service);
    },
  };
}

/**
 * The entities as plain data, for infrastructure code (Terraform, CDK, CloudFormation) to read: written to
 * `infra/aws/topology.json` by `npm run topology:aws -- --json`, and checked against the catalogue by a test.
 */
export function topologyDocument(entities: AwsEntities): object {
  return {
    bus: entities.bus,
    shopMarker: {
      tag: SHOP_TAG,
      on: 'every queue',
      value: 'the shop id (STITCH_SHOP_ID) the topology was provisioned for',
      serviceReadsWith: 'sqs:ListQueueTags',
      provisioningWritesWith: 'sqs:TagQueue (or the tags of CreateQueue)',
    },
    queues: entities.queues.map(({ name, role, purpose, attributes, redrive, allowRule }) => ({
      name,
      role,
      purpose,
      attributes,
      ...(redrive ? { redrive } : {}),
      ...(allowRule ? { allowRule } : {}),
    })),
    rules: entities.rules.map(({ name, service, bus, pattern, targetQueue, targetDeadLetterQueue }) => ({
      name,
      service,
      bus,
      pattern,
      targetQueue,
      targetDeadLetterQueue,
      targetRetryPolicy: TARGET_RETRY_POLICY,
    })),
  };
}

/** Exactly the subscriber's event types, so the rule delivers nothing it would only dead-letter. */
export function eventPattern(types: readonly string[]): EventPattern {
  return { 'detail-type': [...types] };
}

export function redrivePolicy(deadLetterQueueArn: string, maxReceiveCount: number): string {
  return JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount });
}

/** Lets the one rule (and no other rule, bus or principal) send to the queue. */
export function queuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'stitch-event-rule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}

/** How long EventBridge keeps retrying a failed delivery before it uses the target's dead-letter queue. */
export const TARGET_RETRY_POLICY = { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86_400 } as const;
export const TARGET_ID = 'stitch-queue';
