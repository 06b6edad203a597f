import type { ServiceBusReceiverOptions } from '@azure/service-bus';
import type { Topology } from '@stitch/messaging-catalogue';
import { describeSource, type Destination, type Source } from '@stitch/messaging-core';
import { SHOP_MARKER_QUEUE, serviceBusEntities, type QueueEntity } from '../entities';
import type { ReceiverLike, ServiceBusClientLike } from './client';
import type { RetryTarget } from './mapping';

/** A queue or subscription of the topology, with what the transport needs to receive from and re-send to it. */
export interface Endpoint {
  readonly label: string;
  readonly entity: QueueEntity;
  /** The entity a retry or replay copy is sent to: the queue, or the topic. */
  readonly sendTo: string;
  readonly target: RetryTarget;
  open(client: ServiceBusClientLike, options?: ServiceBusReceiverOptions): ReceiverLike;
}

/** Resolves sources and destinations against the topology's Service Bus entities, so a typo is an error, not a new entity. */
export class Addresses {
  private readonly queues = new Map<string, Endpoint>();
  private readonly subscriptions = new Map<string, Endpoint>();
  private readonly topics = new Set<string>();

  constructor(topology: Topology) {
    const entities = serviceBusEntities(topology);
    // The shop marker queue is read at start only (shop-marker.ts), never sent to nor received from as a queue of the topology.
    for (const queue of entities.queues.filter((q) => q.name !== SHOP_MARKER_QUEUE)) {
      this.queues.set(queue.name, {
        label: `queue ${queue.name}`,
        entity: queue,
        sendTo: queue.name,
        target: { kind: 'queue' },
        open: (client, options) => client.createReceiver(queue.name, options),
      });
    }
    const events = entities.topics.find((topic) => topic.name === topology.topic.name);
    for (const subscription of events?.subscriptions ?? []) {
      this.subscriptions.set(`${subscription.topic}/${subscription.name}`, {
        label: `subscription ${subscription.topic}/${subscription.name}`,
        entity: subscription,
        sendTo: subscription.topic,
        target: { kind: 'subscription', subscription: subscription.name },
        open: (client, options) => client.createReceiver(subscription.topic, subscription.name, options),
      });
    }
    this.topics.add(topology.topic.name);
  }

  of(source: Source): Endpoint {
    const endpoint = source.kind === 'queue' ? this.queues.get(source.name) : this.subscriptions.get(`${source.topic}/${source.name}`);
    if (!endpoint) throw new Error(`Service Bus transport: ${describeSource(source)} is not in the topology`);
    return endpoint;
  }

  to(destination: Destination): string {
    const known = destination.kind === 'queue' ? this.queues.has(destination.name) : this.topics.has(destination.name);
    if (!known) throw new Error(`Service Bus transport: ${destination.kind} ${destination.name} is not in the topology`);
    return destination.name;
  }

  all(): Endpoint[] {
    return [...this.queues.values(), ...this.subscriptions.values()];
  }

  /** The queue and subscription a service receives from. */
  ofService(service: string, topology: Topology): Endpoint[] {
    const queue = topology.queues.find((q) => q.service === service);
    const subscription = topology.topic.subscriptions.find((s) => s.service === service);
    return [
      ...(queue ? [this.of({ kind: 'queue', name: queue.name })] : []),
      ...(subscription ? [this.of({ kind: 'subscription', topic: subscription.topic, name: subscription.name })] : []),
    ];
  }
}
