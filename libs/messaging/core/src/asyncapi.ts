import { z } from 'zod';
import type { Catalogue, MessageDefinition, QueueSpec } from '@stitch/messaging-catalogue';
import { CLOUDEVENTS_JSON, messageCloudEventSchema } from './cloud-event';

/** A service as the document names it: the catalogue's name, and what it is for. */
export interface AsyncApiService {
  readonly name: string;
  readonly description?: string;
}

export interface AsyncApiOptions {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  /** Every service of the catalogue, in the order the document lists their operations. */
  readonly services: readonly AsyncApiService[];
}

interface Reference {
  readonly $ref: string;
}

export interface AsyncApiChannel {
  readonly address: string;
  readonly title: string;
  readonly description: string;
  readonly messages: Readonly<Record<string, Reference>>;
}

export interface AsyncApiOperation {
  readonly action: 'send' | 'receive';
  readonly channel: Reference;
  readonly title: string;
  readonly summary: string;
  readonly messages: readonly Reference[];
  readonly tags: readonly Reference[];
}

export interface AsyncApiMessage {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly description: string;
  readonly contentType: string;
  readonly correlationId: Reference;
  readonly tags: readonly { readonly name: string }[];
  readonly payload: Record<string, unknown>;
}

/** The parts of an AsyncAPI 3.0 document that {@link asyncApiDocument} writes. */
export interface AsyncApiDocument {
  readonly asyncapi: '3.0.0';
  readonly info: AsyncApiOptions['info'];
  readonly defaultContentType: string;
  readonly channels: Readonly<Record<string, AsyncApiChannel>>;
  readonly operations: Readonly<Record<string, AsyncApiOperation>>;
  readonly components: {
    readonly messages: Readonly<Record<string, AsyncApiMessage>>;
    readonly tags: Readonly<Record<string, { readonly name: string; readonly description?: string }>>;
    readonly correlationIds: Readonly<Record<string, { readonly description: string; readonly location: string }>>;
  };
}

const CONTENT_TYPE = CLOUDEVENTS_JSON;
const CORRELATION_ID = 'correlationid';

/** `PlaceOrder` -> `Place order`. */
function title(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ');
  return words.map((word, index) => (index === 0 ? word : word.toLowerCase())).join(' ');
}

const list = (names: readonly string[]): string => (names.length > 0 ? names.join(', ') : 'no service');

function attempts(spec: QueueSpec): string {
  return `A message that fails ${spec.maxAttempts} attempts is dead-lettered here.`;
}

/**
 * The AsyncAPI 3.0 description of a catalogue's messaging, in the catalogue's logical names: a channel per command
 * queue (one per owning service), the event topic and each subscriber's subscription to it; each service's operations
 * (it sends the commands it is a sender of and publishes its events, it receives the commands it owns and the events
 * it subscribes to); and one message per type, whose payload is the CloudEvent it travels as, `data` being the
 * message's zod schema in JSON Schema.
 */
