import type { Topology } from '@stitch/messaging-catalogue';
import type { Destination, Source } from '@stitch/messaging-core';

/** A queue is stored under its own name, a subscription under `topic/name`, e.g. `events/order-service`. */
export function subscriptionAddress(topic: string, name: string): string {
  return `${topic}/${name}`;
}

export function sourceAddress(source: Source): string {
  return source.kind === 'queue' ? source.name : subscriptionAddress(source.topic, source.name);
}

function describe(source: Source | Destination): string {
  if (source.kind === 'subscription') return `subscription ${source.topic}/${source.name}`;
  return `${source.kind} ${source.name}`;
}

/** Checks names against the topology, so a typo fails loudly instead of filling an address nobody reads. */
export class Addresses {
  private readonly known = new Set<string>();
  private readonly subscribers = new Map<string, string[]>();

  constructor(private readonly topology: Topology) {
    for (const queue of topology.queues) this.known.add(queue.name);
    for (const subscription of topology.topic.subscriptions) {
      const address = subscriptionAddress(subscription.topic, subscription.name);
      this.known.add(address);
      for (const type of subscription.types) this.subscribers.set(type, [...(this.subscribers.get(type) ?? []), address]);
    }
  }

  /** The subscriptions an event of these types is copied to, as the filter rules made from the same topology say. */
  subscribersOf(types: readonly string[]): Set<string> {
    return new Set(types.flatMap((type) => this.subscribers.get(type) ?? []));
  }

  /** The address a source reads from. */
  of(source: Source): string {
    const address = sourceAddress(source);
    if (!this.known.has(address)) throw new Error(`Local transport: ${describe(source)} is not in the topology`);
    return address;
  }

  /** The queue's address, or the topic's name for a topic (its subscriptions' rules pick the addresses). */
  to(destination: Destination): string {
    const known = destination.kind === 'queue' ? this.known.has(destination.name) : destination.name === this.topology.topic.name;
    if (!known) throw new Error(`Local transport: ${describe(destination)} is not in the topology`);
    return destination.name;
  }
}
