import type { Catalogue } from '@stitch/messaging-catalogue';
import { FLOW_SUBSCRIPTION, SHOP_MARKER_QUEUE, type ServiceBusEntities } from '@stitch/messaging-azure-service-bus';

/** The two data roles a service's identity is given: nobody gets Data Owner (which can create and delete entities). */
export type DataRole = 'sender' | 'receiver';

export type EntityRef =
  | { readonly kind: 'queue'; readonly name: string }
  | { readonly kind: 'topic'; readonly name: string }
  | { readonly kind: 'subscription'; readonly topic: string; readonly name: string };

export interface Grant {
  readonly entity: EntityRef;
  readonly role: DataRole;
}

export interface ServiceRights {
  readonly service: string;
  readonly grants: readonly Grant[];
}

export interface RightsOptions {
  /** The service that holds the operator surface (list, replay, purge dead letters) and the live flow view. */
  readonly operator: string;
}

export function entityKey(entity: EntityRef): string {
  return entity.kind === 'subscription' ? `subscription ${entity.topic}/${entity.name}` : `${entity.kind} ${entity.name}`;
}

export function grantKey(grant: Grant): string {
  return `${grant.role} ${entityKey(grant.entity)}`;
}

/**
 * What `service`'s identity may do on the namespace, each right at one entity's scope, from the catalogue and the
 * Service Bus entities alone (read from the transport in libs/messaging/azure-service-bus):
 * - Sender on the queue of each command it sends;
 * - Receiver on its own queue and subscription (receiving, settling and dead-lettering its messages, and its
 *   dead-letter sub-queue, are all Listen on the entity), and Sender there too: a retry is a scheduled copy sent back
 *   to the queue, or to the topic addressed (`to`) to the subscription alone;
 * - Sender on the events topic: publishing, and the start-up check opens a send link to every topic (checkEntities),
 *   so a service without it does not start; the same for the flow topic, where every service writes flow records;
 * - Receiver on the shop marker queue, which the start-up check peeks (a peek is Listen);
 * - the operator: Receiver on the flow subscription it reads, Receiver on every queue and subscription (listing,
 *   replaying and purging a dead-letter sub-queue receive from it), and Sender on every queue and on the events
 *   topic, where replay sends a dead letter back (dead-letters.ts: to the queue, or to the topic addressed to the
 *   subscription it failed at).
 */
export function serviceRights(catalogue: Catalogue, entities: ServiceBusEntities, service: string, options: RightsOptions): ServiceRights {
  const topology = catalogue.topology();
  const events = topology.topic.name;
  const flow = topology.flow.name;
  const grants = new Map<string, Grant>();
  const grant = (role: DataRole, entity: EntityRef) => grants.set(grantKey({ role, entity }), { role, entity });
  const queue = (name: string): EntityRef => {
    if (!entities.queues.some((q) => q.name === name)) throw new Error(`serviceRights: no queue ${name} among the Service Bus entities`);
    return { kind: 'queue', name };
  };
  const subscriptionsOf = (topic: string) => entities.topics.find((t) => t.name === topic)?.subscriptions ?? [];

  for (const command of catalogue.commandsSentBy(service)) {
    const owner = topology.queues.find((q) => q.service === command.owner);
    if (!owner) throw new Error(`serviceRights: command ${command.type} has no queue (owner ${command.owner})`);
    grant('sender', queue(owner.name));
  }
  for (const own of consumedEntities(catalogue, service)) {
    grant('receiver', own.kind === 'queue' ? queue(own.name) : own);
    if (own.kind === 'queue') grant('sender', own);
  }
  grant('sender', { kind: 'topic', name: events });
  grant('sender', { kind: 'topic', name: flow });
  grant('receiver', queue(SHOP_MARKER_QUEUE));

  if (service === options.operator) {
    grant('receiver', { kind: 'subscription', topic: flow, name: FLOW_SUBSCRIPTION });
    for (const { name } of topology.queues) {
      grant('receiver', queue(name));
      grant('sender', queue(name));
    }
    for (const subscription of subscriptionsOf(events)) grant('receiver', { kind: 'subscription', topic: events, name: subscription.name });
  }

  return { service, grants: [...grants.values()].sort((a, b) => grantKey(a).localeCompare(grantKey(b))) };
}

/** The entities `service` consumes as their one consumer: its own queue and its own subscription to the events topic. */
export function consumedEntities(catalogue: Catalogue, service: string): EntityRef[] {
  const topology = catalogue.topology();
  return [
    ...topology.queues.filter((q) => q.service === service).map((q): EntityRef => ({ kind: 'queue', name: q.name })),
    ...topology.topic.subscriptions
      .filter((s) => s.service === service)
      .map((s): EntityRef => ({ kind: 'subscription', topic: s.topic, name: s.name })),
  ];
}
