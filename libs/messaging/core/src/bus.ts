import {
  EVENTS_TOPIC,
  type Catalogue,
  type CommandDefinition,
  type EventDefinition,
  type MessageData,
  type MessageDefinition,
  type MessageInput,
} from '@stitch/messaging-catalogue';
import { toOutgoingMessage } from './cloud-event';
import { createEnvelope, type Envelope } from './envelope';
import { MessageRejectedError, MessageValidationError } from './errors';
import { DELIVER_AT_HEADER } from './headers';
import { currentMessageContext } from './message-context';
import { inProducerSpan, type TraceCarrier } from './messaging-telemetry';
import type { OutgoingDispatcher } from './outgoing';
import type { Destination, OutgoingMessage } from './transport';

export interface SendOptions {
  /** Deliver no sooner than this many ms from now. Commands only: EventBridge cannot delay events. */
  readonly delayMs?: number;
}

export interface MessageBusOptions {
  readonly catalogue: Catalogue;
  /** The service this bus sends for: the envelope's `source`. */
  readonly service: string;
  readonly dispatcher: OutgoingDispatcher;
  /** The transport's longest native delay; longer delays are carried in a header and re-deferred on arrival. */
  readonly maxDelayMs: number;
  /** `messaging.system` of the producer spans (`messagingSystem(transport.name)`). */
  readonly system?: string;
  readonly now?: () => number;
}

/**
 * The one way a service emits messages. A command goes to the queue of the service that owns it, an event to
 * the bus for every subscriber; which is which is the catalogue's call, checked here as well as by the types,
 * and so is who may emit it: a command's senders, an event's publisher.
 */
export class MessageBus {
  private readonly now: () => number;

  constructor(private readonly options: MessageBusOptions) {
    this.now = options.now ?? Date.now;
  }

  async send<D extends CommandDefinition>(command: D, data: MessageInput<D>, options: SendOptions = {}): Promise<Envelope<MessageData<D>>> {
    const definition = this.resolve(command, 'command') as CommandDefinition;
    // Cloud permissions are granted from the senders, so a send they leave out would fail there, or later
    // behind an outbox relay; refusing it here fails where the call is, on every transport alike.
    if (!definition.senders.includes(this.options.service)) {
      throw new MessageRejectedError(
        `${this.options.service} may not send ${definition.type}: its senders are ${definition.senders.join(', ')}; ` +
          "add it to the command's senders in the catalogue",
      );
    }
    const destination: Destination = { kind: 'queue', name: definition.owner };
    const envelope = await this.dispatch(destination, this.envelopeFor(definition, data), 'send', options.delayMs);
    return envelope as Envelope<MessageData<D>>;
  }

  async publish<D extends EventDefinition>(event: D, data: MessageInput<D>): Promise<Envelope<MessageData<D>>> {
    const definition = this.resolve(event, 'event') as EventDefinition;
    if (definition.publisher !== this.options.service) {
      throw new MessageRejectedError(
        `${definition.name} is published by ${definition.publisher}; ${this.options.service} cannot publish it`,
      );
    }
    const destination: Destination = { kind: 'topic', name: EVENTS_TOPIC };
    const envelope = await this.dispatch(destination, this.envelopeFor(definition, data), 'publish', undefined);
    return envelope as Envelope<MessageData<D>>;
  }

  /**
   * Hands the message on inside its producer span, whose context the envelope carries: the consumer's span is its
   * child, and the outbox write under it. With nothing traced the envelope keeps the trace context of the message
   * being handled, copied as before.
   */
  private dispatch(
    destination: Destination,
    envelope: Envelope,
    operation: 'send' | 'publish',
    delayMs: number | undefined,
  ): Promise<Envelope> {
    return inProducerSpan(this.options.system ?? 'unknown', destination, envelope, operation, async (carrier) => {
      const traced = withTraceContext(envelope, carrier);
      await this.options.dispatcher.dispatch(destination, this.outgoing(traced, delayMs));
      return traced;
    });
  }

  /** The catalogue decides, not the object passed in: a hand-made definition cannot change a kind, owner or senders. */
  private resolve(message: MessageDefinition, expected: 'command' | 'event'): MessageDefinition {
    const definition = this.options.catalogue.find(message?.type);
    if (!definition) {
      throw new MessageRejectedError(`"${String(message?.type)}" is not a message type in the catalogue`);
    }
    if (definition.kind !== expected) {
      throw new MessageRejectedError(
        definition.kind === 'event'
          ? `${definition.name} is an event: publish it with bus.publish(); only commands are sent`
          : `${definition.name} is a command: send it with bus.send(); only events are published`,
      );
    }
    return definition;
  }

  private envelopeFor(definition: MessageDefinition, data: unknown): Envelope {
    const parsed = definition.schema.safeParse(data);
    if (!parsed.success) throw new MessageValidationError(definition.name, parsed.error.issues);
    const context = currentMessageContext();
    return createEnvelope(
      { type: definition.type, kind: definition.kind, source: this.options.service, data: parsed.data },
      context ?? {},
      new Date(this.now()),
    );
  }

  private outgoing(envelope: Envelope, delayMs: number | undefined): OutgoingMessage {
    const base = toOutgoingMessage(envelope);
    if (delayMs === undefined || delayMs <= 0) return base;
    if (!Number.isFinite(delayMs)) throw new MessageRejectedError(`delayMs must be a finite number of ms, got ${delayMs}`);
    const dueAt = this.now() + delayMs;
    if (delayMs <= this.options.maxDelayMs) return { ...base, notBefore: dueAt };
    return { ...base, notBefore: this.now() + this.options.maxDelayMs, headers: { [DELIVER_AT_HEADER]: String(dueAt) } };
  }
}

function withTraceContext(envelope: Envelope, carrier: TraceCarrier): Envelope {
  if (!carrier.traceparent) return envelope;
  const { traceparent: _previous, tracestate: _previousState, ...rest } = envelope;
  return { ...rest, traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) };
}
