import type { Topology } from '@stitch/messaging-catalogue';

/**
 * The Service Bus entities a topology needs, as one plain description that provisioning (create/update/diff),
 * the emulator's Config.json and the transport's start-up check all read, so they cannot drift apart.
 */
export interface QueueEntity {
  readonly name: string;
  /** The catalogue's maximum plus one: the broker's backstop for consumers that die holding the lock. */
  readonly maxDeliveryCount: number;
  readonly lockDurationSeconds: number;
  readonly deadLetteringOnMessageExpiration: boolean;
  readonly defaultMessageTimeToLiveSeconds: number;
}

/** A correlation filter; the emulator's Config.json calls `subject` `Label` and `to` `To`. */
export type SubscriptionRule =
  /** One event type the service handles; named after the type, with characters Service Bus refuses replaced. */
  | { readonly name: string; readonly subject: string }
  /**
   * Retries and replays addressed to this subscription alone (`to` = its name, no `subject`): Service Bus cannot put
   * a message into one subscription, and a copy sent to the topic by subject would reach every subscriber again.
   */
  | { readonly name: string; readonly to: string };

/** The name of each subscription's `to` rule. */
export const DIRECT_RULE = 'direct';

export interface SubscriptionEntity extends QueueEntity {
  readonly topic: string;
  /**
   * Exactly the event types the subscribing service handles and its `to` rule, with no `$Default` rule; or 'all'
   * (the flow channel's subscription keeps the `$Default` true filter).
   */
  readonly rules: readonly SubscriptionRule[] | 'all';
}

export interface TopicEntity {
  readonly name: string;
  readonly defaultMessageTimeToLiveSeconds: number;
  readonly subscriptions: readonly SubscriptionEntity[];
}

export interface ServiceBusEntities {
  readonly queues: readonly QueueEntity[];
  readonly topics: readonly TopicEntity[];
}

/** The `flow` topic's subscription the storefront reads (see the README: subscriptions are provisioned, not made by services). */
export const FLOW_SUBSCRIPTION = 'storefront';

/**
 * The broker's lock on a received message, fixed per entity: a message whose consumer died comes back after this
 * long. 1 minute is valid everywhere (the emulator allows 1–5 minutes on a subscription, a namespace 5 s–5 minutes);
 * the transport renews it while a handler runs, and accepts consumer locks down to half of it (see the README).
 */
export const LOCK_DURATION_SECONDS = 60;
/** Emulator limit: a message lives at most 1 hour there. */
export const MESSAGE_TTL_SECONDS = 3_600;
/** Flow records are best effort and short-lived. */
export const FLOW_TTL_SECONDS = 60;

/**
 * The shop marker: a queue holding one message whose `stitch-shop` property is the id of the shop instance the
 * namespace is provisioned for. `topology:azure --apply` writes it; a starting service peeks it, which the Listen
 * right (Azure Service Bus Data Receiver) it already has allows: services cannot read entity metadata, which takes
 * Manage. Nobody receives from it, so the message stays; it never expires on a namespace.
 */
export const SHOP_MARKER_QUEUE = 'stitch-shop';
export const SHOP_MARKER_PROPERTY = 'stitch-shop';
/** As long as Service Bus keeps anything (TimeSpan.MaxValue, in whole days); the emulator caps it at 1 hour. */
const SHOP_MARKER_TTL_SECONDS = 10_675_199 * 86_400;

export function ruleName(type: string): string {
  return type.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 50);
}

export function serviceBusEntities(topology: Topology): ServiceBusEntities {
  const entity = (name: string, maxDeliveryCount: number): QueueEntity => ({
    name,
    maxDeliveryCount,
    lockDurationSeconds: LOCK_DURATION_SECONDS,
    deadLetteringOnMessageExpiration: true,
    defaultMessageTimeToLiveSeconds: MESSAGE_TTL_SECONDS,
  });
  return {
    queues: [
      ...topology.queues.map((queue) => entity(queue.name, queue.maxDeliveryCount)),
      {
        ...entity(SHOP_MARKER_QUEUE, 1),
        deadLetteringOnMessageExpiration: false,
        defaultMessageTimeToLiveSeconds: SHOP_MARKER_TTL_SECONDS,
      },
    ],
    topics: [
      {
        name: topology.topic.name,
        defaultMessageTimeToLiveSeconds: MESSAGE_TTL_SECONDS,
        subscriptions: topology.topic.subscriptions.map((subscription) => ({
          ...entity(subscription.name, subscription.maxDeliveryCount),
          topic: subscription.topic,
          rules: [
            ...subscription.types.map((type) => ({ name: ruleName(type), subject: type })),
            { name: DIRECT_RULE, to: subscription.name },
          ],
        })),
      },
      {
        name: topology.flow.name,
        defaultMessageTimeToLiveSeconds: FLOW_TTL_SECONDS,
        // Flow records are never retried nor dead-lettered: one delivery, and expiry drops them.
        subscriptions: [
          {
            ...entity(FLOW_SUBSCRIPTION, 1),
            deadLetteringOnMessageExpiration: false,
            defaultMessageTimeToLiveSeconds: FLOW_TTL_SECONDS,
            topic: topology.flow.name,
            rules: 'all',
          },
        ],
      },
    ],
  };
}