export function asyncApiDocument(catalogue: Catalogue, options: AsyncApiOptions): AsyncApiDocument {
  const listed = options.services.map((service) => service.name);
  const unlisted = catalogue.services.filter((service) => !listed.includes(service));
  if (unlisted.length > 0) throw new Error(`AsyncAPI: the service list lacks ${unlisted.join(', ')}, which the catalogue names`);
  const unknown = listed.filter((service) => !catalogue.services.includes(service));
  if (unknown.length > 0) throw new Error(`AsyncAPI: the service list names ${unknown.join(', ')}, which the catalogue does not know`);

  const topology = catalogue.topology();
  const topic = topology.topic.name;
  const queueChannel = (service: string) => `${service}.queue`;
  const subscriptionChannel = (service: string) => `${service}.subscription`;
  const messageRef = (message: MessageDefinition): Reference => ({ $ref: `#/components/messages/${message.type}` });
  const messagesOf = (types: readonly string[]) =>
    Object.fromEntries(types.map((type) => [type, messageRef(catalogue.find(type) as MessageDefinition)]));

  const channels: Record<string, AsyncApiChannel> = {};
  for (const queue of topology.queues) {
    channels[queueChannel(queue.service)] = {
      address: queue.name,
      title: `Queue ${queue.name}`,
      description: `The commands ${queue.service} owns. Its replicas compete for each one. ${attempts(queue)}`,
      messages: messagesOf(queue.types),
    };
  }
  channels[topic] = {
    address: topic,
    title: `Topic ${topic}`,
    description: 'Every event is published here; each service that subscribes to it gets its own copy, through its subscription.',
    messages: messagesOf(catalogue.messages.filter((message) => message.kind === 'event').map((message) => message.type)),
  };
  for (const subscription of topology.topic.subscriptions) {
    channels[subscriptionChannel(subscription.service)] = {
      address: `${subscription.topic}/${subscription.name}`,
      title: `Subscription ${subscription.name} to ${subscription.topic}`,
      description:
        `A copy of each event ${subscription.service} subscribes to, filtered on the type. Its replicas compete for each ` +
        `copy. ${attempts(subscription)}`,
      messages: messagesOf(subscription.types),
    };
  }

  const operations: Record<string, AsyncApiOperation> = {};
  const taking = new Set<string>();
  const operation = (
    service: string,
    action: AsyncApiOperation['action'],
    channel: string,
    message: MessageDefinition,
    summary: string,
  ) => {
    taking.add(service);
    const verb = action === 'receive' ? 'receives' : message.kind === 'command' ? 'sends' : 'publishes';
    operations[`${service}.${action}.${message.type}`] = {
      action,
      channel: { $ref: `#/channels/${channel}` },
      title: `${service} ${verb} ${message.name}`,
      summary,
      messages: [{ $ref: `#/channels/${channel}/messages/${message.type}` }],
      tags: [{ $ref: `#/components/tags/${service}` }],
    };
  };
  for (const { name: service } of options.services) {
    for (const command of catalogue.commandsSentBy(service)) {
      operation(
        service,
        'send',
        queueChannel(command.owner),
        command,
        `Sends the command ${command.name} to the queue of ${command.owner}.`,
      );
    }
    for (const event of catalogue.eventsPublishedBy(service)) {
      operation(service, 'send', topic, event, `Publishes the event ${event.name} to the topic ${topic}.`);
    }
    for (const command of catalogue.commandsOwnedBy(service)) {
      operation(service, 'receive', queueChannel(service), command, `Handles the command ${command.name} from its queue.`);
    }
    for (const event of catalogue.eventsSubscribedBy(service)) {
      operation(
        service,
        'receive',
        subscriptionChannel(service),
        event,
        `Handles the event ${event.name} from its subscription to ${topic}.`,
      );
    }
  }
  // A tag per service that takes part, so a service without messages leaves the document as it was.
  const tags = Object.fromEntries(
    options.services
      .filter(({ name }) => taking.has(name))
      .map(({ name, description }) => [name, { name, ...(description ? { description } : {}) }]),
  );

  const messages = Object.fromEntries(
    catalogue.messages.map((message): [string, AsyncApiMessage] => [
      message.type,
      {
        name: message.name,
        title: title(message.name),
        summary:
          message.kind === 'command'
            ? `Command ${message.name}, owned by ${message.owner}, sent by ${list(message.senders)}.`
            : `Event ${message.name}, published by ${message.publisher}, subscribed to by ${list(message.subscribers)}.`,
        description: `Type \`${message.type}\`: the envelope's \`type\`, which names the message and its version. Its \`data\` is the message itself.`,
        contentType: CONTENT_TYPE,
        correlationId: { $ref: `#/components/correlationIds/${CORRELATION_ID}` },
        tags: [{ name: message.kind }],
        payload: payloadSchema(message),
      },
    ]),
  );

  return {
    asyncapi: '3.0.0',
    info: options.info,
    defaultContentType: CONTENT_TYPE,
    channels,
    operations,
    components: {
      messages,
      tags,
      correlationIds: {
        [CORRELATION_ID]: {
          description: 'Shared by every message of one business flow (a sign-up, a checkout).',
          location: '$message.payload#/correlationid',
        },
      },
    },
  };
}

/** The envelope as it goes out (after the sender's validation), in JSON Schema draft 7, which AsyncAPI's schemas extend. */
function payloadSchema(message: MessageDefinition): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(messageCloudEventSchema(message), { target: 'draft-7', io: 'output' });
  return schema;
}
