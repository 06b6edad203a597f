import { Duration, Tags } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Topology } from '@stitch/messaging-catalogue';
import { awsEntities, SHOP_TAG, TARGET_RETRY_POLICY, type AwsEntities, type QueueEntity } from '@stitch/messaging-aws';

export interface MessagingTopologyProps {
  readonly topology: Topology;
  readonly prefix: string;
  /** Written as the shop marker tag on every queue; the services refuse a topology tagged for another shop. */
  readonly shopId: string;
}

/**
 * The queues, dead-letter queues, event bus and rules, from the same entities `npm run topology:aws` provisions
 * (`awsEntities`), so a name, limit or pattern is never written twice.
 */
export class MessagingTopology extends Construct {
  readonly entities: AwsEntities;
  readonly bus: events.EventBus;
  private readonly queues = new Map<string, sqs.Queue>();
  private readonly rules = new Map<string, events.Rule>();

  constructor(scope: Construct, id: string, props: MessagingTopologyProps) {
    super(scope, id);
    this.entities = awsEntities(props.topology, props.prefix);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: this.entities.bus });

    // Dead-letter queues come first in the entities, so a redrive target is always defined before its source.
    for (const entity of this.entities.queues) {
      const queue = new sqs.Queue(this, entity.name, this.queueProps(entity));
      Tags.of(queue).add(SHOP_TAG, props.shopId);
      this.queues.set(entity.name, queue);
    }

    for (const entity of this.entities.rules) {
      const rule = new events.Rule(this, `Rule-${entity.name}`, {
        ruleName: entity.name,
        eventBus: this.bus,
        eventPattern: { detailType: [...entity.pattern['detail-type']] },
        description: `${entity.service}: ${entity.types.join(', ')}`,
      });
      rule.addTarget(
        new targets.SqsQueue(this.queue(entity.targetQueue), {
          deadLetterQueue: this.queue(entity.targetDeadLetterQueue),
          retryAttempts: TARGET_RETRY_POLICY.MaximumRetryAttempts,
          maxEventAge: Duration.seconds(TARGET_RETRY_POLICY.MaximumEventAgeInSeconds),
        }),
      );
      this.rules.set(entity.name, rule);
    }
  }

  /** The queue of that name; throws for a name the topology does not hold, so a typo fails the synth. */
  queue(name: string): sqs.Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`MessagingTopology: no queue "${name}" in the topology`);
    return queue;
  }

  /** The rule of that name; throws for a name the topology does not hold. */
  ruleOf(name: string): events.Rule {
    const rule = this.rules.get(name);
    if (!rule) throw new Error(`MessagingTopology: no rule "${name}" in the topology`);
    return rule;
  }

  get allQueues(): readonly { readonly entity: QueueEntity; readonly queue: sqs.Queue }[] {
    return this.entities.queues.map((entity) => ({ entity, queue: this.queue(entity.name) }));
  }

  private queueProps(entity: QueueEntity): sqs.QueueProps {
    const attribute = (name: string) => {
      const value = entity.attributes[name];
      return value === undefined ? undefined : Number(value);
    };
    const seconds = (name: string) => {
      const value = attribute(name);
      return value === undefined ? undefined : Duration.seconds(value);
    };
    return {
      queueName: entity.name,
      maxMessageSizeBytes: attribute('MaximumMessageSize'),
      retentionPeriod: seconds('MessageRetentionPeriod'),
      receiveMessageWaitTime: seconds('ReceiveMessageWaitTimeSeconds'),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      ...(entity.redrive
        ? { deadLetterQueue: { queue: this.queue(entity.redrive.deadLetterQueue), maxReceiveCount: entity.redrive.maxReceiveCount } }
        : {}),
    };
  }
}
