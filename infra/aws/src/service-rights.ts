import type { Catalogue } from '@stitch/messaging-catalogue';
import type { AwsEntities } from '@stitch/messaging-aws';

/** What one service may do on one queue, as IAM actions. */
export interface QueueRights {
  readonly queue: string;
  readonly actions: readonly string[];
}

/** Everything a service's task role may do on the messaging topology, derived from the catalogue alone. */
export interface ServiceRights {
  readonly service: string;
  readonly queues: readonly QueueRights[];
  /** PutEvents on the bus: only a service that publishes events. */
  readonly putEvents: boolean;
  /** The catalogue's queues it consumes as a competing consumer: its command queue and its subscription's queue. */
  readonly consumes: readonly string[];
  /** DescribeRule and ListTargetsByRule: the service's own rule, which its start-up check reads. */
  readonly rules: readonly string[];
}

export const CONSUME = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'] as const;
export const SEND = ['sqs:SendMessage'] as const;
/** The start-up check finds every queue of the shop by name and reads its shop marker tag; nothing else about it. */
export const CHECK = ['sqs:GetQueueUrl', 'sqs:ListQueueTags'] as const;

export interface RightsOptions {
  /** The service that holds the operator surface (list, replay, purge dead letters) and the live flow view. */
  readonly operator: string;
}

/**
 * The rights of `service`: send to the queues of the commands it sends; consume its own queues and send to their
 * dead-letter queues (a consumer dead-letters its own messages); PutEvents when it publishes; send flow records; read
 * what the start-up check reads. The operator service also consumes the flow queue and holds the dead-letter rights:
 * read and delete every dead-letter queue, and send back to every queue a dead letter came from.
 */
export function serviceRights(catalogue: Catalogue, entities: AwsEntities, service: string, options: RightsOptions): ServiceRights {
  const rights = new Map<string, Set<string>>();
  const allow = (queue: string, actions: readonly string[]) => {
    const set = rights.get(queue) ?? new Set<string>();
    actions.forEach((action) => set.add(action));
    rights.set(queue, set);
  };

  for (const queue of entities.queues) allow(queue.name, CHECK);
  for (const command of catalogue.commandsSentBy(service)) {
    allow(entities.commandQueue({ kind: 'queue', name: command.owner }), SEND);
  }
  const topology = catalogue.topology();
  const ownSources = [
    ...topology.queues.filter((queue) => queue.service === service).map((queue) => ({ kind: 'queue' as const, name: queue.name })),
    ...topology.topic.subscriptions
      .filter((subscription) => subscription.service === service)
      .map((subscription) => ({ kind: 'subscription' as const, topic: subscription.topic, name: subscription.name })),
  ];
  const consumes: string[] = [];
  for (const source of ownSources) {
    const queues = entities.sourceQueues(source);
    consumes.push(queues.queue);
    allow(queues.queue, CONSUME);
    allow(queues.deadLetterQueue, SEND);
  }
  allow(entities.flowQueue, SEND);

  if (service === options.operator) {
    allow(entities.flowQueue, CONSUME);
    for (const queue of entities.queues) {
      if (queue.role === 'dead-letter' || queue.role === 'target-dead-letter') allow(queue.name, CONSUME);
      if (queue.redrive) allow(queue.name, SEND);
    }
  }

  const order = new Map(entities.queues.map((queue, index) => [queue.name, index]));
  return {
    service,
    queues: [...rights]
      .sort(([a], [b]) => (order.get(a) ?? 0) - (order.get(b) ?? 0))
      .map(([queue, actions]) => ({ queue, actions: [...actions].sort() })),
    consumes,
    putEvents: catalogue.messages.some((message) => message.kind === 'event' && message.publisher === service),
    rules: entities.rules.filter((rule) => rule.service === service).map((rule) => rule.name),
  };
}
