import type { CommandDefinition, EventDefinition, MessageDefinition } from './define';

/** How many times a consumer may attempt a message from one queue or subscription before dead-lettering it. */
export interface RetryLimits {
  readonly default: number;
  /** Per command queue, keyed by owning service. */
  readonly queues?: Readonly<Record<string, number>>;
  /** Per event subscription, keyed by subscribing service. */
  readonly subscriptions?: Readonly<Record<string, number>>;
}

export interface CatalogueSpec {
  readonly services: readonly string[];
  readonly messages: readonly MessageDefinition[];
  readonly maxAttempts: RetryLimits;
}

export interface QueueSpec {
  /** Equal to the owning service's name. */
  readonly name: string;
  readonly service: string;
  readonly types: readonly string[];
  /** The consumer dead-letters on this attempt. */
  readonly maxAttempts: number;
  /** The broker's own limit: one more than `maxAttempts`, a backstop for consumers that crash. */
  readonly maxDeliveryCount: number;
}

export interface SubscriptionSpec extends QueueSpec {
  readonly topic: string;
}

/** Everything a transport creates, derived from the catalogue so no queue or filter is named by hand. */
export interface Topology {
  readonly queues: readonly QueueSpec[];
  readonly topic: { readonly name: string; readonly subscriptions: readonly SubscriptionSpec[] };
  /** The best-effort channel that carries flow records; outside the catalogue. */
  readonly flow: { readonly name: string };
}

export const EVENTS_TOPIC = 'events';
export const FLOW_CHANNEL = 'flow';

export class Catalogue {
  private readonly byType = new Map<string, MessageDefinition>();

  constructor(private readonly spec: CatalogueSpec) {
    const services = new Set(spec.services);
    const known = (service: string, role: string, message: MessageDefinition) => {
      if (!services.has(service)) {
        throw new Error(`Catalogue: ${message.name} names unknown ${role} "${service}"`);
      }
    };
    for (const message of spec.messages) {
      if (this.byType.has(message.type)) {
        throw new Error(`Catalogue: type "${message.type}" is defined twice`);
      }
      this.byType.set(message.type, message);
      if (message.kind === 'command') {
        known(message.owner, 'owner', message);
        if (!message.senders?.length) throw new Error(`Catalogue: ${message.name} names no senders; a command needs at least one`);
        message.senders.forEach((sender) => known(sender, 'sender', message));
      } else {
        known(message.publisher, 'publisher', message);
        message.subscribers.forEach((subscriber) => known(subscriber, 'subscriber', message));
      }
    }
    for (const [where, limits] of Object.entries({ queues: spec.maxAttempts.queues, subscriptions: spec.maxAttempts.subscriptions })) {
      for (const [service, max] of Object.entries(limits ?? {})) {
        if (!services.has(service)) throw new Error(`Catalogue: maxAttempts.${where} names unknown service "${service}"`);
        if (!Number.isInteger(max) || max < 1) throw new Error(`Catalogue: maxAttempts.${where}.${service} must be an integer >= 1`);
      }
    }
    if (!Number.isInteger(spec.maxAttempts.default) || spec.maxAttempts.default < 1) {
      throw new Error('Catalogue: maxAttempts.default must be an integer >= 1');
    }
  }

  get services(): readonly string[] {
    return this.spec.services;
  }

  get messages(): readonly MessageDefinition[] {
    return this.spec.messages;
  }

  find(type: string): MessageDefinition | undefined {
    return this.byType.get(type);
  }

  commandsOwnedBy(service: string): CommandDefinition[] {
    return this.spec.messages.filter((m): m is CommandDefinition => m.kind === 'command' && m.owner === service);
  }

  /** What a service may send, and so which queues it may write to. */
  commandsSentBy(service: string): CommandDefinition[] {
    return this.spec.messages.filter((m): m is CommandDefinition => m.kind === 'command' && m.senders.includes(service));
  }

  eventsPublishedBy(service: string): EventDefinition[] {
    return this.spec.messages.filter((m): m is EventDefinition => m.kind === 'event' && m.publisher === service);
  }

  eventsSubscribedBy(service: string): EventDefinition[] {
    return this.spec.messages.filter((m): m is EventDefinition => m.kind === 'event' && m.subscribers.includes(service));
  }

  queueMaxAttempts(service: string): number {
    return this.spec.maxAttempts.queues?.[service] ?? this.spec.maxAttempts.default;
  }

  subscriptionMaxAttempts(service: string): number {
    return this.spec.maxAttempts.subscriptions?.[service] ?? this.spec.maxAttempts.default;
  }

  topology(): Topology {
    const queues: QueueSpec[] = [];
    const subscriptions: SubscriptionSpec[] = [];
    for (const service of this.spec.services) {
      const commands = this.commandsOwnedBy(service);
      if (commands.length > 0) {
        const maxAttempts = this.queueMaxAttempts(service);
        queues.push({ name: service, service, types: commands.map((c) => c.type), maxAttempts, maxDeliveryCount: maxAttempts + 1 });
      }
      const events = this.eventsSubscribedBy(service);
      if (events.length > 0) {
        const maxAttempts = this.subscriptionMaxAttempts(service);
        subscriptions.push({
          name: service,
          service,
          topic: EVENTS_TOPIC,
          types: events.map((e) => e.type),
          maxAttempts,
          maxDeliveryCount: maxAttempts + 1,
        });
      }
    }
    return { queues, topic: { name: EVENTS_TOPIC, subscriptions }, flow: { name: FLOW_CHANNEL } };
  }
}
